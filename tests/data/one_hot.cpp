// Tests for ctnn/data/one_hot.hpp.
#define BOOST_TEST_MODULE one_hot
#include <boost/test/unit_test.hpp>
#include <ctnn/data/one_hot.hpp>
#include <vector>

BOOST_AUTO_TEST_CASE(one_hot_and_its_errors) {
  const std::vector<int> labels{2, 0, 1};
  const auto y = ctnn::data::one_hot<3>(labels);
  BOOST_TEST(y(2, 0) == 1.0f);
  BOOST_TEST(y(0, 1) == 1.0f);
  BOOST_TEST(y.sum() == 3.0f);
  const std::vector<int> bad{0, 3};
  BOOST_CHECK_THROW(ctnn::data::one_hot<3>(bad), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(double_targets_and_no_labels) {
  const std::vector<int> labels{1};
  const auto y = ctnn::data::one_hot<2, double>(labels);
  BOOST_TEST(y(0, 0) == 0.0);
  BOOST_TEST(y(1, 0) == 1.0);
  BOOST_TEST(ctnn::data::one_hot<4>(std::vector<int>{}).cols() == 0);
  BOOST_CHECK_THROW(ctnn::data::one_hot<3>(std::vector<int>{-1}), std::invalid_argument);
}
