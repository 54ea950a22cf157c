// Tests for ctnn/history.hpp.
#define BOOST_TEST_MODULE history
#include <boost/test/unit_test.hpp>
#include <ctnn/history.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

BOOST_AUTO_TEST_CASE(records_series_and_writes_csv) {
  ctnn::history h;
  h.record("loss", 0.5);
  h.record("accuracy", 0.9);
  h.record("loss", 0.25);
  h.record("accuracy", 0.95);
  BOOST_TEST(h.epochs() == 2u);
  BOOST_TEST(h["loss"][1] == 0.25);
  BOOST_TEST(h.has("accuracy"));
  BOOST_CHECK_THROW(h["val_loss"], std::out_of_range);
  const auto file = std::filesystem::temp_directory_path() / "ctnn_history_test.csv";
  h.write_csv(file);
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  BOOST_TEST(s.str() == "epoch,loss,accuracy\n1,0.5,0.9\n2,0.25,0.95\n");
  std::filesystem::remove(file);
  BOOST_CHECK_THROW(h.write_csv("/nonexistent-dir/h.csv"), std::runtime_error);
}
