/// @file Whole files in and out: detail::write_atomically (a new file renamed over the old, so a crash
/// leaves the old one) and detail::read_file.
// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "../detail/text.hpp"
#include "bytes.hpp"

namespace ctnn {

namespace detail {

/// Writes `bytes` to `path` atomically: to a new file in the same folder, flushed to disk, then
/// renamed over `path`. On any failure the temporary file is removed, `path` is as it was, and
/// save_error says what failed.
inline void write_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::filesystem::path tmp = dir / concat(".", path.filename().string(), ".tmp.",
                                                 std::to_string(::getpid()), ".", std::to_string(counter++));
  auto fail = [&](const std::string& what, int err) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw save_error(concat("ctnn::save: cannot write '", path.string(), "': ", what,
                            err ? concat(": ", std::strerror(err)) : std::string()));
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("cannot create a temporary file in its folder", errno);
  const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const int write_err = errno;
  if (written != bytes.size()) {
    std::fclose(f);
    fail(concat("wrote ", std::to_string(written), " of ", std::to_string(bytes.size()), " bytes"),
         write_err);
  }
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    const int err = errno;
    std::fclose(f);
    fail("cannot flush it to disk", err);
  }
  if (std::fclose(f) != 0) fail("cannot close it", errno);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail("cannot rename the temporary file over it: " + ec.message(), 0);
}

/// Reads a whole file; load_error if it is missing or unreadable.
inline std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw load_error(concat("ctnn::load: '", path.string(), "': no such file"));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw load_error(concat("ctnn::load: '", path.string(), "': cannot open: ", std::strerror(errno)));
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[1 << 16];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;)
    bytes.insert(bytes.end(), chunk, chunk + n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw load_error(concat("ctnn::load: '", path.string(), "': read error"));
  return bytes;
}

}  // namespace detail
}  // namespace ctnn
