// Tests for ctnn/streaming.hpp: one step per call equals the whole sequence at once, over 10,000 steps,
// for an LSTM model, a GRU model (both reset_after forms, a last-step layer with Dense after it) and a
// causal dilated Conv1D stack with residual blocks and a Concat; reset(); the training network's weight
// file loads unchanged; a Graph with a sequence input and a whole one, two outputs, streams as it runs.
#define BOOST_TEST_MODULE streaming
#include <unistd.h>

#include <ctnn/activations.hpp>
#include <ctnn/blocks.hpp>
#include <ctnn/graph.hpp>
#include <ctnn/io.hpp>
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/recurrent.hpp>
#include <ctnn/layers/time_distributed.hpp>
#include <ctnn/sequential.hpp>
#include <ctnn/streaming.hpp>
#include <filesystem>
#include <memory>
#include <vector>

#include "support/check.hpp"

using namespace ctnn;

namespace {
constexpr std::size_t steps = 10000;

template <class Net>
std::unique_ptr<Net> perturbed(std::uint64_t seed) {
  auto net = std::make_unique<Net>(seed);
  random_engine rng(seed + 10);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += typename Net::scalar(0.2 * rng.uniform(-1, 1));
  return net;
}

template <class Scalar>
std::vector<Scalar> signal(std::size_t n, std::size_t channels, std::uint64_t seed) {
  random_engine rng(seed);
  std::vector<Scalar> x(n * channels);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t c = 0; c < channels; ++c)
      x[t * channels + c] = Scalar(std::sin(0.01 * double(t) * double(c + 1)) + 0.5 * rng.uniform(-1, 1));
  return x;
}

/// The largest difference between streaming `net` over its whole input and running it at once, relative
/// to the largest output; Every: the network outputs every step (else only the last, compared with the
/// stream's last step).
template <class Net, bool Every, Activations A = Activations::standard>
double stream_against_batch(const Net& net) {
  constexpr std::size_t F = Net::input_shape::dims[1];
  const auto x = signal<typename Net::scalar>(steps, F, 3);
  auto ws = std::make_unique<typename Net::template workspace<1>>();
  ws->input(1) = Eigen::Map<const Eigen::Matrix<typename Net::scalar, Net::input_shape::size, 1>>(x.data());
  const Eigen::Matrix<double, Eigen::Dynamic, 1> batch = net.forward(*ws).col(0).template cast<double>();

  auto model = std::make_unique<streaming<Net, A>>(net);
  constexpr std::size_t out = streaming<Net, A>::output_size;
  std::vector<typename Net::scalar> y(steps * out);
  model->process(x.data(), y.data(), steps);
  double worst = 0, scale = batch.cwiseAbs().maxCoeff();
  if constexpr (Every) {
    BOOST_TEST(static_cast<std::size_t>(batch.size()) == y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
      worst = std::max(worst, std::abs(double(y[i]) - batch[Eigen::Index(i)]));
  } else {
    BOOST_TEST(static_cast<std::size_t>(batch.size()) == out);
    for (std::size_t i = 0; i < out; ++i)
      worst = std::max(worst, std::abs(double(y[(steps - 1) * out + i]) - batch[Eigen::Index(i)]));
  }
  BOOST_TEST(scale > 0.01);  // outputs that are not all near zero
  return worst / scale;
}
}  // namespace

BOOST_AUTO_TEST_CASE(an_lstm_model_streams_as_it_runs_whole) {
  using Net = basic_sequential<double, Input<steps, 2>, LSTM<8, Returns::sequences>,
                               LSTM<4, Returns::sequences>, TimeDistributed<Dense<1>>>;
  const auto net = perturbed<Net>(1);
  const double error = stream_against_batch<Net, true>(*net);
  BOOST_TEST_MESSAGE("LSTM, 10,000 steps: relative error " << error);
  BOOST_TEST(error < 1e-6);
  // The usual effect model: one value in, the last step's state into Dense, one value out per step.
  using Amp = basic_sequential<double, Input<steps, 1>, LSTM<8>, Dense<1>>;
  const auto amp = perturbed<Amp>(2);
  BOOST_TEST((stream_against_batch<Amp, false>(*amp)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(a_gru_model_streams_as_it_runs_whole) {
  using Net = basic_sequential<double, Input<steps, 1>, GRU<8, Returns::sequences>,
                               GRU<4, Returns::sequences, false>, TimeDistributed<Dense<2>>, Tanh>;
  const auto net = perturbed<Net>(3);
  const double error = stream_against_batch<Net, true>(*net);
  BOOST_TEST_MESSAGE("GRU, 10,000 steps: relative error " << error);
  BOOST_TEST(error < 1e-6);
  using Last =
      basic_sequential<double, Input<steps, 3>, SimpleRNN<6, Returns::sequences>, GRU<5>, Dense<3>, Softmax>;
  const auto last = perturbed<Last>(4);
  BOOST_TEST((stream_against_batch<Last, false>(*last)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(a_causal_dilated_residual_stack_streams_as_it_runs_whole) {
  using Net = basic_sequential<double, Input<steps, 1>, Conv1D<8, 3, Padding::causal>, Tanh,
                               Residual<Conv1D<8, 3, Padding::causal, 1, 2>, Tanh>,
                               Residual<Conv1D<8, 3, Padding::causal, 1, 4>, Tanh>,
                               Multiply<Branch<Conv1D<8, 2, Padding::causal, 1, 8>, Tanh>,
                                        Branch<Conv1D<8, 2, Padding::causal, 1, 8>, Sigmoid>>,
                               Concat<Branch<>, Branch<TimeDistributed<Dense<3>>>>, Conv1D<1, 1>>;
  const auto net = perturbed<Net>(5);
  const double error = stream_against_batch<Net, true>(*net);
  BOOST_TEST_MESSAGE("causal Conv1D stack, 10,000 steps: relative error " << error);
  BOOST_TEST(error < 1e-6);
}

// Units enough for the recurrent kernel to outgrow the L1 cache: the streaming step reads it in
// alternating orders from step to step (detail::small_matvec_alternating). Keras' initialisation, so
// that 10,000 steps of 64 units stay far from chaos.
BOOST_AUTO_TEST_CASE(wide_recurrent_layers_stream_as_they_run_whole) {
  using Lstm =
      basic_sequential<double, Input<steps, 1>, LSTM<64, Returns::sequences>, TimeDistributed<Dense<1>>>;
  using Gru =
      basic_sequential<double, Input<steps, 1>, GRU<64, Returns::sequences>, TimeDistributed<Dense<1>>>;
  using Rnn =
      basic_sequential<double, Input<steps, 2>, SimpleRNN<96, Returns::sequences>, TimeDistributed<Dense<1>>>;
  using Floats = Sequential<Input<steps, 1>, LSTM<64, Returns::sequences>, TimeDistributed<Dense<1>>>;
  const double lstm = stream_against_batch<Lstm, true>(*std::make_unique<Lstm>(7));
  const double gru = stream_against_batch<Gru, true>(*std::make_unique<Gru>(8));
  const double rnn = stream_against_batch<Rnn, true>(*std::make_unique<Rnn>(9));
  const double floats = stream_against_batch<Floats, true>(*std::make_unique<Floats>(10));
  BOOST_TEST_MESSAGE("LSTM<64>, GRU<64>, SimpleRNN<96>, float LSTM<64>: " << lstm << ", " << gru << ", "
                                                                          << rnn << ", " << floats);
  BOOST_TEST(lstm < 1e-6);
  BOOST_TEST(gru < 1e-6);
  BOOST_TEST(rnn < 1e-6);
  BOOST_TEST(floats < 1e-5);
}

BOOST_AUTO_TEST_CASE(float_streams_close_to_float_batch) {
  using Net = Sequential<Input<steps, 1>, LSTM<16, Returns::sequences>, TimeDistributed<Dense<1>>>;
  const auto net = perturbed<Net>(6);
  const double error = stream_against_batch<Net, true>(*net);
  BOOST_TEST_MESSAGE("float LSTM<16>, 10,000 steps: relative error " << error);
  BOOST_TEST(error < 1e-5);
}

BOOST_AUTO_TEST_CASE(fast_activations_stay_close_to_the_batch) {
  // Activations::fast: tanh within 5.5e-6 and the logistic within 2.8e-6, in the gates, the states and
  // Tanh and Sigmoid layers; over 10,000 steps the outputs stay within 1e-4 of the batch's.
  using Lstm = Sequential<Input<steps, 1>, LSTM<16, Returns::sequences>, TimeDistributed<Dense<1>>>;
  using Gru = Sequential<Input<steps, 2>, GRU<12, Returns::sequences>, GRU<8, Returns::sequences, false>,
                         SimpleRNN<6, Returns::sequences>, TimeDistributed<Dense<1>>>;
  using Tcn = Sequential<Input<steps, 1>, Conv1D<8, 3, Padding::causal>, Tanh,
                         Residual<Conv1D<8, 3, Padding::causal, 1, 2>, Sigmoid>, Conv1D<1, 1>>;
  const auto lstm = perturbed<Lstm>(8);
  const auto gru = perturbed<Gru>(9);
  const auto tcn = perturbed<Tcn>(10);
  const double e1 = stream_against_batch<Lstm, true, Activations::fast>(*lstm);
  const double e2 = stream_against_batch<Gru, true, Activations::fast>(*gru);
  const double e3 = stream_against_batch<Tcn, true, Activations::fast>(*tcn);
  BOOST_TEST_MESSAGE("fast activations, 10,000 steps: relative error LSTM " << e1 << ", GRU " << e2
                                                                            << ", TCN " << e3);
  BOOST_TEST(e1 < 1e-4);
  BOOST_TEST(e2 < 1e-4);
  BOOST_TEST(e3 < 1e-4);
  // and they are another computation: not bit-identical to the standard form
  BOOST_TEST(e1 != (stream_against_batch<Lstm, true>(*lstm)));
}

BOOST_AUTO_TEST_CASE(reset_starts_again_and_the_weight_file_loads_unchanged) {
  using Net = Sequential<Input<64, 1>, GRU<8, Returns::sequences>, Conv1D<4, 2, Padding::causal, 1, 3>,
                         TimeDistributed<Dense<1>>>;
  const auto net = perturbed<Net>(7);
  const auto dir = std::filesystem::temp_directory_path() / ("ctnn_streaming_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  save(*net, dir / "model.ctnn");
  auto model = std::make_unique<streaming<Net>>();
  load(model->network(), dir / "model.ctnn");
  std::filesystem::remove_all(dir);
  static_assert(streaming<Net>::input_size == 1 && streaming<Net>::output_size == 1);
  const auto x = signal<float>(500, 1, 8);
  std::vector<float> first(500), again(500);
  for (std::size_t t = 0; t < 500; ++t) first[t] = model->step(x[t]);
  model->reset();
  for (std::size_t t = 0; t < 500; ++t) again[t] = model->step(x[t]);
  BOOST_TEST(first == again, boost::test_tools::per_element());
  // The same as the network it was loaded from.
  auto direct = std::make_unique<streaming<Net>>(*net);
  for (std::size_t t = 0; t < 500; ++t) BOOST_TEST(direct->step(x[t]) == first[t]);
}

BOOST_AUTO_TEST_CASE(a_graph_streams_as_it_runs_whole) {
  // A sequence "x" through an LSTM and a causal dilated Conv1D side by side, added; one output every step,
  // and one from a last-step GRU beside a whole input "c" (given again with every step).
  using Net = basic_graph<
      double, Inputs<In<"x", steps, 2>, In<"c", 3>>, Node<"lstm", LSTM<8, Returns::sequences>, "x">,
      Node<"conv", Conv1D<8, 3, Padding::causal, 1, 2>, "x">, Node<"sum", Add<>, "lstm", "conv">,
      Node<"t", Tanh, "sum">, Node<"every", TimeDistributed<Dense<2>>, "t">, Node<"gru", GRU<6>, "t">,
      Node<"both", Concat<>, "gru", "c">, Node<"last", Dense<2>, "both">, Outputs<"every", "last">>;
  using Stream = streaming<Net>;
  static_assert(Stream::input_count == 2 && Stream::output_count == 2);
  static_assert(Stream::input_sizes == std::array<std::size_t, 2>{2, 3});
  static_assert(Stream::output_sizes == std::array<std::size_t, 2>{2, 2});
  auto net = std::make_unique<Net>(11);
  random_engine rng(12);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += 0.2 * rng.uniform(-1, 1);

  const auto x = signal<double>(steps, 2, 13);
  const Eigen::Vector3d c(0.5, -1.0, 2.0);
  auto ws = std::make_unique<Net::workspace<1>>();
  ws->input<0>(1) = Eigen::Map<const Eigen::Matrix<double, steps * 2, 1>>(x.data());
  ws->input<1>(1) = c;
  net->forward(*ws);
  const Eigen::VectorXd every = ws->output<0>().col(0);
  const Eigen::Vector2d last = ws->output<1>().col(0);

  auto model = std::make_unique<Stream>(*net);
  Eigen::Vector2d y_every, y_last;
  double worst = 0;
  for (std::size_t t = 0; t < steps; ++t) {
    model->step({x.data() + 2 * t, c.data()}, {y_every.data(), y_last.data()});
    worst = std::max(worst, (y_every - every.segment<2>(Eigen::Index(2 * t))).cwiseAbs().maxCoeff());
  }
  const double scale = every.cwiseAbs().maxCoeff();
  BOOST_TEST(scale > 0.01);
  BOOST_TEST_MESSAGE("graph, 10,000 steps: relative error "
                     << worst / scale << " (every step), "
                     << (y_last - last).cwiseAbs().maxCoeff() / last.cwiseAbs().maxCoeff() << " (last step)");
  BOOST_TEST(worst / scale < 1e-6);
  BOOST_TEST((y_last - last).cwiseAbs().maxCoeff() < 1e-6 * last.cwiseAbs().maxCoeff());
  // The vector form, after reset, gives the first step again.
  model->reset();
  const auto [first_every, first_last] = model->step(Eigen::Vector2d(x[0], x[1]), c);
  auto again = std::make_unique<Stream>(*net);
  again->step({x.data(), c.data()}, {y_every.data(), y_last.data()});
  BOOST_TEST((first_every == y_every));
  BOOST_TEST((first_last == y_last));
}
