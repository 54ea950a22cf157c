// Tests for ctnn/optimizers/optimizer.hpp: state sized from the network, steps on the real
// parameters, alignment padding untouched.
#define BOOST_TEST_MODULE optimizer
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/ctnn.hpp>
#include <limits>
#include <memory>
#include <vector>

using namespace ctnn;
using Net = Sequential<Input<3>, Dense<2>, Tanh, Dense<1>>;
static_assert(Net::storage_size > Net::parameter_count);  // there is padding to keep at zero

BOOST_AUTO_TEST_CASE(a_step_moves_every_parameter_against_its_gradient) {
  Net net(1);
  Net::workspace<4> ws;
  const Eigen::Matrix<float, 3, 4> x = Eigen::Matrix<float, 3, 4>::Random();
  const Eigen::Matrix<float, 1, 4> t = Eigen::Matrix<float, 1, 4>::Random();
  optimizer<Net, SGD> sgd(SGD{.learning_rate = 0.05});
  const Eigen::VectorXf before = net.parameters();
  net.forward(ws, x, mode::training);
  net.zero_gradients();
  const float loss_before = net.backward(ws, MeanSquaredError{}, t);
  const Eigen::VectorXf g = net.gradients();
  sgd.step(net);
  BOOST_TEST((Eigen::VectorXf(net.parameters()) - (before - 0.05f * g)).norm() < 1e-6f);
  net.forward(ws, x, mode::training);
  BOOST_TEST(net.loss(ws, MeanSquaredError{}, t) < loss_before);
  std::size_t covered = 0;
  net.for_each_tensor(
      [&](std::size_t, std::string_view, tensor_info info, float*, float*) { covered += info.size(); });
  BOOST_TEST(covered == Net::parameter_count);
  BOOST_TEST(sgd.settings().learning_rate == 0.05);
}

namespace {
// One step of `opt` through backward_step, against zero_gradients + backward + step on a copy.
template <class N, class Spec, class X, class T, class L>
double fused_against_separate(const Spec& spec, const X& x, const T& t, L loss) {
  auto a = std::make_unique<N>(4), b = std::make_unique<N>(4);
  auto ws = std::make_unique<typename N::template workspace<8>>();
  optimizer<N, Spec> oa(spec), ob(spec);
  a->forward(*ws, x, mode::training);
  const auto la = oa.backward_step(*a, *ws, loss, t);
  b->forward(*ws, x, mode::training);
  b->zero_gradients();
  const auto lb = b->backward(*ws, loss, t);
  ob.step(*b);
  BOOST_TEST(la == lb);
  BOOST_TEST((Eigen::VectorXd(b->parameters()) - Eigen::VectorXd(N(4).parameters())).norm() > 0.0);
  return static_cast<double>((a->parameters() - b->parameters()).cwiseAbs().maxCoeff());
}
}  // namespace

// Plain SGD is applied inside backward (Dense in its own products, Conv2D through its gradient slice);
// the result is the separate step's up to rounding. Any other optimiser takes the separate path.
BOOST_AUTO_TEST_CASE(backward_step_fuses_plain_sgd_and_matches_the_separate_step) {
  using Mlp = Sequential<Input<3>, Dense<5>, Tanh, Dense<40>, ReLU, Dense<2>, Softmax>::rebind<double>;
  using Cnn =
      Sequential<Input<6, 6, 2>, Conv2D<3, 3, 3>, ReLU, MaxPool2D<2, 2>, Flatten, Dense<4>>::rebind<double>;
  const Eigen::Matrix<double, 3, 8> x = Eigen::Matrix<double, 3, 8>::Random();
  const std::vector<int> labels{0, 1, 1, 0, 1, 0, 0, 1};
  const Eigen::Matrix<double, 72, 8> images = Eigen::Matrix<double, 72, 8>::Random();
  const Eigen::Matrix<double, 4, 8> targets = Eigen::Matrix<double, 4, 8>::Random();
  BOOST_TEST(fused_against_separate<Mlp>(SGD{.learning_rate = 0.3}, x, labels,
                                         SparseCategoricalCrossEntropy{}) < 1e-14);
  BOOST_TEST(fused_against_separate<Cnn>(SGD{.learning_rate = 0.1}, images, targets, MeanSquaredError{}) <
             1e-14);
  // The plain step on the MLP never touched the gradient buffer: Dense applied it in its products.
  auto mlp = std::make_unique<Mlp>(4);
  Mlp::workspace<8> ws;
  optimizer<Mlp, SGD> sgd(SGD{.learning_rate = 0.3});
  mlp->forward(ws, x, mode::training);
  sgd.backward_step(*mlp, ws, SparseCategoricalCrossEntropy{}, labels);
  BOOST_TEST(mlp->gradients().norm() == 0.0);
  BOOST_TEST((mlp->parameters() - Mlp(4).parameters()).norm() > 0.0);
  // Not plain: momentum, then Adam; the same arithmetic, so the same bits.
  BOOST_TEST(fused_against_separate<Mlp>(SGD{.learning_rate = 0.3, .momentum = 0.9}, x, labels,
                                         SparseCategoricalCrossEntropy{}) == 0.0);
  BOOST_TEST(fused_against_separate<Cnn>(Adam{}, images, targets, MeanSquaredError{}) == 0.0);
}

BOOST_AUTO_TEST_CASE(backward_step_with_a_loss_that_is_not_finite_updates_nothing) {
  Net net(1);
  Net::workspace<4> ws;
  const Eigen::Matrix<float, 3, 4> x = Eigen::Matrix<float, 3, 4>::Random();
  Eigen::Matrix<float, 1, 4> t = Eigen::Matrix<float, 1, 4>::Random();
  t(0, 2) = std::numeric_limits<float>::infinity();
  const Eigen::VectorXf before = net.parameters();
  for (double momentum : {0.0, 0.9}) {
    optimizer<Net, SGD> sgd(SGD{.learning_rate = 0.05, .momentum = momentum});
    net.forward(ws, x, mode::training);
    BOOST_TEST(!std::isfinite(sgd.backward_step(net, ws, MeanSquaredError{}, t)));
    BOOST_TEST((Eigen::VectorXf(net.parameters()).array() == before.array()).all());
  }
}
