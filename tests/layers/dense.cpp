// Tests for ctnn/layers/dense.hpp.
#define BOOST_TEST_MODULE dense
#include <ctnn/ctnn.hpp>

#include "support/check.hpp"

using namespace ctnn;

using D = Dense<3>::bind<shape<5>, float>;
static_assert(std::is_same_v<D::output_shape, shape<3>>);
static_assert(D::parameter_count == 18);
static_assert(D::storage_size % 16 == 0 && D::storage_size >= 18);
static_assert(Sequential<Input<784>, Dense<512>>::parameter_count == 401'920);

BOOST_AUTO_TEST_CASE(forward_is_w_x_plus_b_for_a_sample_and_a_batch) {
  using Net = Sequential<Input<5>, Dense<3>>;
  Net net(3);
  auto layer = net.layer<0>();
  layer.bias() << 0.5f, -1.0f, 2.0f;
  const Eigen::Matrix<float, 5, 1> x = Eigen::Matrix<float, 5, 1>::Random();
  const Eigen::Matrix<float, 3, 1> expected = layer.weights() * x + layer.bias();
  BOOST_TEST((net.predict(x) - expected).norm() < 1e-6);

  Net::workspace<4> ws;
  Eigen::Matrix<float, 5, Eigen::Dynamic> batch = Eigen::Matrix<float, 5, Eigen::Dynamic>::Random(5, 4);
  Eigen::MatrixXf y = net.forward(ws, batch);
  for (int j = 0; j < 4; ++j) {
    const Eigen::Matrix<float, 5, 1> column = batch.col(j);
    BOOST_TEST((y.col(j) - net.predict(column)).norm() < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(gradients_on_several_shapes) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Dense<1>, shape<1>, 1>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Dense<3>, shape<5>, 1>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Dense<4>, shape<17>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Dense<40>, shape<3>, 7>()));
  // Large enough for the blocked product (m n k above the coefficient-wise limit) in all three products.
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Dense<50>, shape<40>, 16>()));
}

BOOST_AUTO_TEST_CASE(gradients_accumulate_until_zeroed) {
  using Net = Sequential<Input<4>, Dense<2>>::rebind<double>;
  Net net(1);
  Net::workspace<2> ws;
  const Eigen::Matrix<double, 4, 2> x = Eigen::Matrix<double, 4, 2>::Random();
  net.forward(ws, x);
  ws.output_gradient().setOnes();
  net.zero_gradients();
  net.backward(ws);
  const Eigen::VectorXd once = net.gradients();
  net.backward(ws);
  BOOST_TEST((net.gradients() - 2 * once).norm() < 1e-12);
  net.zero_gradients();
  BOOST_TEST(net.gradients().norm() == 0.0);
}

BOOST_AUTO_TEST_CASE(he_initialiser_on_request) {
  using Net = Sequential<Input<400>, Dense<300, HeUniform>>;
  auto net = std::make_unique<Net>(2);
  const float limit = std::sqrt(6.0f / 400.0f);
  BOOST_TEST(net->layer<0>().weights().cwiseAbs().maxCoeff() <= limit);
  BOOST_TEST(net->layer<0>().weights().cwiseAbs().maxCoeff() > 0.99f * limit);
  BOOST_TEST(net->layer<0>().bias().norm() == 0.0f);
}

// One unit over a batch large enough for the blocked product: Eigen stores the 1 x n weights and the
// 1 x batch output row-major, whose outer stride is their length, not the 1 a column-major product
// reads (the product once read past the weights here).
BOOST_AUTO_TEST_CASE(one_unit_over_a_large_batch_is_each_sample_s_product) {
  using Net = Sequential<Input<148>, Dense<1>>;
  Net net(3);
  Net::workspace<128> ws;
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(148, 128);
  ws.input(128) = x;
  const Eigen::MatrixXf y = net.forward(ws, mode::inference);
  for (Eigen::Index j = 0; j < 128; ++j) {
    const Eigen::Matrix<float, 148, 1> xj = x.col(j);
    BOOST_TEST(std::abs(y(0, j) - net.predict(xj)(0)) < 1e-4f);
  }
}
