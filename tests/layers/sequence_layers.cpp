// Tests for ctnn/layers/conv1d.hpp, pool1d.hpp and time_distributed.hpp (one program: they are small,
// and the suite's build time is what CI waits for): Conv1D against the direct sum, with Keras' output
// lengths for valid, same and causal padding, strides and dilations; the 1-D pools against their
// definitions; TimeDistributed against its layer run step by step; gradients against finite
// differences for each.
#define BOOST_TEST_MODULE sequence_layers
#include <ctnn/activations.hpp>
#include <ctnn/blocks.hpp>
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/pool1d.hpp>
#include <ctnn/layers/recurrent.hpp>
#include <ctnn/layers/time_distributed.hpp>
#include <ctnn/losses.hpp>
#include <ctnn/sequential.hpp>
#include <ctnn/testing/gradient_check.hpp>
#include <memory>

#include "support/check.hpp"

using namespace ctnn;
using Eigen::MatrixXd;

namespace {
// Keras' lengths: valid floor((T - span) / S) + 1, same ceil(T / S), causal T.
template <class Spec, std::size_t T, std::size_t C>
constexpr std::size_t length = Spec::template output_shape<shape<T, C>>::dims[0];
static_assert(length<Conv1D<2, 3>, 10, 1> == 8);
static_assert(length<Conv1D<2, 3, Padding::valid, 2>, 10, 1> == 4);
static_assert(length<Conv1D<2, 3, Padding::valid, 1, 4>, 10, 1> == 2);  // span 9
static_assert(length<Conv1D<2, 3, Padding::same>, 10, 1> == 10);
static_assert(length<Conv1D<2, 4, Padding::same, 3>, 10, 1> == 4);
static_assert(length<Conv1D<2, 3, Padding::causal, 1, 8>, 10, 1> == 10);

// y(t, f) = b(f) + sum over k, c of W(f, k C + c) x(t S - pad + k D, c), the sum written out.
template <std::size_t F, std::size_t K, Padding P, std::size_t S, std::size_t D, std::size_t T, std::size_t C>
double worst_conv1d() {
  using Net = basic_sequential<double, Input<T, C>, Conv1D<F, K, P, S, D>>;
  using Layer = typename Net::template layer_type<0>;
  auto net = std::make_unique<Net>(2);
  random_engine rng(3);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += 0.1 * rng.uniform(-1, 1);
  constexpr std::size_t OT = Layer::OT, span = (K - 1) * D + 1;
  constexpr std::ptrdiff_t pad =
      P == Padding::causal ? std::ptrdiff_t(span - 1)
      : P == Padding::valid
          ? 0
          : std::max<std::ptrdiff_t>(0, std::ptrdiff_t((OT - 1) * S + span) - std::ptrdiff_t(T)) / 2;
  Eigen::Matrix<double, T * C, Eigen::Dynamic> x(T * C, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  auto ws = std::make_unique<typename Net::template workspace<3>>();
  const MatrixXd y = net->forward(*ws, x, mode::inference);
  const double* p = net->parameters().data();
  const MatrixXd W = Layer::W(p);
  const Eigen::VectorXd b = Layer::b(p);
  double worst = 0;
  for (Eigen::Index j = 0; j < 3; ++j)
    for (std::size_t t = 0; t < OT; ++t)
      for (std::size_t f = 0; f < F; ++f) {
        double want = b[f];
        for (std::size_t k = 0; k < K; ++k) {
          const std::ptrdiff_t at = std::ptrdiff_t(t * S + k * D) - pad;
          if (at < 0 || at >= std::ptrdiff_t(T)) continue;
          for (std::size_t c = 0; c < C; ++c) want += W(f, k * C + c) * x(at * C + c, j);
        }
        worst = std::max(worst, std::abs(y(t * F + f, j) - want));
      }
  const Eigen::Matrix<double, T * C, 1> one = x.col(1);
  worst = std::max(worst, (net->predict(one) - y.col(1)).cwiseAbs().maxCoeff());
  return worst;
}
}  // namespace

BOOST_AUTO_TEST_CASE(conv1d_is_the_direct_sum) {
  BOOST_TEST((worst_conv1d<3, 3, Padding::valid, 1, 1, 9, 2>()) < 1e-13);
  BOOST_TEST((worst_conv1d<2, 3, Padding::valid, 2, 1, 10, 3>()) < 1e-13);
  BOOST_TEST((worst_conv1d<2, 3, Padding::valid, 1, 3, 12, 2>()) < 1e-13);
  BOOST_TEST((worst_conv1d<4, 3, Padding::same, 1, 1, 7, 2>()) < 1e-13);
  BOOST_TEST((worst_conv1d<2, 4, Padding::same, 3, 1, 10, 1>()) < 1e-13);
  BOOST_TEST((worst_conv1d<2, 3, Padding::same, 1, 2, 9, 2>()) < 1e-13);
  BOOST_TEST((worst_conv1d<3, 2, Padding::causal, 1, 1, 8, 2>()) < 1e-13);
  BOOST_TEST((worst_conv1d<2, 3, Padding::causal, 1, 4, 11, 3>()) < 1e-13);
}

BOOST_AUTO_TEST_CASE(conv1d_causal_output_reads_no_later_input) {
  // Changing input step 6 changes no causal output before step 6.
  using Net = basic_sequential<double, Input<10, 2>, Conv1D<3, 3, Padding::causal, 1, 2>, Tanh,
                               Conv1D<2, 2, Padding::causal, 1, 4>>;
  auto net = std::make_unique<Net>(1);
  Eigen::Matrix<double, 20, 1> x = Eigen::Matrix<double, 20, 1>::Random();
  const Eigen::Matrix<double, 20, 1> before = net->predict(x);
  x(12) += 1;  // step 6, channel 0
  const Eigen::Matrix<double, 20, 1> after = net->predict(x);
  BOOST_TEST((after.head<12>() - before.head<12>()).norm() == 0.0);
  BOOST_TEST((after.tail<8>() - before.tail<8>()).norm() > 0.0);
}

BOOST_AUTO_TEST_CASE(conv1d_gradients) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv1D<3, 3>, shape<8, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv1D<2, 3, Padding::valid, 2>, shape<9, 3>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv1D<2, 3, Padding::same, 1, 2>, shape<9, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv1D<3, 2, Padding::causal, 1, 3>, shape<10, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv1D<2, 4, Padding::same, 3>, shape<10, 1>, 1>()));
}

BOOST_AUTO_TEST_CASE(pools_over_time) {
  using Net = basic_sequential<double, Input<7, 2>, MaxPool1D<3>>;
  using Avg = basic_sequential<double, Input<7, 2>, AveragePool1D<2>>;
  using Global = basic_sequential<double, Input<7, 2>, GlobalAveragePool1D>;
  static_assert(std::is_same_v<Net::output_shape, shape<2, 2>> &&
                std::is_same_v<Avg::output_shape, shape<3, 2>> &&
                std::is_same_v<Global::output_shape, shape<2>>);
  Eigen::Matrix<double, 14, 1> x;
  for (int i = 0; i < 14; ++i) x(i) = std::sin(1.7 * i);
  auto a = std::make_unique<Net>();
  auto b = std::make_unique<Avg>();
  auto c = std::make_unique<Global>();
  const Eigen::VectorXd m = a->predict(x), v = b->predict(x), g = c->predict(x);
  for (int ch = 0; ch < 2; ++ch) {
    for (int w = 0; w < 2; ++w)
      BOOST_TEST(m(w * 2 + ch) ==
                 std::max({x((3 * w) * 2 + ch), x((3 * w + 1) * 2 + ch), x((3 * w + 2) * 2 + ch)}));
    for (int w = 0; w < 3; ++w)
      BOOST_TEST(std::abs(v(w * 2 + ch) - (x((2 * w) * 2 + ch) + x((2 * w + 1) * 2 + ch)) / 2) < 1e-15);
    double sum = 0;
    for (int t = 0; t < 7; ++t) sum += x(t * 2 + ch);
    BOOST_TEST(std::abs(g(ch) - sum / 7) < 1e-15);
  }
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<MaxPool1D<2>, shape<7, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<AveragePool1D<3>, shape<7, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GlobalAveragePool1D, shape<5, 3>, 2>()));
}

BOOST_AUTO_TEST_CASE(time_distributed_is_its_layer_at_every_step) {
  using Net = basic_sequential<double, Input<6, 4>, TimeDistributed<Dense<3>>>;
  using Step = basic_sequential<double, Input<4>, Dense<3>>;
  static_assert(std::is_same_v<Net::output_shape, shape<6, 3>> && Net::parameter_count == 15);
  auto net = std::make_unique<Net>(4);
  auto step = std::make_unique<Step>();
  step->parameters() = net->parameters();
  Eigen::Matrix<double, 24, Eigen::Dynamic> x = Eigen::Matrix<double, 24, Eigen::Dynamic>::Random(24, 3);
  auto ws = std::make_unique<Net::workspace<3>>();
  const MatrixXd y = net->forward(*ws, x, mode::inference);
  double worst = 0;
  for (Eigen::Index j = 0; j < 3; ++j)
    for (int t = 0; t < 6; ++t) {
      const Eigen::Matrix<double, 4, 1> xt = x.col(j).segment<4>(4 * t);
      worst = std::max(worst, (step->predict(xt) - y.col(j).segment<3>(3 * t)).cwiseAbs().maxCoeff());
    }
  BOOST_TEST(worst < 1e-14);
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<TimeDistributed<Dense<3>>, shape<5, 4>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<TimeDistributed<Tanh>, shape<5, 2>, 3>()));
}

BOOST_AUTO_TEST_CASE(a_tcn_and_a_recurrent_stack_with_their_losses) {
  // A causal dilated stack with residual connections, pooled to a class; and GRU steps into a per-step
  // regression (TimeDistributed Dense): whole networks against finite differences.
  using Tcn = basic_sequential<double, Input<12, 2>, Conv1D<4, 2, Padding::causal>,
                               Residual<Conv1D<4, 2, Padding::causal, 1, 2>, Tanh>,
                               Residual<Conv1D<4, 2, Padding::causal, 1, 4>, Tanh>, GlobalAveragePool1D,
                               Dense<3>, Softmax>;
  auto tcn = std::make_unique<Tcn>(2);
  random_engine rng(6);
  Eigen::Matrix<double, 24, Eigen::Dynamic> x(24, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  const std::vector<int> labels{2, 0, 1};
  CTNN_CHECK_GRADIENTS(
      (testing::check_network_gradients<Tcn, 3>(*tcn, x, SparseCategoricalCrossEntropy{}, labels)));

  using Seq = basic_sequential<double, Input<8, 3>, GRU<4, Returns::sequences>, TimeDistributed<Dense<1>>>;
  auto seq = std::make_unique<Seq>(3);
  Eigen::Matrix<double, 24, Eigen::Dynamic> xs(24, 2);
  for (Eigen::Index i = 0; i < xs.size(); ++i) xs.data()[i] = rng.uniform(-1, 1);
  Eigen::Matrix<double, 8, Eigen::Dynamic> target(8, 2);
  for (Eigen::Index i = 0; i < target.size(); ++i) target.data()[i] = rng.uniform(-1, 1);
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<Seq, 2>(*seq, xs, MeanSquaredError{}, target)));
}
