// Tests for ctnn/layers/recurrent.hpp: SimpleRNN, GRU (both reset_after forms) and LSTM against Keras'
// equations written out step by step, Keras' parameter counts and initial values, both output modes,
// stacks, predict against the batch, and gradients (through time) against finite differences.
#define BOOST_TEST_MODULE recurrent
#include <unistd.h>
#include <ctnn/ctnn.hpp>
#include <ctnn/testing/gradient_check.hpp>
#include <filesystem>
#include <memory>
#include <sstream>

#include "support/check.hpp"

using namespace ctnn;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {
VectorXd sigmoid(const VectorXd& v) {
  return (1.0 / (1.0 + (-v.array()).exp())).matrix();
}
VectorXd tanh_(const VectorXd& v) {
  return v.array().tanh().matrix();
}

// One sample's states h_0 .. h_T-1 (columns), computed from Keras' equations with plain matrices:
// kernel K (G U x F), recurrent kernel Rk (G U x U), biases as ctnn stores them.
enum class cell { rnn, lstm, gru_after, gru_before };
MatrixXd reference(cell kind, const MatrixXd& K, const MatrixXd& Rk, const MatrixXd& bias,
                   const MatrixXd& xs) {
  const Eigen::Index U = Rk.cols(), T = xs.cols();
  MatrixXd hs(U, T);
  VectorXd h = VectorXd::Zero(U), c = VectorXd::Zero(U);
  for (Eigen::Index t = 0; t < T; ++t) {
    const VectorXd x = xs.col(t);
    if (kind == cell::rnn) {
      h = tanh_(K * x + Rk * h + bias.col(0));
    } else if (kind == cell::lstm) {
      const VectorXd z = K * x + Rk * h + bias.col(0);
      const VectorXd i = sigmoid(z.segment(0, U)), f = sigmoid(z.segment(U, U)),
                     g = tanh_(z.segment(2 * U, U)), o = sigmoid(z.segment(3 * U, U));
      c = (f.array() * c.array() + i.array() * g.array()).matrix();
      h = (o.array() * c.array().tanh()).matrix();
    } else if (kind == cell::gru_after) {
      const VectorXd xz = K * x + bias.col(0), hz = Rk * h + bias.col(1);
      const VectorXd z = sigmoid(xz.segment(0, U) + hz.segment(0, U)),
                     r = sigmoid(xz.segment(U, U) + hz.segment(U, U));
      const VectorXd hh = tanh_(xz.segment(2 * U, U) + (r.array() * hz.segment(2 * U, U).array()).matrix());
      h = (z.array() * h.array() + (1 - z.array()) * hh.array()).matrix();
    } else {
      const VectorXd xz = K * x + bias.col(0);
      const VectorXd z = sigmoid(xz.segment(0, U) + Rk.topRows(U) * h),
                     r = sigmoid(xz.segment(U, U) + Rk.middleRows(U, U) * h);
      const VectorXd hh = tanh_(xz.segment(2 * U, U) + Rk.bottomRows(U) * (r.array() * h.array()).matrix());
      h = (z.array() * h.array() + (1 - z.array()) * hh.array()).matrix();
    }
    hs.col(t) = h;
  }
  return hs;
}

// Runs a one-layer network on a batch and compares every sample, both output modes, with the reference.
template <class Spec, class SeqSpec, std::size_t T, std::size_t F>
double worst_against_reference(cell kind) {
  using Net = basic_sequential<double, Input<T, F>, Spec>;
  using Seq = basic_sequential<double, Input<T, F>, SeqSpec>;
  using Layer = typename Net::template layer_type<0>;
  auto net = std::make_unique<Net>(3);
  random_engine rng(5);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += 0.2 * rng.uniform(-1, 1);
  auto seq = std::make_unique<Seq>(3);
  seq->parameters() = net->parameters();  // the same tensors: only the output differs
  const double* p = net->parameters().data();
  const MatrixXd K = Layer::W(p), Rk = Layer::Wh(p);
  MatrixXd bias;
  if constexpr (requires { Layer::b_recurrent(p); }) {
    if (kind == cell::gru_after) {
      bias.resize(K.rows(), 2);
      bias.col(0) = Layer::b(p);
      bias.col(1) = Layer::b_recurrent(p);
    } else {
      bias = Layer::b(p);
    }
  } else {
    bias = Layer::b(p);
  }
  constexpr std::size_t B = 3;
  Eigen::Matrix<double, T * F, Eigen::Dynamic> x(T * F, B);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.5, 1.5);
  auto ws = std::make_unique<typename Net::template workspace<B>>();
  auto wss = std::make_unique<typename Seq::template workspace<B>>();
  const MatrixXd last = net->forward(*ws, x, mode::training);
  const MatrixXd all = seq->forward(*wss, x, mode::training);
  const Eigen::Index U = Rk.cols();
  double worst = 0;
  for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(B); ++j) {
    const MatrixXd xs = Eigen::Map<const MatrixXd>(x.col(j).data(), F, T);
    const MatrixXd hs = reference(kind, K, Rk, bias, xs);
    worst = std::max(worst, (last.col(j) - hs.col(T - 1)).cwiseAbs().maxCoeff());
    worst = std::max(worst, (Eigen::Map<const MatrixXd>(all.col(j).data(), U, T) - hs).cwiseAbs().maxCoeff());
    // predict: one sample, fixed-size views, the same numbers.
    const Eigen::Matrix<double, T * F, 1> one = x.col(j);
    worst = std::max(worst, (net->predict(one) - last.col(j)).cwiseAbs().maxCoeff());
    worst = std::max(worst, (seq->predict(one) - all.col(j)).cwiseAbs().maxCoeff());
  }
  return worst;
}
}  // namespace

BOOST_AUTO_TEST_CASE(parameter_counts_and_shapes_are_keras) {
  static_assert(basic_sequential<float, Input<28, 28>, LSTM<128>>::parameter_count ==
                4 * 128 * (28 + 128 + 1));
  static_assert(basic_sequential<float, Input<50, 1>, GRU<16>>::parameter_count == 3 * 16 * (1 + 16 + 2));
  static_assert(basic_sequential<float, Input<50, 1>, GRU<16, Returns::last, false>>::parameter_count ==
                3 * 16 * (1 + 16 + 1));
  static_assert(basic_sequential<float, Input<5, 3>, SimpleRNN<8>>::parameter_count == 8 * (3 + 8 + 1));
  static_assert(std::is_same_v<Sequential<Input<5, 3>, LSTM<8>>::output_shape, shape<8>>);
  static_assert(
      std::is_same_v<Sequential<Input<5, 3>, LSTM<8, Returns::sequences>>::output_shape, shape<5, 8>>);
  static_assert(
      std::is_same_v<Sequential<Input<5, 3>, GRU<4, Returns::sequences>, LSTM<6>>::output_shape, shape<6>>);
}

BOOST_AUTO_TEST_CASE(initial_values_are_keras) {
  using Net = Sequential<Input<7, 3>, LSTM<5>>;
  using Layer = Net::layer_type<0>;
  auto net = std::make_unique<Net>(11);
  const float* p = net->parameters().data();
  // Orthogonal recurrent kernel: 20 x 5 with orthonormal columns.
  const Eigen::MatrixXf R = Layer::Wh(p);
  BOOST_TEST((R.transpose() * R - Eigen::MatrixXf::Identity(5, 5)).cwiseAbs().maxCoeff() < 1e-5);
  // unit_forget_bias: ones for f (rows 5 .. 10), zeros elsewhere.
  const Eigen::VectorXf b = Layer::b(p);
  for (Eigen::Index i = 0; i < 20; ++i) BOOST_TEST(b[i] == (i >= 5 && i < 10 ? 1.0f : 0.0f));
  // A wide matrix gets orthonormal rows.
  std::vector<double> wide(3 * 8);
  random_engine rng(2);
  Orthogonal::fill_matrix(wide.data(), 3, 8, rng);
  const Eigen::Map<const MatrixXd> w(wide.data(), 3, 8);
  BOOST_TEST((w * w.transpose() - MatrixXd::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-12);
}

BOOST_AUTO_TEST_CASE(forward_follows_keras_equations) {
  BOOST_TEST((worst_against_reference<SimpleRNN<4>, SimpleRNN<4, Returns::sequences>, 6, 3>(cell::rnn)) <
             1e-12);
  BOOST_TEST((worst_against_reference<LSTM<5>, LSTM<5, Returns::sequences>, 6, 3>(cell::lstm)) < 1e-12);
  BOOST_TEST((worst_against_reference<GRU<4>, GRU<4, Returns::sequences>, 7, 2>(cell::gru_after)) < 1e-12);
  BOOST_TEST((worst_against_reference<GRU<4, Returns::last, false>, GRU<4, Returns::sequences, false>, 7, 2>(
                 cell::gru_before)) < 1e-12);
  BOOST_TEST((worst_against_reference<LSTM<1>, LSTM<1, Returns::sequences>, 1, 1>(cell::lstm)) < 1e-12);
}

BOOST_AUTO_TEST_CASE(gradients_through_time) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<SimpleRNN<4>, shape<5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<SimpleRNN<3, Returns::sequences>, shape<4, 2>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<LSTM<4>, shape<5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<LSTM<3, Returns::sequences>, shape<6, 2>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<LSTM<2, Returns::last, false>, shape<3, 4>, 1>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GRU<4>, shape<5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GRU<3, Returns::sequences>, shape<6, 2>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GRU<4, Returns::last, false>, shape<5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<GRU<3, Returns::sequences, false>, shape<4, 2>, 1>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<LSTM<3>, shape<1, 2>, 2>()));  // one step
}

BOOST_AUTO_TEST_CASE(stacked_recurrent_layers_with_a_loss) {
  using Net = basic_sequential<double, Input<6, 3>, LSTM<5, Returns::sequences>, GRU<4, Returns::sequences>,
                               SimpleRNN<3>, Dense<2>, Softmax>;
  auto net = std::make_unique<Net>(4);
  random_engine rng(9);
  Eigen::Matrix<double, 18, Eigen::Dynamic> x(18, 4);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  const std::array<int, 4> labels{0, 1, 1, 0};
  const auto report =
      testing::check_network_gradients<Net, 4>(*net, x, SparseCategoricalCrossEntropy{}, labels);
  CTNN_CHECK_GRADIENTS(report);
}

BOOST_AUTO_TEST_CASE(files_and_summaries) {
  // The recurrent tensors go through save and load as any layer's, and load refuses a file of another
  // network (an LSTM's file into a GRU of the same input and units).
  using Net = Sequential<Input<9, 2>, LSTM<6, Returns::sequences>, GRU<5, Returns::last, false>, Dense<1>>;
  using Other = Sequential<Input<9, 2>, GRU<6, Returns::sequences>, GRU<5, Returns::last, false>, Dense<1>>;
  const auto dir = std::filesystem::temp_directory_path() / ("ctnn_recurrent_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto a = std::make_unique<Net>(1);
  auto b = std::make_unique<Net>(2);
  save(*a, dir / "rnn.ctnn");
  BOOST_TEST((a->parameters() - b->parameters()).norm() > 0);
  load(*b, dir / "rnn.ctnn");
  BOOST_TEST((a->parameters() - b->parameters()).norm() == 0.0f);
  const Eigen::Matrix<float, 18, 1> x = Eigen::Matrix<float, 18, 1>::Random();
  BOOST_TEST((a->predict(x) - b->predict(x)).norm() == 0.0f);
  auto other = std::make_unique<Other>();
  BOOST_CHECK_THROW(load(*other, dir / "rnn.ctnn"), std::exception);
  std::filesystem::remove_all(dir);

  std::ostringstream out;
  summary<Net>(out);
  BOOST_TEST_MESSAGE(out.str());
  BOOST_TEST(out.str().find("lstm (LSTM)                      (None, 9, 6)               216") !=
             std::string::npos);
  BOOST_TEST(out.str().find("gru (GRU)                        (None, 5)                  180") !=
             std::string::npos);
}
