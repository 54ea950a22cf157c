// Tests for ctnn/data/mnist.hpp on the real MNIST files (found as users find them: ctest runs this
// from the project's root, so ../shared/data is searched), and on small bad files.
#define BOOST_TEST_MODULE mnist
#include <boost/test/unit_test.hpp>
#include <ctnn/data/mnist.hpp>
#include <filesystem>
#include <fstream>

BOOST_AUTO_TEST_CASE(the_real_files_load_with_the_published_counts) {
  const auto m = ctnn::data::load_mnist();
  BOOST_TEST(m.train.size() == 60000u);
  BOOST_TEST(m.test.size() == 10000u);
  BOOST_TEST(m.train.images.cols() == 60000);
  BOOST_TEST(m.train.images.minCoeff() == 0.0f);
  BOOST_TEST(m.train.images.maxCoeff() == 1.0f);
  BOOST_TEST(m.train.labels[0] == 5);  // the first training image is a 5
  BOOST_TEST(m.test.labels[0] == 7);   // the first test image is a 7
  const int train_counts[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
  const int test_counts[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
  int tr[10] = {}, te[10] = {};
  for (int l : m.train.labels) ++tr[l];
  for (int l : m.test.labels) ++te[l];
  for (int c = 0; c < 10; ++c) {
    BOOST_TEST(tr[c] == train_counts[c]);
    BOOST_TEST(te[c] == test_counts[c]);
  }
}

BOOST_AUTO_TEST_CASE(images_and_labels_must_fit_each_other) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "ctnn_mnist_test";
  fs::create_directories(dir);
  auto write = [&](const char* name, std::vector<std::uint8_t> b) {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return dir / name;
  };
  std::vector<std::uint8_t> images{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
  images.resize(16 + 2 * 784, 7);
  const auto img = write("img", images);
  const auto three = write("three", {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
  const auto big = write("big", {0, 0, 8, 1, 0, 0, 0, 2, 1, 12});
  auto message = [](const fs::path& a, const fs::path& b) -> std::string {
    try {
      ctnn::data::read_mnist_pair(a, b);
    } catch (const ctnn::data::data_error& e) {
      return e.what();
    }
    return "";
  };
  BOOST_TEST(message(img, three).find("holds 2 images but") != std::string::npos);
  BOOST_TEST(message(img, big).find("has label 12 at index 1") != std::string::npos);
  BOOST_TEST(message(three, three)
                 .find("three' has the magic number of a label file (0x00000801); an image "
                       "file was expected here") != std::string::npos);
  // The labels swapped for an image file: named as such, not "truncated: its header promises ..."
  BOOST_TEST(message(img, img).find("img' has the magic number of an image file (0x00000803); a label file "
                                    "was expected here") != std::string::npos);
  std::vector<std::uint8_t> small{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4};
  small.resize(16 + 16, 1);
  BOOST_TEST(message(write("small", small), three).find("is not a file of 28x28 images") !=
             std::string::npos);
  fs::remove_all(dir);
}
