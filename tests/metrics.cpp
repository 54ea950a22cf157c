// Tests for ctnn/metrics.hpp, on a confusion matrix worked out by hand.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>
#include <ctnn/metrics.hpp>
#include <sstream>

using boost::test_tools::tolerance;

BOOST_AUTO_TEST_CASE(three_classes_by_hand) {
  // truth -> predicted: class 0: 3 right, 1 as 1; class 1: 2 right, 2 as 2; class 2: 1 right.
  ctnn::confusion_matrix cm(3);
  for (int i = 0; i < 3; ++i) cm.add(0, 0);
  cm.add(0, 1);
  cm.add(1, 1), cm.add(1, 1), cm.add(1, 2), cm.add(1, 2);
  cm.add(2, 2);
  BOOST_TEST(cm.total() == 9u);
  BOOST_TEST(cm.accuracy() == 6.0 / 9.0, tolerance(1e-12));
  BOOST_TEST(cm.precision(0) == 1.0, tolerance(1e-12));
  BOOST_TEST(cm.precision(1) == 2.0 / 3.0, tolerance(1e-12));
  BOOST_TEST(cm.precision(2) == 1.0 / 3.0, tolerance(1e-12));
  BOOST_TEST(cm.recall(0) == 0.75, tolerance(1e-12));
  BOOST_TEST(cm.recall(1) == 0.5, tolerance(1e-12));
  BOOST_TEST(cm.recall(2) == 1.0, tolerance(1e-12));
  BOOST_TEST(cm.f1(1) == 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), tolerance(1e-12));
  BOOST_TEST(cm.macro_precision() == (1 + 2.0 / 3 + 1.0 / 3) / 3, tolerance(1e-12));
  BOOST_TEST(cm.macro_recall() == (0.75 + 0.5 + 1.0) / 3, tolerance(1e-12));
  BOOST_TEST(cm.value(ctnn::metric::f1) == cm.macro_f1());
  std::ostringstream os;
  os << cm;
  BOOST_TEST(os.str().find("true\\pred") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_classes_count_as_zero_not_nan) {
  ctnn::confusion_matrix cm(2);
  cm.add(0, 0);
  BOOST_TEST(cm.precision(1) == 0.0);
  BOOST_TEST(cm.recall(1) == 0.0);
  BOOST_TEST(cm.f1(1) == 0.0);
  cm.clear();
  BOOST_TEST(cm.total() == 0u);
  BOOST_TEST(cm.accuracy() == 0.0);
}
