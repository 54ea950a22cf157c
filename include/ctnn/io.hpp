/// @file Defines `ctnn::save` and `ctnn::load`: a network's weights to and from a file in ctnn's
/// versioned binary format (docs/format.md), with `ctnn::load_error` for every way a file can be wrong.
// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/text.hpp"
#include "sequential.hpp"

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

/// A checkpoint's named sections, after the model part: u32 count, then per section its name (string),
/// its length (u64) and its bytes.
struct section {
  std::string name;
  std::vector<std::uint8_t> bytes;
};
inline void put_sections(byte_writer& w, const std::vector<section>& sections) {
  w.put(static_cast<std::uint32_t>(sections.size()));
  for (const auto& s : sections) {
    w.put(std::string_view(s.name));
    w.put(static_cast<std::uint64_t>(s.bytes.size()));
    w.append(s.bytes.data(), s.bytes.size());
  }
}
inline std::vector<section> get_sections(byte_reader& r) {
  std::vector<section> out;
  const auto n = r.get<std::uint32_t>("the section count");
  for (std::uint32_t i = 0; i < n; ++i) {
    section s;
    s.name = r.get_string("a section name");
    const auto length = r.get<std::uint64_t>("a section length");
    const auto body = r.get_bytes(length, "a section");
    s.bytes.assign(body.begin(), body.end());
    out.push_back(std::move(s));
  }
  if (r.left() != 0) r.fail(concat("has ", std::to_string(r.left()), " unexpected bytes after its sections"));
  return out;
}

/// An optimiser's state as a section: per slot its name (string), then either kind 0, a count (u64)
/// and that many scalars, or kind 1 and one i64 counter.
template <class Scalar, class State>
std::vector<std::uint8_t> optimizer_section(State& state) {
  byte_writer w;
  state.visit([&](std::string_view name, auto&&... slot) {
    w.put(name);
    if constexpr (sizeof...(slot) == 2) {
      const auto [data, count] = std::tuple(slot...);
      w.put(std::uint32_t{0});
      w.put(static_cast<std::uint64_t>(count));
      w.put_array(data, count);
    } else {
      w.put(std::uint32_t{1});
      w.put(static_cast<std::int64_t>((slot, ...)));
    }
  });
  return std::move(w.bytes);
}
/// Reads an optimiser section into `state`'s slots, checking every name, kind and size first, so
/// that `state` changes only if all of it fits.
template <class Scalar, class State>
void read_optimizer_section(State& state, const section& s, const std::string& file,
                            std::string_view optimizer) {
  struct slot {
    std::string name;
    std::uint32_t kind;
    std::vector<Scalar> values;
    std::int64_t counter = 0;
  };
  byte_reader r(s.bytes, file);
  std::vector<slot> slots;
  while (r.left() > 0) {
    slot sl;
    sl.name = r.get_string("an optimiser slot name");
    sl.kind = r.get<std::uint32_t>("an optimiser slot kind");
    if (sl.kind == 0) {
      const auto n = r.get<std::uint64_t>("an optimiser slot size");
      r.need_items(n, sizeof(Scalar), "an optimiser slot");
      sl.values.resize(n);
      for (auto& v : sl.values) v = r.get<Scalar>("an optimiser slot");
    } else {
      sl.counter = r.get<std::int64_t>("an optimiser counter");
    }
    slots.push_back(std::move(sl));
  }
  std::string names;
  for (const auto& sl : slots) names += (names.empty() ? "" : ", ") + sl.name;
  std::size_t i = 0;
  state.visit([&](std::string_view name, auto&&... field) {
    bool fits = i < slots.size() && slots[i].name == name;
    if constexpr (sizeof...(field) == 2)
      fits = fits && slots[i].kind == 0 && slots[i].values.size() == std::get<1>(std::tuple(field...));
    else
      fits = fits && slots[i].kind == 1;
    if (!fits)
      r.fail(concat("its optimiser state (", names, ") does not fit this trainer's ", std::string(optimizer),
                    ": the checkpoint was made with another optimiser"));
    ++i;
  });
  if (i != slots.size())
    r.fail(concat("its optimiser state (", names, ") does not fit this trainer's ", std::string(optimizer)));
  i = 0;
  state.visit([&](std::string_view, auto&&... field) {
    if constexpr (sizeof...(field) == 2)
      std::copy(slots[i].values.begin(), slots[i].values.end(), std::get<0>(std::tuple(field...)));
    else
      ((field = slots[i].counter), ...);
    ++i;
  });
}

}  // namespace detail

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
