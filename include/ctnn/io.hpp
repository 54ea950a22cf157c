/// @file Defines `ctnn::save` and `ctnn::load`: a network's weights to and from a file in ctnn's
/// versioned binary format (docs/format.md), with `ctnn::load_error` for every way a file can be wrong.
/// The format's parts are in io/: bytes, files, the model format and the checkpoint format.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "detail/text.hpp"
#include "io/bytes.hpp"
#include "io/checkpoint_format.hpp"
#include "io/files.hpp"
#include "io/model_format.hpp"
#include "sequential.hpp"

namespace ctnn {

/// Writes the network's weights to `path` (docs/format.md), atomically: a crash or a full disk
/// mid-save leaves the previous file intact. Throws save_error.
template <class Net>
void save(const Net& net, const std::filesystem::path& path) {
  auto w = detail::begin_file(net, format::kind::model);
  detail::finish_file(w);
  detail::write_atomically(path, w.bytes);
}

/// Reads weights saved by save() into `net`. Throws load_error, saying what and where, for a missing
/// file, a wrong magic number or version, a truncated file, a checksum mismatch, a different
/// architecture (the first layer that differs, both shapes), another scalar type or a non-finite
/// value; `net` is then untouched.
template <class Net>
void load(Net& net, const std::filesystem::path& path) {
  const auto bytes = detail::read_file(path);
  std::vector<typename Net::scalar> params(Net::storage_size, typename Net::scalar(0));
  std::vector<typename Net::scalar> buffers(Net::buffer_size, typename Net::scalar(0));
  auto r = detail::read_model_part(std::as_const(net), bytes, path.string(), format::kind::model,
                                   params.data(), buffers.data());
  if (r.left() != 0)
    r.fail(detail::concat("has ", std::to_string(r.left()), " unexpected bytes after the tensors"));
  std::copy(params.begin(), params.end(), net.parameters().data());
  std::copy(buffers.begin(), buffers.end(), net.buffers().data());
}

}  // namespace ctnn
