// Tests for ctnn/data/cifar10.hpp on the real CIFAR-10 files (found as users find them: ctest runs
// this from the project's root, so ../shared/data is searched), and on small bad files.
#define BOOST_TEST_MODULE cifar10
#include <boost/test/unit_test.hpp>
#include <ctnn/data/cifar10.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(the_real_files_load_with_the_published_counts) {
  const auto c = ctnn::data::load_cifar10();
  BOOST_TEST(c.train.size() == 50000u);
  BOOST_TEST(c.test.size() == 10000u);
  BOOST_TEST(c.train.images.cols() == 50000);
  BOOST_TEST(c.test.images.cols() == 10000);
  BOOST_TEST(c.train.images.minCoeff() == 0.0f);
  BOOST_TEST(c.train.images.maxCoeff() == 1.0f);
  int tr[10] = {}, te[10] = {}, first[10] = {};
  for (int l : c.train.labels) ++tr[l];
  for (int l : c.test.labels) ++te[l];
  for (std::size_t i = 0; i < 10000; ++i) ++first[c.train.labels[i]];
  const int batch_1[10] = {1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981};  // shared/data/README
  for (int k = 0; k < 10; ++k) {
    BOOST_TEST(tr[k] == 5000);
    BOOST_TEST(te[k] == 1000);
    BOOST_TEST(first[k] == batch_1[k]);
  }
  BOOST_TEST(c.train.labels[0] == 6);  // frog: the first image of data_batch_1
  BOOST_TEST(c.test.labels[0] == 3);   // cat: the first image of test_batch
  BOOST_TEST(ctnn::data::cifar10_classes[3] == "cat");
}

namespace {
struct scratch {
  fs::path dir = fs::temp_directory_path() / "ctnn_cifar10_test";
  scratch() { fs::create_directories(dir); }
  ~scratch() { fs::remove_all(dir); }
  fs::path write(const char* name, const std::vector<std::uint8_t>& b) const {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return dir / name;
  }
};
std::string message(const std::vector<fs::path>& files) {
  try {
    ctnn::data::read_cifar10_batches(files);
  } catch (const ctnn::data::data_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(planes_become_hwc) {
  scratch s;
  std::vector<std::uint8_t> rec(2 * 3073);
  rec[0] = 4;
  rec[3073] = 9;
  for (std::size_t p = 0; p < 1024; ++p) {
    rec[1 + p] = 255;                      // red plane of image 0: all 255
    rec[1 + 2048 + p] = p == 33 ? 51 : 0;  // blue of pixel (1, 1) is 51
  }
  const auto f = s.write("two.bin", rec);
  const auto set = ctnn::data::read_cifar10_batches({f, f});
  BOOST_TEST(set.size() == 4u);
  BOOST_TEST(set.labels[0] == 4);
  BOOST_TEST(set.labels[1] == 9);
  BOOST_TEST(set.labels[2] == 4);
  BOOST_TEST(set.images(0, 0) == 1.0f);                     // (0, 0) red
  BOOST_TEST(set.images(1, 0) == 0.0f);                     // (0, 0) green
  BOOST_TEST(set.images((1 * 32 + 1) * 3 + 2, 0) == 0.2f);  // (1, 1) blue
  BOOST_TEST(set.images.col(1).sum() == 0.0f);
}

BOOST_AUTO_TEST_CASE(bad_files_are_named_with_what_is_wrong) {
  scratch s;
  std::vector<std::uint8_t> good(3073, 1);
  std::vector<std::uint8_t> short_one(3072, 1), bad_label(2 * 3073, 1);
  bad_label[3073] = 10;
  BOOST_TEST(message({s.write("short.bin", short_one)}).find("not a whole number of 3073-byte records") !=
             std::string::npos);
  BOOST_TEST(message({s.write("label.bin", bad_label)}).find("has label 10 in record 1") !=
             std::string::npos);
  BOOST_TEST(message({s.write("empty.bin", {})}).find("is empty") != std::string::npos);
  BOOST_TEST(message({s.write("good.bin", good), s.dir / "missing.bin"}).find("missing.bin': no such file") !=
             std::string::npos);
  BOOST_TEST(message({s.write("good.bin", good)}).empty());
}
