// Tests for ctnn/io.hpp: save and load round trips, every way a file can be wrong, and atomic saving
// under a real write failure (a file-size limit, set with setrlimit, hit mid-write).
#define BOOST_TEST_MODULE io
#include <sys/resource.h>

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <ctnn/ctnn.hpp>
#include <ctnn/data/one_hot.hpp>
#include <ctnn/io.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

using namespace ctnn;
namespace fs = std::filesystem;

namespace {
using Mlp = Sequential<Input<6>, Dense<8>, ReLU, Dense<3>, Softmax>;
using Cnn =
    Sequential<Input<8, 8, 2>, Conv2D<4, 3, 3, Padding::same>, ReLU, MaxPool2D<2, 2>, Flatten, Dense<5>>;

struct scratch {
  fs::path dir = fs::temp_directory_path() / ("ctnn_io_test_" + std::to_string(::getpid()));
  scratch() { fs::create_directories(dir); }
  ~scratch() { fs::remove_all(dir); }
};
std::vector<std::uint8_t> bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
// The message load throws, or "" when it does not throw.
template <class Net>
std::string load_message(Net& net, const fs::path& p) {
  try {
    load(net, p);
  } catch (const load_error& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& part) {
  BOOST_TEST_INFO("message: " << s);
  return s.find(part) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(round_trips_are_exact) {
  scratch s;
  auto a = std::make_unique<Cnn>(1), b = std::make_unique<Cnn>(2);
  a->layer<0>().bias().setRandom();
  save(*a, s.dir / "cnn.ctnn");
  BOOST_TEST((a->parameters() - b->parameters()).norm() > 0.0f);
  load(*b, s.dir / "cnn.ctnn");
  BOOST_TEST((a->parameters().array() == b->parameters().array()).all());
  const Eigen::Matrix<float, 128, 1> x = Eigen::Matrix<float, 128, 1>::Random();
  BOOST_TEST((a->predict(x).array() == b->predict(x).array()).all());

  using Double = Mlp::rebind<double>;
  Double c(3), d(4);
  save(c, s.dir / "double.ctnn");
  load(d, s.dir / "double.ctnn");
  BOOST_TEST((c.parameters().array() == d.parameters().array()).all());
  // The file is what docs/format.md says: magic, version 2, kind 1, its own size, then the checksum.
  const auto f = bytes_of(s.dir / "double.ctnn");
  BOOST_TEST(f[0] == 0x89);
  BOOST_TEST(std::string(f.begin() + 1, f.begin() + 5) == "CTNN");
  BOOST_TEST(f[8] == 2);
  BOOST_TEST(f[12] == 1);
  BOOST_TEST(f[16] + 256 * f[17] == static_cast<int>(f.size()));
  BOOST_TEST(f[24] == 8);  // double
  const std::uint32_t crc = f[f.size() - 4] | f[f.size() - 3] << 8 | f[f.size() - 2] << 16 |
                            static_cast<std::uint32_t>(f[f.size() - 1]) << 24;
  BOOST_TEST(crc == format::crc32(std::span(f).first(f.size() - 4)));
  BOOST_TEST(
      format::crc32(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>("123456789"), 9)) ==
      0xcbf43926u);  // the standard CRC-32 check value
}

BOOST_AUTO_TEST_CASE(each_kind_of_bad_file_is_named) {
  scratch s;
  Mlp net(1);
  save(net, s.dir / "good.ctnn");
  const auto good = bytes_of(s.dir / "good.ctnn");
  Mlp target(9);
  const Eigen::VectorXf before = target.parameters();

  BOOST_TEST(has(load_message(target, s.dir / "missing.ctnn"), "missing.ctnn': no such file"));
  write_bytes(s.dir / "text.ctnn", {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  BOOST_TEST(has(load_message(target, s.dir / "text.ctnn"), "not a ctnn file"));
  auto v3 = good;
  v3[8] = 3;
  write_bytes(s.dir / "v3.ctnn", v3);
  BOOST_TEST(
      has(load_message(target, s.dir / "v3.ctnn"), "format version 3; this ctnn reads versions 1 to 2"));
  auto cut = good;
  cut.resize(good.size() - 10);
  write_bytes(s.dir / "cut.ctnn", cut);
  BOOST_TEST(has(load_message(target, s.dir / "cut.ctnn"), "truncated"));
  auto flipped = good;
  flipped[good.size() - 20] ^= 0x10;
  write_bytes(s.dir / "flipped.ctnn", flipped);
  const std::string flip = load_message(target, s.dir / "flipped.ctnn");
  // The whole range the checksum covers, not the end of the header field last read.
  BOOST_TEST(has(flip, "checksum mismatch over bytes 0-" + std::to_string(good.size() - 5)), flip);
  BOOST_TEST(!has(flip, "at byte"), flip);

  using Other = Sequential<Input<6>, Dense<8>, ReLU, Dense<4>, Softmax>;
  Other other;
  BOOST_TEST(
      has(load_message(other, s.dir / "good.ctnn"),
          "a different architecture: layer 2 is Dense (8,) -> (3,), 27 parameters in the file but Dense (8,) "
          "-> (4,), 36 parameters in the model"));
  Mlp::rebind<double> wider;
  BOOST_TEST(has(load_message(wider, s.dir / "good.ctnn"),
                 "holds float (32-bit) parameters; the model is over double (64-bit)"));
  Mlp bad(1);
  bad.layer<2>().weights()(1, 2) = std::numeric_limits<float>::infinity();
  save(bad, s.dir / "inf.ctnn");
  BOOST_TEST(
      has(load_message(target, s.dir / "inf.ctnn"), "layer 2's kernel holds a non-finite value (inf)"));

  BOOST_TEST((target.parameters() - before).norm() == 0.0f);  // every failed load left it alone
}

BOOST_AUTO_TEST_CASE(any_changed_or_missing_byte_is_caught) {
  scratch s;
  using Tiny = Sequential<Input<3>, Dense<2>, Sigmoid>;
  Tiny net(5), target(6);
  save(net, s.dir / "tiny.ctnn");
  const auto good = bytes_of(s.dir / "tiny.ctnn");
  std::size_t caught = 0, tried = 0;
  for (std::size_t i = 0; i < good.size(); ++i)
    for (std::uint8_t bit : {0x01, 0x80}) {
      auto b = good;
      b[i] ^= bit;
      write_bytes(s.dir / "bad.ctnn", b);
      ++tried;
      caught += !load_message(target, s.dir / "bad.ctnn").empty();
    }
  for (std::size_t n = 0; n < good.size(); ++n) {
    write_bytes(s.dir / "bad.ctnn",
                std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<long>(n)));
    ++tried;
    caught += !load_message(target, s.dir / "bad.ctnn").empty();
  }
  auto longer = good;
  longer.push_back(0);
  write_bytes(s.dir / "bad.ctnn", longer);
  ++tried;
  caught += !load_message(target, s.dir / "bad.ctnn").empty();
  BOOST_TEST(caught == tried);
  BOOST_TEST((target.parameters() - Tiny(6).parameters()).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(a_save_that_fails_mid_write_keeps_the_previous_file) {
  scratch s;
  auto small = std::make_unique<Cnn>(1);
  const fs::path file = s.dir / "model.ctnn";
  save(*small, file);
  const auto previous = bytes_of(file);
  // A file-size limit below the file's size: the write fails part-way (EFBIG), as on a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  getrlimit(RLIMIT_FSIZE, &old);
  rlimit limit = old;
  limit.rlim_cur = previous.size() / 2;
  BOOST_REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  auto other = std::make_unique<Cnn>(2);
  std::string message;
  try {
    save(*other, file);
  } catch (const save_error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, SIG_DFL);
  BOOST_TEST(has(message, "model.ctnn"));
  BOOST_TEST((bytes_of(file) == previous));  // untouched, byte for byte
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(s.dir)) ++files;
  BOOST_TEST(files == 1u);  // and no temporary file left behind
  auto check = std::make_unique<Cnn>(3);
  load(*check, file);
  BOOST_TEST((check->parameters().array() == small->parameters().array()).all());
}

BOOST_AUTO_TEST_CASE(saving_into_a_missing_folder_says_so) {
  Mlp net;
  try {
    save(net, "/nonexistent-ctnn-folder/model.ctnn");
    BOOST_TEST(false, "save should have thrown");
  } catch (const save_error& e) {
    BOOST_TEST(has(e.what(), "cannot create a temporary file"));
  }
}

BOOST_AUTO_TEST_CASE(resuming_from_a_checkpoint_is_bit_identical) {
  // Dropout, shuffling, Adam's counter and two threads: everything that carries from epoch to epoch.
  using Net = Sequential<Input<10>, Dense<16>, ReLU, Dropout<0.3>, Dense<3>, Softmax>;
  scratch s;
  const Eigen::Matrix<float, 10, Eigen::Dynamic> x =
      Eigen::Matrix<float, 10, Eigen::Dynamic>::Random(10, 200);
  std::vector<int> y(200);
  for (std::size_t i = 0; i < y.size(); ++i)
    y[i] = x(0, static_cast<Eigen::Index>(i)) > 0 ? 1 : 2 * (x(1, static_cast<Eigen::Index>(i)) > 0);
  auto options = [&](std::size_t epochs) {
    fit_options o{.epochs = epochs, .batch_size = 16, .seed = 3, .verbose = 0, .threads = 2};
    o.checkpoint = s.dir / "run.ckpt";
    o.best_model = s.dir / "best.ctnn";
    o.best_monitor = "val_accuracy";
    return o;
  };
  Net whole(1);
  trainer t1(whole, SparseCategoricalCrossEntropy{}, Adam{});
  const history full = t1.fit(x, y, x, y, options(5));

  Net first(1);
  trainer t2(first, SparseCategoricalCrossEntropy{}, Adam{});
  t2.fit(x, y, x, y, options(2));  // "interrupted" after two epochs; the checkpoint holds epoch 2
  Net resumed(99);
  trainer t3(resumed, SparseCategoricalCrossEntropy{}, Adam{});
  t3.load_checkpoint(s.dir / "run.ckpt");
  const history rest = t3.fit(x, y, x, y, options(5));
  BOOST_TEST((resumed.parameters().array() == whole.parameters().array()).all());
  BOOST_TEST(t3.optimizer().state().iterations == t1.optimizer().state().iterations);
  BOOST_TEST(rest.epochs() == 5u);
  BOOST_TEST(rest["loss"] == full["loss"], boost::test_tools::per_element());

  // The best model is the epoch with the best validation accuracy.
  Net best(7);
  load(best, s.dir / "best.ctnn");
  trainer tb(best, SparseCategoricalCrossEntropy{}, Adam{});
  const auto& acc = full["val_accuracy"];
  BOOST_TEST(tb.evaluate(x, y).accuracy() == *std::max_element(acc.begin(), acc.end()),
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_checkpoint_is_not_a_model_and_needs_its_optimiser) {
  scratch s;
  Mlp net(1);
  trainer t(net, CategoricalCrossEntropy{}, RMSprop{});
  const Eigen::Matrix<float, 6, Eigen::Dynamic> x = Eigen::Matrix<float, 6, Eigen::Dynamic>::Random(6, 8);
  const auto y = data::one_hot<3>(std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1});
  t.fit(x, y, {.epochs = 1, .verbose = 0});
  t.save_checkpoint(s.dir / "c.ckpt");
  Mlp other(2);
  BOOST_TEST(
      has(load_message(other, s.dir / "c.ckpt"), "is a training checkpoint; load it with load_checkpoint"));
  save(net, s.dir / "m.ctnn");
  trainer ta(other, CategoricalCrossEntropy{}, Adam{});
  auto message = [&](const fs::path& p) -> std::string {
    try {
      ta.load_checkpoint(p);
    } catch (const load_error& e) {
      return e.what();
    }
    return "";
  };
  BOOST_TEST(has(message(s.dir / "m.ctnn"), "is a model file, not a training checkpoint"));
  const Eigen::VectorXf before = other.parameters();
  BOOST_TEST(has(message(s.dir / "c.ckpt"), "was made with RMSprop; this trainer's optimiser is Adam"));
  BOOST_TEST((other.parameters() - before).norm() == 0.0f);
}

// Version 1 files (before buffers existed) are version 2 files without the buffer count after the
// tensors: they still load, into networks without buffers.
std::vector<std::uint8_t> as_version_1(std::vector<std::uint8_t> v2) {
  BOOST_REQUIRE(v2[8] == 2);
  v2.resize(v2.size() - 4);                                         // the checksum
  BOOST_REQUIRE(v2[v2.size() - 4] == 0 && v2[v2.size() - 1] == 0);  // no buffers
  v2.resize(v2.size() - 4);
  v2[8] = 1;
  const std::uint64_t size = v2.size() + 4;
  for (int i = 0; i < 8; ++i)
    v2[format::size_offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(size >> (8 * i));
  const std::uint32_t crc = format::crc32(v2);
  for (int i = 0; i < 4; ++i) v2.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  return v2;
}

BOOST_AUTO_TEST_CASE(version_1_files_still_load) {
  scratch s;
  auto a = std::make_unique<Cnn>(1), b = std::make_unique<Cnn>(2);
  save(*a, s.dir / "v2.ctnn");
  write_bytes(s.dir / "v1.ctnn", as_version_1(bytes_of(s.dir / "v2.ctnn")));
  load(*b, s.dir / "v1.ctnn");
  BOOST_TEST((a->parameters().array() == b->parameters().array()).all());
  // A network with buffers loads them from version 2 files; a version 1 file cannot have had them.
  using Normalised = Sequential<Input<6>, Dense<8>, BatchNormalization<>, ReLU, Dense<3>, Softmax>;
  Normalised n(1), m(2);
  Normalised::workspace<4> ws;
  n.forward(ws, Eigen::Matrix<float, 6, 4>::Random().eval(), mode::training);
  n.update_buffers(ws);  // moving statistics off their initial values
  save(n, s.dir / "bn.ctnn");
  BOOST_TEST(load_message(m, s.dir / "bn.ctnn") == "");
  BOOST_TEST((m.buffers().array() == n.buffers().array()).all());
  auto old = bytes_of(s.dir / "bn.ctnn");
  old[8] = 1;
  old.resize(old.size() - 4);
  const std::uint32_t crc = format::crc32(old);
  for (int i = 0; i < 4; ++i) old.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  write_bytes(s.dir / "bn_v1.ctnn", old);
  BOOST_TEST(has(load_message(m, s.dir / "bn_v1.ctnn"), "is a version 1 file, which holds no buffers"));
}
