// Tests for ctnn/shape.hpp.
#define BOOST_TEST_MODULE shape
#include <boost/test/unit_test.hpp>
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
