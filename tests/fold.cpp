// Tests for ctnn/fold.hpp: BatchNormalization folded into the Dense or Conv2D before it, the
// deployment form predicting what the trained network predicts in inference mode.
#define BOOST_TEST_MODULE fold
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/fold.hpp>
#include <memory>
#include <type_traits>
#include <vector>

using namespace ctnn;

namespace {
// BatchNormalization after a Conv2D, inside a residual branch (one without center), after a
// ReLU (not folded: nothing to fold it into), and after a Dense (without scale).
using Cnn = Sequential<Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                       Residual<Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                                Conv2D<4, 3, 3, Padding::same>, BatchNormalization<0.9, 0.01, false, true>>,
                       ReLU, BatchNormalization<>, GlobalAveragePool2D, Dense<6>,
                       BatchNormalization<0.99, 0.001, true, false>, Dense<3>, Softmax>;
static_assert(
    std::is_same_v<folded<Cnn>,
                   Sequential<Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>, ReLU,
                              Residual<Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>>,
                              ReLU, BatchNormalization<>, GlobalAveragePool2D, Dense<6>, Dense<3>, Softmax>>);
// Branches of an Add, where a BatchNormalization opening branch 2 must not fold into branch 1's Dense.
using Branches =
    Sequential<Input<5>, Add<Branch<Dense<4>>, Branch<BatchNormalization<>, Dense<4>, BatchNormalization<>>>,
               Dense<2>>;
static_assert(std::is_same_v<
              folded<Branches>,
              Sequential<Input<5>, Add<Branch<Dense<4>>, Branch<BatchNormalization<>, Dense<4>>>, Dense<2>>>);

// Trains `net` a little so that the moving statistics, gamma and beta are far from their start.
template <class Net>
void train(Net& net, const Eigen::MatrixXf& x) {
  std::vector<int> y(static_cast<std::size_t>(x.cols()));
  for (std::size_t j = 0; j < y.size(); ++j) y[j] = static_cast<int>(j % 2);
  if constexpr (Net::output_shape::size == 3) {
    trainer t(net, SparseCategoricalCrossEntropy{}, Adam{.learning_rate = 0.01});
    t.fit(x, y, fit_options{.epochs = 3, .batch_size = 16, .verbose = 0});
  } else {
    const Eigen::MatrixXf targets = Eigen::MatrixXf::Random(2, x.cols());
    trainer t(net, MeanSquaredError{}, Adam{.learning_rate = 0.01});
    t.fit(x, targets, fit_options{.epochs = 3, .batch_size = 16, .verbose = 0});
  }
}

template <class Net>
double worst_relative_difference(int seed) {
  constexpr auto rows = static_cast<Eigen::Index>(Net::input_shape::size);
  auto net = std::make_unique<Net>(static_cast<std::uint64_t>(seed));
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(rows, 200);
  train(*net, x);
  auto deployed = std::make_unique<folded<Net>>();
  fold_batch_norm(*net, *deployed);
  // The largest difference over every output of every sample, relative to the largest output.
  double difference = 0, scale = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const Eigen::Matrix<float, rows, 1> xj = x.col(j);
    const auto a = net->predict(xj);
    const auto b = deployed->predict(xj);
    difference = std::max(difference, static_cast<double>((a - b).cwiseAbs().maxCoeff()));
    scale = std::max(scale, static_cast<double>(a.cwiseAbs().maxCoeff()));
  }
  return difference / scale;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_folded_cnn_predicts_what_the_trained_one_does) {
  const double worst = worst_relative_difference<Cnn>(1);
  BOOST_TEST_MESSAGE("worst relative difference " << worst);
  BOOST_TEST(worst < 1e-5);
  // The BatchNormalization it could not fold keeps its moving statistics.
  BOOST_TEST(folded<Cnn>::buffer_count == 8u);
}

BOOST_AUTO_TEST_CASE(branches_fold_within_themselves) {
  const double worst = worst_relative_difference<Branches>(2);
  BOOST_TEST_MESSAGE("worst relative difference " << worst);
  BOOST_TEST(worst < 1e-5);
}

BOOST_AUTO_TEST_CASE(the_fold_is_the_closed_form) {
  // One Dense and its BatchNormalization, values set by hand: row c scaled by gamma / sqrt(var + eps),
  // the bias a (b - mean) + beta.
  using Net = Sequential<Input<2>, Dense<2>, BatchNormalization<0.99, 0.25>>;
  Net net;
  auto dense = net.layer<0>();
  dense.weights() << 1, 2, 3, 4;
  dense.bias() << 0.5, -1;
  auto p = net.parameters();
  p.segment(Net::offset<1>, 2) << 2, 3;  // gamma (then beta, one aligned step on)
  p.segment(Net::offset<1> + Net::layer_type<1>::beta_offset, 2) << 0.25, -0.75;
  net.buffers().head(2) << 1, -2;  // moving mean, then moving variance
  net.buffers().segment(Net::layer_type<1>::step, 2) << 0.75, 3.75;
  folded<Net> f;
  fold_batch_norm(net, f);
  // a = 2 / sqrt(1) = 2 and 3 / sqrt(4) = 1.5.
  BOOST_TEST(f.layer<0>().weights()(0, 1) == 4.0f);
  BOOST_TEST(f.layer<0>().weights()(1, 0) == 4.5f);
  BOOST_TEST(f.layer<0>().bias()(0) == 2.0f * (0.5f - 1.0f) + 0.25f);
  BOOST_TEST(f.layer<0>().bias()(1) == 1.5f * (-1.0f + 2.0f) - 0.75f);
}
