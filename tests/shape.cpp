// Tests for ctnn/shape.hpp and ctnn/fraction.hpp.
#define BOOST_TEST_MODULE shape
#include <boost/test/unit_test.hpp>
#include <ctnn/fraction.hpp>
#include <ctnn/shape.hpp>

using ctnn::shape;

static_assert(shape<784>::rank == 1 && shape<784>::size == 784);
static_assert(shape<28, 28, 1>::rank == 3 && shape<28, 28, 1>::size == 784);
static_assert(shape<26, 26, 32>::dims[2] == 32);
static_assert(ctnn::Shape<shape<3, 4>>);
static_assert(!ctnn::Shape<int>);

BOOST_AUTO_TEST_CASE(prints_like_keras) {
  BOOST_TEST((shape<28, 28, 1>::to_string() == "(28, 28, 1)"));
  BOOST_TEST(shape<10>::to_string() == "(10,)");
}

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
