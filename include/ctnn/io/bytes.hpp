/// @file The bytes of ctnn's files: `ctnn::load_error` and `ctnn::save_error`, the CRC-32 every file
/// ends with, and little-endian writing and checked reading (detail::byte_writer, detail::byte_reader).
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../detail/text.hpp"

namespace ctnn {

/// A file could not be loaded: the message says which file, what is wrong, and where.
class load_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// A file could not be written; the file that was there before is untouched.
class save_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace format {
/// CRC-32 (IEEE 802.3, reflected, the checksum of zlib's crc32 and Python's zlib.crc32).
inline std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept {
  static constexpr auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::uint8_t b : bytes) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}
}  // namespace format

namespace detail {

/// Appends little-endian values to a byte buffer.
struct byte_writer {
  std::vector<std::uint8_t> bytes;
  template <class T>
  void put(T v) {
    static_assert(std::is_arithmetic_v<T>);
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(T));
    append(b, sizeof(T));
  }
  void put(std::string_view s) {
    put(static_cast<std::uint32_t>(s.size()));
    append(s.data(), s.size());
  }
  // Byte by byte: GCC 12's -Wstringop-overflow misfires on vector::insert of a small range at -O2.
  template <class Byte>
  void append(const Byte* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<std::uint8_t>(p[i]));
  }
  template <class Scalar>
  void put_array(const Scalar* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) put(p[i]);
  }
};

/// Reads little-endian values from a byte buffer, each read checked against its end: a read past it
/// throws load_error naming the file, the offset and what was being read.
class byte_reader {
 public:
  byte_reader(std::span<const std::uint8_t> bytes, std::string file)
      : bytes_(bytes), file_(std::move(file)) {}
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, bytes_.data() + at_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(T));
    T v;
    std::memcpy(&v, b, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  std::string get_string(const char* what) {
    const auto n = get<std::uint32_t>(what);
    need(n, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return s;
  }
  std::span<const std::uint8_t> get_bytes(std::uint64_t n, const char* what) {
    need(n, what);
    const auto out = bytes_.subspan(at_, n);
    at_ += n;
    return out;
  }
  std::size_t offset() const noexcept { return at_; }
  std::size_t left() const noexcept { return bytes_.size() - at_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw load_error(concat("ctnn::load: '", file_, "': ", what, " (at byte ", std::to_string(at_), ")"));
  }
  /// As fail, for a fault of no one byte (what says where: a range, a field).
  [[noreturn]] void fail_file(const std::string& what) const {
    throw load_error(concat("ctnn::load: '", file_, "': ", what));
  }
  /// As need, for `count` items of `size` bytes each (without overflowing the product).
  void need_items(std::uint64_t count, std::size_t size, const char* what) const {
    if (count > left() / size)
      fail(concat("truncated while reading ", what, ": needs ", std::to_string(count), " items of ",
                  std::to_string(size), " bytes, ", std::to_string(left()), " bytes left"));
  }
  void need(std::uint64_t n, const char* what) const {
    if (n > left())
      fail(concat("truncated while reading ", what, ": needs ", std::to_string(n), " bytes, ",
                  std::to_string(left()), " left"));
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string file_;
  std::size_t at_ = 0;
};

}  // namespace detail
}  // namespace ctnn
