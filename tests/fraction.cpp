// Tests for ctnn/fraction.hpp.
#define BOOST_TEST_MODULE fraction
#include <boost/test/unit_test.hpp>
#include <ctnn/fraction.hpp>

template <ctnn::fraction F>
struct holder {
  static constexpr double value = F.as<double>();
};

BOOST_AUTO_TEST_CASE(fractions_as_template_arguments) {
  BOOST_TEST(holder<0.2>::value == 0.2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(holder<-0.35>::value == -0.35, boost::test_tools::tolerance(1e-12));
  constexpr double third = holder<ctnn::fraction{1, 3}>::value;
  BOOST_TEST(third == 1.0 / 3.0, boost::test_tools::tolerance(1e-15));
  static_assert(ctnn::fraction(0.5) == ctnn::fraction(0.5));
}
