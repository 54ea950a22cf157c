// Tests for ctnn/losses.hpp: values by hand, fused and unfused paths agreeing, gradient checks, and
// finite results for logits of magnitude 1e4.
#define BOOST_TEST_MODULE losses
#include <cmath>
#include <ctnn/ctnn.hpp>
#include <vector>

#include "support/check.hpp"

using namespace ctnn;
using boost::test_tools::tolerance;

static_assert(CategoricalCrossEntropy::fuses_with<Softmax> &&
              SparseCategoricalCrossEntropy::fuses_with<Softmax>);
static_assert(BinaryCrossEntropy::fuses_with<Sigmoid> && !BinaryCrossEntropy::fuses_with<Softmax>);
static_assert(!MeanSquaredError::fuses_with<Softmax> && !CategoricalCrossEntropy::fuses_with<Linear>);
static_assert(Loss<MeanSquaredError> && Loss<SparseCategoricalCrossEntropy> && !Loss<int>);

BOOST_AUTO_TEST_CASE(values_by_hand) {
  Eigen::Matrix<double, 2, 2> p, t;
  p << 1, 3, 2, 4;
  t << 0, 3, 2, 6;
  BOOST_TEST(MeanSquaredError::value<double>(p, t) == 1.25, tolerance(1e-12));

  Eigen::Matrix<double, 1, 2> pb(0.9, 0.2), tb(1, 0);
  BOOST_TEST(BinaryCrossEntropy::value<double>(pb, tb) == -(std::log(0.9) + std::log(0.8)) / 2,
             tolerance(1e-12));

  Eigen::Matrix<double, 3, 1> pc(0.7, 0.2, 0.1), tc(1, 0, 0);
  BOOST_TEST(CategoricalCrossEntropy::value<double>(pc, tc) == -std::log(0.7), tolerance(1e-12));
  const std::vector<int> label{2};
  BOOST_TEST(SparseCategoricalCrossEntropy::value<double>(pc, labels(label)) == -std::log(0.1),
             tolerance(1e-12));
}

namespace {
// The same parameters in a network that ends in the activation (fused) and one that adds Linear
// after it (so the loss sees probabilities: the unfused path).
template <class Act, std::size_t Out>
using fused_net = basic_sequential<double, Input<4>, Dense<Out>, Act>;
template <class Act, std::size_t Out>
using unfused_net = basic_sequential<double, Input<4>, Dense<Out>, Act, Linear>;

template <class Act, std::size_t Out, class L, class Target>
void fused_equals_unfused_and_both_check(const L& loss, const Target& target) {
  fused_net<Act, Out> a(11);
  unfused_net<Act, Out> b(11);
  BOOST_REQUIRE((a.parameters() - b.parameters()).norm() == 0.0);
  const Eigen::Matrix<double, 4, Eigen::Dynamic> x = Eigen::Matrix<double, 4, Eigen::Dynamic>::Random(4, 3);
  typename fused_net<Act, Out>::template workspace<3> wa;
  typename unfused_net<Act, Out>::template workspace<3> wb;
  a.forward(wa, x);
  b.forward(wb, x);
  a.zero_gradients();
  b.zero_gradients();
  const double la = a.backward(wa, loss, target, true), lb = b.backward(wb, loss, target, true);
  BOOST_TEST(la == lb, tolerance(1e-9));
  BOOST_TEST(la == a.loss(wa, loss, target), tolerance(1e-12));
  BOOST_TEST((a.gradients() - b.gradients()).norm() < 1e-9);
  BOOST_TEST((wa.input_gradient() - wb.input_gradient()).norm() < 1e-9);
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<fused_net<Act, Out>, 3>(a, x, loss, target)));
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<unfused_net<Act, Out>, 3>(b, x, loss, target)));
}
}  // namespace

BOOST_AUTO_TEST_CASE(softmax_with_categorical_cross_entropy) {
  Eigen::Matrix<double, 3, 3> onehot;
  onehot << 1, 0, 0, 0, 0, 1, 0, 1, 0;
  fused_equals_unfused_and_both_check<Softmax, 3>(CategoricalCrossEntropy{}, onehot);
}

BOOST_AUTO_TEST_CASE(softmax_with_sparse_categorical_cross_entropy) {
  const std::vector<int> y{0, 2, 1};
  fused_equals_unfused_and_both_check<Softmax, 3>(SparseCategoricalCrossEntropy{}, y);
}

BOOST_AUTO_TEST_CASE(sigmoid_with_binary_cross_entropy) {
  Eigen::Matrix<double, 2, 3> t;
  t << 1, 0, 1, 0, 0, 1;
  fused_equals_unfused_and_both_check<Sigmoid, 2>(BinaryCrossEntropy{}, t);
}

BOOST_AUTO_TEST_CASE(mean_squared_error_gradients) {
  using Net = basic_sequential<double, Input<4>, Dense<5>, Tanh, Dense<2>>;
  Net net(4);
  const Eigen::Matrix<double, 4, Eigen::Dynamic> x = Eigen::Matrix<double, 4, Eigen::Dynamic>::Random(4, 3);
  const Eigen::Matrix<double, 2, 3> t = Eigen::Matrix<double, 2, 3>::Random();
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<Net, 3>(net, x, MeanSquaredError{}, t)));
}

BOOST_AUTO_TEST_CASE(logits_of_magnitude_1e4_stay_finite) {
  using Softmaxed = Sequential<Input<2>, Dense<3>, Softmax>;
  Softmaxed net;
  net.layer<0>().weights() << 1e4f, 0, -1e4f, 0, 0, 1e4f;  // logits (1e4, -1e4, 1e4) for x = (1, 1)
  Softmaxed::workspace<2> ws;
  Eigen::Matrix<float, 2, 2> x;
  x << 1, -1, 1, -1;
  net.forward(ws, x);
  Eigen::Matrix<float, 3, 2> t;
  t << 0, 1, 1, 0, 0, 0;  // the target is the class whose logit is -1e4 in the first sample
  net.zero_gradients();
  const float cce = net.backward(ws, CategoricalCrossEntropy{}, t);
  BOOST_TEST(std::isfinite(cce));
  BOOST_TEST(cce == 2e4f, tolerance(1e-3f));  // -log softmax = 1e4 - (-1e4) per sample, mean of two
  BOOST_TEST(net.gradients().allFinite());
  const std::vector<int> y{1, 0};
  net.zero_gradients();
  BOOST_TEST(std::isfinite(net.backward(ws, SparseCategoricalCrossEntropy{}, y)));
  BOOST_TEST(net.gradients().allFinite());

  using Sigmoided = Sequential<Input<1>, Dense<1>, Sigmoid>;
  Sigmoided bin;
  bin.layer<0>().weights()(0, 0) = 1e4f;
  Sigmoided::workspace<2> wb;
  Eigen::Matrix<float, 1, 2> xb(1.0f, -1.0f), tb(0.0f, 1.0f);  // both confidently wrong
  bin.forward(wb, xb);
  bin.zero_gradients();
  const float bce = bin.backward(wb, BinaryCrossEntropy{}, tb);
  BOOST_TEST(std::isfinite(bce));
  BOOST_TEST(bce == 1e4f, tolerance(1e-3f));
  BOOST_TEST(bin.gradients().allFinite());
  BOOST_TEST(bin.gradients().norm() > 0.0f);
}
