// Tests for ctnn/layers/flatten.hpp and ctnn/layers/input.hpp.
#define BOOST_TEST_MODULE flatten
#include <ctnn/ctnn.hpp>

#include "support/check.hpp"

using namespace ctnn;

using Images = Sequential<Input<28, 28>, Flatten, Dense<10>>;
static_assert(std::is_same_v<Images::input_shape, shape<28, 28>>);
static_assert(std::is_same_v<Images::shape_at<1>, shape<784>>);
static_assert(Images::parameter_count == 7850);
static_assert(std::is_same_v<Sequential<Input<4, 3, 2>, Flatten>::output_shape, shape<24>>);

BOOST_AUTO_TEST_CASE(flatten_keeps_the_order_of_values) {
  Sequential<Input<2, 3>, Flatten> net;
  Eigen::Matrix<float, 6, 1> x;
  x << 1, 2, 3, 4, 5, 6;
  BOOST_TEST((net.predict(x) - x).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(gradients) {
  CTNN_CHECK_GRADIENTS((testing::check_layer_gradients<Flatten, shape<3, 4, 2>, 2>()));
}
