// Tests for ctnn/data/locate.hpp.
#define BOOST_TEST_MODULE locate
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <ctnn/data/locate.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
namespace {
struct temp_dir {
  static inline int count = 0;
  fs::path path = fs::temp_directory_path() /
                  ("ctnn_locate_test_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};
void write_raw(const fs::path& p) {
  std::ofstream(p) << 'x';
}
bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(locate_says_where_it_looked) {
  temp_dir d;
  fs::create_directories(d.path / "mnist");
  write_raw(d.path / "mnist" / "probe.bin");
  BOOST_TEST(ctnn::data::locate("mnist", "probe.bin", d.path) == d.path / "mnist");
  try {
    ctnn::data::locate("nothing", "absent.bin", d.path);
    BOOST_FAIL("locate found a file that does not exist");
  } catch (const ctnn::data::data_error& e) {
    const std::string m = e.what();
    BOOST_TEST(has(m, (d.path / "nothing" / "absent.bin").string()), m);
    BOOST_TEST(has(m, "shared/data"), m);
    BOOST_TEST(has(m, "CTNN_DATA_DIR"), m);
    BOOST_TEST(has(m, "load_mnist(dir)"), m);  // the loader's argument, not only the examples' flag
    BOOST_TEST(has(m, (fs::current_path() / "data" / "nothing" / "absent.bin").string()),
               m);  // absolute paths
  }
}

BOOST_AUTO_TEST_CASE(the_search_order) {
  temp_dir flag, env;
  fs::create_directories(env.path / "mnist");
  write_raw(env.path / "mnist" / "probe.bin.gz");
  write_raw(flag.path / "probe.bin");
  ::setenv("CTNN_DATA_DIR", env.path.c_str(), 1);
  const auto roots = ctnn::data::data_roots(flag.path);
  BOOST_REQUIRE(roots.size() == 4u);
  BOOST_TEST(roots[0] == flag.path);
  BOOST_TEST(roots[1] == env.path);
  BOOST_TEST(roots[2] == fs::path("data"));
  BOOST_TEST(roots[3] == fs::path("../shared/data"));
  BOOST_TEST(ctnn::data::locate("mnist", "probe.bin", flag.path) == flag.path);  // the flag first, then
  BOOST_TEST(ctnn::data::locate("mnist", "probe.bin") == env.path / "mnist");    // the variable (.gz counts)
  ::unsetenv("CTNN_DATA_DIR");
}
