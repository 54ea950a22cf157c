// Tests for ctnn/layers/pool2d.hpp.
#define BOOST_TEST_MODULE pool2d
#include <ctnn/ctnn.hpp>

#include "support/check.hpp"

using namespace ctnn;

static_assert(std::is_same_v<MaxPool2D<2, 2>::output_shape<shape<24, 24, 64>>, shape<12, 12, 64>>);
static_assert(std::is_same_v<MaxPool2D<2, 2>::output_shape<shape<5, 7, 3>>, shape<2, 3, 3>>);  // floor
static_assert(std::is_same_v<AveragePool2D<3, 2>::output_shape<shape<7, 5, 1>>, shape<2, 2, 1>>);
static_assert(std::is_same_v<GlobalAveragePool2D::output_shape<shape<6, 6, 64>>, shape<64>>);

BOOST_AUTO_TEST_CASE(values_by_hand) {
  // One channel, 3x4 image (row by row): a 2x2 pool keeps the top two rows, two windows.
  Eigen::Matrix<float, 12, 1> x;
  x << 1, 5, 2, 0,  //
      3, 4, 8, 6,   //
      9, 9, 9, 9;
  Sequential<Input<3, 4, 1>, MaxPool2D<2, 2>> max;
  Sequential<Input<3, 4, 1>, AveragePool2D<2, 2>> avg;
  Sequential<Input<3, 4, 1>, GlobalAveragePool2D> global;
  BOOST_TEST(max.predict(x)[0] == 5.0f);
  BOOST_TEST(max.predict(x)[1] == 8.0f);
  BOOST_TEST(avg.predict(x)[0] == 3.25f);
  BOOST_TEST(avg.predict(x)[1] == 4.0f);
  BOOST_TEST(global.predict(x)[0] == 65.0f / 12.0f, boost::test_tools::tolerance(1e-6f));
  // Two channels: values interleave (channels fastest), each pooled on its own.
  Eigen::Matrix<float, 8, 1> two;
  two << 1, -1, 2, -2, 3, -3, 4, -4;  // 2x2 image, channel 0 = 1..4, channel 1 = -1..-4
  Sequential<Input<2, 2, 2>, MaxPool2D<2, 2>> max2;
  BOOST_TEST(max2.predict(two)[0] == 4.0f);
  BOOST_TEST(max2.predict(two)[1] == -1.0f);
}

BOOST_AUTO_TEST_CASE(gradients) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<MaxPool2D<2, 2>, shape<5, 4, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<MaxPool2D<3, 1>, shape<7, 2, 1>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<AveragePool2D<2, 3>, shape<5, 7, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GlobalAveragePool2D, shape<3, 4, 5>, 2>()));
}
