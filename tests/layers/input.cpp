// Tests for ctnn/layers/input.hpp.
#define BOOST_TEST_MODULE input
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>

using namespace ctnn;

static_assert(std::is_same_v<Input<28, 28, 1>::shape_type, shape<28, 28, 1>>);
static_assert(Input<784>::check() && Input<3, 4>::check());
static_assert(detail::is_input<Input<5>> && !detail::is_input<Dense<5>>);
static_assert(std::is_same_v<Sequential<Input<32, 32, 3>>::input_shape, shape<32, 32, 3>>);
static_assert(Sequential<Input<32, 32, 3>>::depth == 0);

BOOST_AUTO_TEST_CASE(a_network_of_only_an_input_is_the_identity) {
  Sequential<Input<3>> net;
  const Eigen::Matrix<float, 3, 1> x(1, 2, 3);
  BOOST_TEST((net.predict(x) - x).norm() == 0.0f);
}
