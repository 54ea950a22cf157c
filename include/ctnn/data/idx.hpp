/// @file Defines `ctnn::data::read_idx`, a reader for IDX files (MNIST's format), gzip-compressed or not.
/// Needs zlib: link ctnn::data (CMake) or -lz.
// SPDX-License-Identifier: MIT
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "../detail/text.hpp"
#include "locate.hpp"

namespace ctnn::data {

/// The contents of an IDX file of unsigned bytes: its dimensions and its values in row-major order.
struct idx_array {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> values;
};

/// Reads a whole file, gunzipping it if it is gzip-compressed (zlib reads plain files as they are).
inline std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw data_error(detail::concat("ctnn: cannot read '", file.string(), "': no such file"));
  gzFile in = gzopen(file.c_str(), "rb");
  if (in == nullptr) throw data_error(detail::concat("ctnn: cannot open '", file.string(), "'"));
  std::vector<std::uint8_t> bytes;
  std::size_t used = 0;
  for (;;) {
    if (bytes.size() - used < (16u << 10)) bytes.resize(std::max<std::size_t>(64u << 10, 2 * bytes.size()));
    const int n = gzread(in, bytes.data() + used, static_cast<unsigned>(bytes.size() - used));
    if (n < 0) {
      int code = 0;
      const std::string why = gzerror(in, &code);
      gzclose(in);
      throw data_error(detail::concat("ctnn: '", file.string(), "' is corrupt: ", why));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  // zlib reports a gzip stream cut short only through gzerror after a short read.
  int code = 0;
  const std::string why = gzerror(in, &code);
  gzclose(in);
  if (code != Z_OK && code != Z_STREAM_END)
    throw data_error(detail::concat("ctnn: '", file.string(), "' is corrupt or truncated: ", why));
  bytes.resize(used);
  return bytes;
}

/// Reads an IDX file of unsigned bytes (type 0x08): checks the magic number, the dimensions and that
/// the data is exactly as long as they say. Errors name the file and what is wrong.
/// With `expected_rank` above 0, a file of another rank is refused before its dimensions are read,
/// saying what kind of file it is (rank 1: labels, magic 0x00000801; rank 3: images, 0x00000803).
inline idx_array read_idx(const std::filesystem::path& file, std::size_t expected_rank = 0) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzip(file);
  const std::string where = detail::concat("'", file.string(), "'");
  if (bytes.size() < 4)
    throw data_error(detail::concat("ctnn: ", where, " is too short to be an IDX file (",
                                    std::to_string(bytes.size()), " bytes)"));
  if (bytes[0] != 0 || bytes[1] != 0)
    throw data_error(detail::concat(
        "ctnn: ", where, " is not an IDX file (its magic number does not start with two zero bytes)"));
  if (bytes[2] != 0x08)
    throw data_error(detail::concat("ctnn: ", where, " holds IDX type 0x", std::to_string(bytes[2]),
                                    "; only unsigned bytes (0x08) are supported"));
  const std::size_t rank = bytes[3];
  if (rank == 0) throw data_error(detail::concat("ctnn: ", where, " declares zero dimensions"));
  if (expected_rank != 0 && rank != expected_rank) {
    auto kind = [](std::size_t r) -> std::string {
      return r == 1 ? "a label file" : r == 3 ? "an image file" : "a rank-" + std::to_string(r) + " array";
    };
    auto magic = [](std::size_t r) { return "0x0000080" + std::to_string(r); };
    throw data_error(detail::concat("ctnn: ", where, " has the magic number of ", kind(rank), " (",
                                    magic(rank), "); ", kind(expected_rank), " was expected here (magic ",
                                    magic(expected_rank), ")"));
  }
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header)
    throw data_error(detail::concat("ctnn: ", where, " is truncated inside its header"));
  idx_array out;
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint8_t* p = bytes.data() + 4 + 4 * d;
    const std::uint32_t dim =
        (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    out.dims.push_back(dim);
    count *= dim;
  }
  const std::uint64_t have = bytes.size() - header;
  if (have < count)
    throw data_error(detail::concat("ctnn: ", where, " is truncated: its header promises ",
                                    std::to_string(count), " values, it holds ", std::to_string(have)));
  if (have > count)
    throw data_error(detail::concat("ctnn: ", where, " has ", std::to_string(have - count),
                                    " bytes after its ", std::to_string(count), " values"));
  out.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

}  // namespace ctnn::data
