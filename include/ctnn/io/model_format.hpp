/// @file The model part of ctnn's file format (docs/format.md): the header's constants, the
/// architecture records derived from a network's type, its tensors and buffers, written and read back
/// (what ctnn::save and ctnn::load, and checkpoints, are made of).
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../chain.hpp"
#include "../concepts.hpp"
#include "../detail/text.hpp"
#include "bytes.hpp"

namespace ctnn {

namespace format {
/// The first 8 bytes of every ctnn file: a non-ASCII byte, the name, and bytes that text-mode
/// transfers would mangle (as PNG does).
inline constexpr std::array<std::uint8_t, 8> magic = {0x89, 'C', 'T', 'N', 'N', '\r', '\n', 0x1a};
/// The version written. Version 2 added the buffers (after the tensors); version 1 files, which have
/// none, still load.
inline constexpr std::uint32_t version = 2;
inline constexpr std::uint32_t oldest_version = 1;
enum class kind : std::uint32_t { model = 1, checkpoint = 2 };
/// Bytes before the layer records: magic, version, kind, file size, scalar size, 3 zero bytes.
inline constexpr std::size_t header_size = 8 + 4 + 4 + 8 + 4;
/// Where the file size sits: after the magic, the version and the kind.
inline constexpr std::size_t size_offset = 8 + 4 + 4;

}  // namespace format

/// One layer as the file describes it: its name and the shapes it maps between (the architecture).
struct layer_record {
  std::string name;
  std::vector<std::uint32_t> input, output;
  std::uint64_t parameters = 0;
  bool operator==(const layer_record&) const = default;
  /// "Dense (128,) -> (10,), 1290 parameters"
  std::string to_string() const {
    auto dims = [](const std::vector<std::uint32_t>& d) {
      std::string s = "(";
      for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
      return s + (d.size() == 1 ? ",)" : ")");
    };
    return detail::concat(name, " ", dims(input), " -> ", dims(output), ", ", std::to_string(parameters),
                          " parameters");
  }
};

/// The architecture of `Net`, derived from its type: one record per layer after Input and, after a
/// block, one per layer of its branches, named with the branch path ("b2/Conv2D" is a Conv2D in branch 2
/// of the block before it; "b2/b1/Dense" one level deeper). A network without blocks has one record
/// per layer, as files of every version have had. A Graph has one record per node (a merge too),
/// named with the node's name ("conv/Conv2D", "res/b2/Conv2D"), its input shape its first read's.
template <class Net>
std::vector<layer_record> architecture() {
  std::vector<layer_record> out;
  std::vector<std::size_t> branches;  // the branch numbers from the top to the current level
  std::string node;                   // a Graph's node name and '/'
  std::size_t index = 0;
  auto one = [&]<class Spec, class Bound, class In>(std::size_t, std::size_t level, std::size_t branch,
                                                    std::size_t, std::size_t) {
    using Out = typename Bound::output_shape;
    branches.resize(level);
    if (level > 0) branches[level - 1] = branch;
    std::string name = node;
    for (std::size_t b : branches) name += detail::concat("b", std::to_string(b), "/");
    out.push_back({name + std::string(Spec::name),
                   {In::dims.begin(), In::dims.end()},
                   {Out::dims.begin(), Out::dims.end()},
                   Bound::parameter_count});
  };
  if constexpr (requires { typename Net::chain; })
    detail::walk_layers<typename Net::chain>(one, index);
  else
    Net::walk_layers(
        one, [&](std::size_t k) { node = std::string(Net::names[Net::input_count + k].view()) + "/"; },
        index);
  return out;
}

namespace detail {

inline const char* scalar_name(std::uint32_t size) {
  return size == 4 ? "float (32-bit)" : size == 8 ? "double (64-bit)" : "an unknown scalar type";
}

/// The bytes of a model file for `net` (kind model), or the front of a checkpoint, without the
/// trailing size fix-up and checksum (see finish).
template <class Net>
byte_writer begin_file(const Net& net, format::kind k) {
  using Scalar = typename Net::scalar;
  byte_writer w;
  w.append(format::magic.data(), format::magic.size());
  w.put(format::version);
  w.put(static_cast<std::uint32_t>(k));
  w.put(std::uint64_t{0});  // the file size, filled in by finish
  w.put(static_cast<std::uint32_t>(sizeof(Scalar)));
  const auto layers = architecture<Net>();
  w.put(static_cast<std::uint32_t>(layers.size()));
  for (const auto& l : layers) {
    w.put(std::string_view(l.name));
    w.put(static_cast<std::uint32_t>(l.input.size()));
    for (auto d : l.input) w.put(d);
    w.put(static_cast<std::uint32_t>(l.output.size()));
    for (auto d : l.output) w.put(d);
    w.put(l.parameters);
  }
  std::uint32_t tensors = 0;
  net.for_each_tensor(
      [&](std::size_t, std::string_view, const tensor_info&, const Scalar*, const Scalar*) { ++tensors; });
  w.put(tensors);
  net.for_each_tensor(
      [&](std::size_t layer, std::string_view, const tensor_info& t, const Scalar* p, const Scalar*) {
        w.put(static_cast<std::uint32_t>(layer));
        w.put(t.name);
        w.put(static_cast<std::uint32_t>(t.rows));
        w.put(static_cast<std::uint32_t>(t.cols));
        w.put_array(p, t.size());
      });
  // Version 2: the buffers (BatchNormalization's moving statistics), as tensors are written.
  std::uint32_t buffers = 0;
  net.for_each_buffer([&](std::size_t, std::string_view, const tensor_info&, const Scalar*) { ++buffers; });
  w.put(buffers);
  net.for_each_buffer([&](std::size_t layer, std::string_view, const tensor_info& t, const Scalar* b) {
    w.put(static_cast<std::uint32_t>(layer));
    w.put(t.name);
    w.put(static_cast<std::uint32_t>(t.rows));
    w.put(static_cast<std::uint32_t>(t.cols));
    w.put_array(b, t.size());
  });
  return w;
}

/// Writes the file size into the header and appends the checksum of every byte before it.
inline void finish_file(byte_writer& w) {
  const std::uint64_t size = w.bytes.size() + 4;
  for (int i = 0; i < 8; ++i)
    w.bytes[format::size_offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(size >> (8 * i));
  w.put(format::crc32(w.bytes));
}

/// Reads one list of tensors (the parameters, or in version 2 the buffers) into `into`, walking the
/// model's list (`each` is net.for_each_tensor or net.for_each_buffer): the file must list the same
/// tensors in the same order, with finite values.
template <class Scalar, class Each>
void read_tensors(byte_reader& r, Each each, Scalar* into, const char* what) {
  const auto tensors =
      r.get<std::uint32_t>(what == std::string_view("tensor") ? "the tensor count" : "the buffer count");
  std::size_t seen = 0;
  bool ok = true;
  std::string problem;
  each([&](std::size_t layer, const tensor_info& t) {
    if (!ok) return;
    if (seen >= tensors) {
      ok = false;
      problem = concat("has ", std::to_string(tensors), " ", what, "s; the model has more");
      return;
    }
    ++seen;
    const auto file_layer = r.get<std::uint32_t>("a tensor's layer");
    const auto name = r.get_string("a tensor's name");
    const auto rows = r.get<std::uint32_t>("a tensor's rows");
    const auto cols = r.get<std::uint32_t>("a tensor's columns");
    if (file_layer != layer || name != t.name || rows != t.rows || cols != t.cols) {
      ok = false;
      problem = concat(what, " ", std::to_string(seen - 1), " is layer ", std::to_string(file_layer), "'s ",
                       name, " (", std::to_string(rows), "x", std::to_string(cols),
                       ") in the file but layer ", std::to_string(layer), "'s ", std::string(t.name), " (",
                       std::to_string(t.rows), "x", std::to_string(t.cols), ") in the model");
      return;
    }
    r.need_items(std::uint64_t{rows} * cols, sizeof(Scalar), "a tensor's values");
    for (std::size_t i = 0; i < t.size(); ++i) {
      const Scalar v = r.get<Scalar>("a tensor's values");
      if (!std::isfinite(v) && ok) {
        ok = false;
        problem =
            concat("layer ", std::to_string(layer), "'s ", std::string(t.name), " holds a non-finite value (",
                   std::to_string(static_cast<double>(v)), ") at index ", std::to_string(i));
      }
      into[t.offset + i] = v;
    }
  });
  if (!ok) r.fail(problem);
  if (seen != tensors)
    r.fail(concat("has ", std::to_string(tensors), " ", what, "s; the model has ", std::to_string(seen)));
}

/// Checks a whole file's frame (magic, version, size, checksum, scalar type, kind) and the
/// architecture against Net's, then reads its tensors into `params` and its buffers into `buffers`
/// (copies, so that a failure leaves the model untouched). Returns a reader positioned after them.
template <class Net>
byte_reader read_model_part(const Net& net, std::span<const std::uint8_t> bytes, const std::string& file,
                            format::kind want, typename Net::scalar* params, typename Net::scalar* buffers) {
  using Scalar = typename Net::scalar;
  if (bytes.size() < format::magic.size() ||
      !std::equal(format::magic.begin(), format::magic.end(), bytes.begin()))
    byte_reader(bytes, file).fail("not a ctnn file (its first bytes are not ctnn's magic number)");
  if (bytes.size() < format::header_size + 4)
    byte_reader(bytes, file)
        .fail(concat("truncated: ", std::to_string(bytes.size()),
                     " bytes, shorter than the header and checksum"));
  // The body: everything but the trailing checksum, which is checked as a whole below.
  byte_reader r(bytes.first(bytes.size() - 4), file);
  for (std::size_t i = 0; i < format::magic.size(); ++i) r.get<std::uint8_t>("the magic number");
  const auto version = r.get<std::uint32_t>("the version");
  if (version < format::oldest_version || version > format::version)
    r.fail(concat("format version ", std::to_string(version), "; this ctnn reads versions ",
                  std::to_string(format::oldest_version), " to ", std::to_string(format::version)));
  const auto k = r.get<std::uint32_t>("the kind");
  const auto size = r.get<std::uint64_t>("the file size");
  if (size != bytes.size())
    r.fail(concat(size > bytes.size() ? "truncated: " : "has extra bytes: ", "its header says ",
                  std::to_string(size), " bytes, the file has ", std::to_string(bytes.size())));
  const std::uint32_t stored =
      static_cast<std::uint32_t>(bytes[size - 4]) | static_cast<std::uint32_t>(bytes[size - 3]) << 8 |
      static_cast<std::uint32_t>(bytes[size - 2]) << 16 | static_cast<std::uint32_t>(bytes[size - 1]) << 24;
  if (format::crc32(bytes.first(bytes.size() - 4)) != stored)
    r.fail_file(concat("checksum mismatch over bytes 0-", std::to_string(size - 5),
                       " (the checksum is the last 4 "
                       "bytes): the file was changed or damaged after it was written"));
  if (k != static_cast<std::uint32_t>(want))
    r.fail(k == static_cast<std::uint32_t>(format::kind::checkpoint)
               ? "is a training checkpoint; load it with load_checkpoint"
               : "is a model file, not a training checkpoint; load it with load");
  const auto scalar = r.get<std::uint32_t>("the scalar type");
  if (scalar != sizeof(Scalar))
    r.fail(concat("holds ", scalar_name(scalar), " parameters; the model is over ",
                  scalar_name(sizeof(Scalar))));

  const auto expected = architecture<Net>();
  const auto layers = r.get<std::uint32_t>("the layer count");
  std::vector<layer_record> found;
  for (std::uint32_t i = 0; i < layers; ++i) {
    layer_record l;
    l.name = r.get_string("a layer name");
    for (auto* dims : {&l.input, &l.output}) {
      const auto rank = r.get<std::uint32_t>("a layer's rank");
      r.need_items(rank, 4, "a layer's shape");
      for (std::uint32_t d = 0; d < rank; ++d) dims->push_back(r.get<std::uint32_t>("a layer's shape"));
    }
    l.parameters = r.get<std::uint64_t>("a layer's parameter count");
    found.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < std::max(found.size(), expected.size()); ++i) {
    if (i < found.size() && i < expected.size() && found[i] == expected[i]) continue;
    r.fail(concat("a different architecture: layer ", std::to_string(i), " is ",
                  i < found.size() ? found[i].to_string() : "missing", " in the file but ",
                  i < expected.size() ? expected[i].to_string() : "missing", " in the model"));
  }

  read_tensors(
      r,
      [&](auto f) {
        net.for_each_tensor([&](std::size_t layer, std::string_view, const tensor_info& t, const Scalar*,
                                const Scalar*) { f(layer, t); });
      },
      params, "tensor");
  if (version >= 2)
    read_tensors(
        r,
        [&](auto f) {
          net.for_each_buffer(
              [&](std::size_t layer, std::string_view, const tensor_info& t, const Scalar*) { f(layer, t); });
        },
        buffers, "buffer");
  else if (Net::buffer_count > 0)
    r.fail(
        "is a version 1 file, which holds no buffers, but the model has some (BatchNormalization's "
        "moving statistics)");
  return r;
}

}  // namespace detail
}  // namespace ctnn
