// Tests for ctnn/error.hpp: the verdicts the diagnostic types carry (their messages are checked by
// the compile-fail tests).
#define BOOST_TEST_MODULE error
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>

using namespace ctnn;

static_assert(error::at_layer<1, Dense<3>, shape<4>>::ok);
static_assert(error::at_layer<2, Conv2D<8, 3, 3>, shape<5, 5, 1>>::ok);
static_assert(
    error::at_loss<CategoricalCrossEntropy, shape<10>, Eigen::Matrix<float, 10, Eigen::Dynamic>>::ok);
static_assert(error::at_loss<SparseCategoricalCrossEntropy, shape<10>, std::vector<int>>::ok);
static_assert(!detail::always_false<int, float>);

BOOST_AUTO_TEST_CASE(a_valid_network_is_valid) {
  BOOST_TEST((Sequential<Input<4>, Dense<3>, Softmax>::valid));
}
