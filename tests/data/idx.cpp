// Tests for ctnn/data/idx.hpp: good files, plain and gzip, and every way a
// file can be bad, each reported with the file's name and what is wrong.
#define BOOST_TEST_MODULE idx
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <ctnn/data/idx.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {
struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("ctnn_idx_test_" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};
bytes idx(std::vector<std::uint32_t> dims, std::size_t values, std::uint8_t type = 0x08) {
  bytes b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  for (std::size_t i = 0; i < values; ++i) b.push_back(static_cast<std::uint8_t>(i * 7));
  return b;
}
fs::path write_raw(const fs::path& p, const bytes& b) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return p;
}
fs::path write_gz(const fs::path& p, const bytes& b) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
  return p;
}
bytes read_raw(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), {});
}
// The message of the data_error that reading `file` throws ("" if none).
std::string error_of(const fs::path& file) {
  try {
    ctnn::data::read_idx(file);
  } catch (const ctnn::data::data_error& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(reads_plain_and_gzip) {
  temp_dir d;
  const bytes b = idx({3, 2, 2}, 12);
  for (const auto& file : {write_raw(d.path / "a.idx", b), write_gz(d.path / "a.idx.gz", b)}) {
    const auto a = ctnn::data::read_idx(file);
    BOOST_TEST(a.dims == (std::vector<std::uint32_t>{3, 2, 2}));
    BOOST_TEST(a.values.size() == 12u);
    BOOST_TEST(a.values[5] == 35);
  }
}

BOOST_AUTO_TEST_CASE(every_bad_file_is_named_with_its_fault) {
  temp_dir d;
  const bytes good = idx({4, 3}, 12);
  std::string e;

  e = error_of(d.path / "missing.idx");
  BOOST_TEST((has(e, "missing.idx") && has(e, "no such file")), e);

  e = error_of(write_raw(d.path / "short.idx", idx({4, 3}, 10)));
  BOOST_TEST((has(e, "short.idx") && has(e, "truncated") && has(e, "promises 12 values, it holds 10")), e);

  e = error_of(write_raw(d.path / "long.idx", idx({4, 3}, 13)));
  BOOST_TEST((has(e, "long.idx") && has(e, "1 bytes after")), e);

  bytes magic = good;
  magic[0] = 0x42;
  e = error_of(write_raw(d.path / "magic.idx", magic));
  BOOST_TEST((has(e, "magic.idx") && has(e, "not an IDX file")), e);

  e = error_of(write_raw(d.path / "float.idx", idx({2}, 8, 0x0D)));
  BOOST_TEST((has(e, "float.idx") && has(e, "only unsigned bytes")), e);

  e = error_of(write_raw(d.path / "header.idx", bytes{0, 0, 8, 3, 0, 0}));
  BOOST_TEST((has(e, "header.idx") && has(e, "inside its header")), e);

  e = error_of(write_raw(d.path / "tiny.idx", bytes{0, 0}));
  BOOST_TEST((has(e, "tiny.idx") && has(e, "too short")), e);

  // A gzip stream cut in half, and one with its compressed bytes scrambled.
  const bytes packed = read_raw(write_gz(d.path / "whole.gz", idx({1000}, 1000)));
  e = error_of(write_raw(d.path / "cut.gz",
                         bytes(packed.begin(), packed.begin() + static_cast<long>(packed.size() / 2))));
  BOOST_TEST((has(e, "cut.gz") && (has(e, "truncated") || has(e, "corrupt"))), e);
  bytes scrambled = packed;
  for (std::size_t i = 12; i < scrambled.size() - 8; ++i) scrambled[i] ^= 0x5a;
  e = error_of(write_raw(d.path / "scrambled.gz", scrambled));
  BOOST_TEST((has(e, "scrambled.gz") && has(e, "corrupt")), e);
}

// A label file that carries the images' magic number (0x00000803) says so, instead of reading label
// bytes as dimensions ("its header promises 4336234928940883744 values").
BOOST_AUTO_TEST_CASE(the_wrong_kind_of_file_is_named) {
  temp_dir d;
  bytes images = idx({2, 2, 2}, 8);
  images.resize(6);  // a label file's length, an image file's magic
  images[3] = 3;
  const fs::path file = write_raw(d.path / "labels.idx", images);
  std::string e;
  try {
    ctnn::data::read_idx(file, 1);
  } catch (const ctnn::data::data_error& error) {
    e = error.what();
  }
  BOOST_TEST((has(e, "labels.idx") && has(e, "has the magic number of an image file (0x00000803)") &&
              has(e, "a label file was expected here (magic 0x00000801)")),
             e);
  BOOST_TEST(ctnn::data::read_idx(write_raw(d.path / "ok.idx", idx({3}, 3)), 1).values.size() == 3u);
}
