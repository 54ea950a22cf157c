// Tests for ctnn/layers/dropout.hpp.
#define BOOST_TEST_MODULE dropout
#include <ctnn/ctnn.hpp>
#include <memory>

#include "support/check.hpp"

using namespace ctnn;
using Net = Sequential<Input<1000>, Dropout<0.25>>;

BOOST_AUTO_TEST_CASE(identity_in_inference) {
  auto net = std::make_unique<Net>();
  const Eigen::Matrix<float, 1000, 1> x = Eigen::Matrix<float, 1000, 1>::Random();
  BOOST_TEST((net->predict(x) - x).norm() == 0.0f);
  Net::workspace<4> ws;
  const Eigen::Matrix<float, 1000, 4> xb = Eigen::Matrix<float, 1000, 4>::Random();
  BOOST_TEST((net->forward(ws, xb, mode::inference) - xb).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(drops_the_rate_and_scales_the_rest_in_training) {
  auto net = std::make_unique<Net>();
  auto ws = std::make_unique<Net::workspace<8>>(3);
  const Eigen::Matrix<float, 1000, 8> x = Eigen::Matrix<float, 1000, 8>::Ones();
  const Eigen::MatrixXf y = net->forward(*ws, x, mode::training);
  const auto zeros = (y.array() == 0.0f).count();
  BOOST_TEST(zeros > 0.23 * 8000);
  BOOST_TEST(zeros < 0.27 * 8000);
  BOOST_TEST(((y.array() == 0.0f) || (y.array() - 1.0f / 0.75f).abs() < 1e-6f).all());
  BOOST_TEST(y.mean() == 1.0f, boost::test_tools::tolerance(0.03f));
}

BOOST_AUTO_TEST_CASE(masks_follow_the_seed) {
  auto net = std::make_unique<Net>();
  const Eigen::Matrix<float, 1000, 2> x = Eigen::Matrix<float, 1000, 2>::Ones();
  auto a = std::make_unique<Net::workspace<2>>(5), b = std::make_unique<Net::workspace<2>>(5),
       c = std::make_unique<Net::workspace<2>>(6);
  const Eigen::MatrixXf ya = net->forward(*a, x, mode::training), yb = net->forward(*b, x, mode::training),
                        yc = net->forward(*c, x, mode::training);
  BOOST_TEST((ya - yb).norm() == 0.0f);
  BOOST_TEST((ya - yc).norm() > 0.0f);
  const Eigen::MatrixXf next = net->forward(*a, x, mode::training);  // a new mask each batch
  BOOST_TEST((ya - next).norm() > 0.0f);
}

BOOST_AUTO_TEST_CASE(backward_uses_the_forward_mask) {
  using Small = Sequential<Input<64>, Dropout<0.5>>;
  Small net;
  Small::workspace<3> ws(9);
  const Eigen::Matrix<float, 64, 3> x = Eigen::Matrix<float, 64, 3>::Ones();
  const Eigen::MatrixXf y = net.forward(ws, x, mode::training);
  ws.output_gradient().setOnes();
  net.backward(ws, true);
  BOOST_TEST((ws.input_gradient() - y).norm() == 0.0f);  // dy = 1: dx is the mask, as y is for x = 1
}

BOOST_AUTO_TEST_CASE(gradients_with_a_fixed_mask) {
  CTNN_CHECK_GRADIENTS((testing::check_layer_gradients<Dropout<0.3>, shape<9>, 4>(1, 1e-5, mode::training)));
  CTNN_CHECK_GRADIENTS((testing::check_layer_gradients<Dropout<0.3>, shape<9>, 4>(1, 1e-5, mode::inference)));
  using Mlp = basic_sequential<double, Input<6>, Dense<8>, ReLU, Dropout<0.5>, Dense<3>, Softmax>;
  Mlp net(3);
  const Eigen::Matrix<double, 6, Eigen::Dynamic> x = Eigen::Matrix<double, 6, Eigen::Dynamic>::Random(6, 4);
  const std::vector<int> y{0, 1, 2, 1};
  CTNN_CHECK_GRADIENTS(
      (testing::check_network_gradients<Mlp, 4>(net, x, SparseCategoricalCrossEntropy{}, y)));
}

BOOST_AUTO_TEST_CASE(rate_zero_is_the_identity_even_in_training) {
  Sequential<Input<10>, Dropout<0.0>> net;
  decltype(net)::workspace<2> ws;
  const Eigen::Matrix<float, 10, 2> x = Eigen::Matrix<float, 10, 2>::Random();
  BOOST_TEST((net.forward(ws, x, mode::training) - x).norm() == 0.0f);
}
