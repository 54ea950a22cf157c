// Tests for ctnn/layers/batch_normalization.hpp: Keras' formulas in training and inference, the moving
// statistics (buffers: a third kind of memory, which no optimiser steps), gradients against finite
// differences, whole-batch statistics across the trainer's threads, and files.
#define BOOST_TEST_MODULE batch_normalization
#include <unistd.h>
#include <ctnn/ctnn.hpp>
#include <ctnn/testing/gradient_check.hpp>
#include <filesystem>
#include <memory>
#include <sstream>

#include "support/check.hpp"

using namespace ctnn;
namespace tt = boost::test_tools;

namespace {
// The batch's per-channel mean and biased variance, the slow way (channels fastest in a sample).
template <std::size_t C>
std::pair<Eigen::VectorXd, Eigen::VectorXd> moments(const Eigen::MatrixXd& x) {
  const Eigen::Index per = x.rows() / static_cast<Eigen::Index>(C);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(C), var = Eigen::VectorXd::Zero(C);
  const double n = static_cast<double>(per * x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index p = 0; p < per; ++p)
      for (Eigen::Index c = 0; c < static_cast<Eigen::Index>(C); ++c) mean[c] += x(p * C + c, j) / n;
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index p = 0; p < per; ++p)
      for (Eigen::Index c = 0; c < static_cast<Eigen::Index>(C); ++c)
        var[c] += (x(p * C + c, j) - mean[c]) * (x(p * C + c, j) - mean[c]) / n;
  return {mean, var};
}
}  // namespace

BOOST_AUTO_TEST_CASE(training_normalises_with_the_batch_and_inference_with_the_moving_statistics) {
  using Net = basic_sequential<double, Input<3, 2, 4>, BatchNormalization<>>;
  using Layer = Net::layer_type<0>;
  static_assert(Net::parameter_count == 8 && Net::buffer_count == 8);  // gamma, beta; mean, variance
  auto net = std::make_unique<Net>();
  auto gamma = vector_map<double, 4>(net->parameters().data() + Layer::gamma_offset);
  auto beta = vector_map<double, 4>(net->parameters().data() + Layer::beta_offset);
  gamma << 1.5, 0.5, -1, 2;
  beta << 0.1, -0.2, 0.3, 0;
  auto ws = std::make_unique<Net::workspace<5>>();
  Eigen::Matrix<double, 24, 5> x = Eigen::Matrix<double, 24, 5>::Random();
  x.array() += 3;  // a mean far from zero, as real activations have
  const auto [mean, var] = moments<4>(x);

  const Eigen::MatrixXd y = net->forward(*ws, x, mode::training);
  double worst = 0;
  for (Eigen::Index j = 0; j < 5; ++j)
    for (Eigen::Index i = 0; i < 24; ++i) {
      const Eigen::Index c = i % 4;
      const double want = gamma[c] * (x(i, j) - mean[c]) / std::sqrt(var[c] + 1e-3) + beta[c];
      worst = std::max(worst, std::abs(y(i, j) - want));
    }
  BOOST_TEST(worst < 1e-12);

  // Forward leaves the network alone; update_buffers then moves the statistics 1 % towards the batch's.
  BOOST_TEST(net->buffers().head<4>().norm() == 0.0);
  net->update_buffers(*ws);
  const Eigen::VectorXd moving_mean = net->buffers().segment<4>(0),
                        moving_var = net->buffers().segment<4>(Layer::step);
  BOOST_TEST((moving_mean - 0.01 * mean).norm() < 1e-14);
  BOOST_TEST((moving_var - (0.99 * Eigen::VectorXd::Ones(4) + 0.01 * var)).norm() < 1e-14);

  // Inference: the moving statistics, whatever the batch; an inference pass updates nothing.
  const Eigen::MatrixXd z = net->forward(*ws, x, mode::inference);
  worst = 0;
  for (Eigen::Index j = 0; j < 5; ++j)
    for (Eigen::Index i = 0; i < 24; ++i) {
      const Eigen::Index c = i % 4;
      const double want = gamma[c] * (x(i, j) - moving_mean[c]) / std::sqrt(moving_var[c] + 1e-3) + beta[c];
      worst = std::max(worst, std::abs(z(i, j) - want));
    }
  BOOST_TEST(worst < 1e-12);
  const Eigen::Matrix<double, 24, 1> one = x.col(2);
  BOOST_TEST((net->predict(one) - z.col(2)).norm() < 1e-12);
  net->update_buffers(*ws);
  BOOST_TEST((net->buffers().segment<4>(0) - moving_mean).norm() == 0.0);
}

BOOST_AUTO_TEST_CASE(options_as_keras_names_them) {
  // Momentum 0.9, epsilon 0.01, no beta (center) and no gamma (scale): no parameters, still buffers.
  using Net = basic_sequential<double, Input<3>, BatchNormalization<0.9, 0.01, false, false>>;
  static_assert(Net::parameter_count == 0 && Net::buffer_count == 6);
  auto net = std::make_unique<Net>();
  Net::workspace<4> ws;
  const Eigen::Matrix<double, 3, 4> x = Eigen::Matrix<double, 3, 4>::Random();
  const Eigen::MatrixXd y = net->forward(ws, x, mode::training);
  const auto [mean, var] = moments<3>(x);
  for (Eigen::Index c = 0; c < 3; ++c)
    BOOST_TEST(y(c, 1) == (x(c, 1) - mean[c]) / std::sqrt(var[c] + 0.01), tt::tolerance(1e-12));
  net->update_buffers(ws);
  BOOST_TEST((net->buffers().head<3>() - 0.1 * mean).norm() < 1e-14);
}

namespace {
// predict of one sample of features takes its own one-pass path; it must give Keras' formula with the
// moving statistics, with and without beta and gamma, in float as in double.
template <class Scalar, bool Center, bool Scale>
double worst_one_sample_error() {
  using Net = basic_sequential<Scalar, Input<37>, BatchNormalization<0.99, 0.001, Center, Scale>>;
  auto net = std::make_unique<Net>(1);
  net->parameters().setRandom();
  net->buffers().setRandom();
  net->buffers().template tail<Net::buffer_size - Net::template layer_type<0>::step>().array() += Scalar(1);
  const Eigen::Matrix<Scalar, 37, 1> x = Eigen::Matrix<Scalar, 37, 1>::Random();
  const Eigen::Matrix<Scalar, 37, 1> y = net->predict(x);
  const auto* p = net->parameters().data();
  const auto* b = net->buffers().data();
  using Layer = typename Net::template layer_type<0>;
  double worst = 0;
  for (std::size_t c = 0; c < 37; ++c) {
    double want = (double(x[Eigen::Index(c)]) - double(b[c])) / std::sqrt(double(b[Layer::step + c]) + 1e-3);
    if constexpr (Scale) want *= double(p[Layer::gamma_offset + c]);
    if constexpr (Center) want += double(p[Layer::beta_offset + c]);
    worst = std::max(worst, std::abs(double(y[Eigen::Index(c)]) - want) / std::max(1.0, std::abs(want)));
  }
  return worst;
}
}  // namespace

BOOST_AUTO_TEST_CASE(one_sample_predict_is_the_formula_with_the_moving_statistics) {
  BOOST_TEST((worst_one_sample_error<double, true, true>()) < 1e-14);
  BOOST_TEST((worst_one_sample_error<double, true, false>()) < 1e-14);
  BOOST_TEST((worst_one_sample_error<double, false, true>()) < 1e-14);
  BOOST_TEST((worst_one_sample_error<double, false, false>()) < 1e-14);
  BOOST_TEST((worst_one_sample_error<float, true, true>()) < 1e-6);
  BOOST_TEST((worst_one_sample_error<float, false, false>()) < 1e-6);
}

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  // Training mode: the batch statistics depend on every sample, and backward must say so.
  const double errors[] = {
      testing::check_layer_gradients<BatchNormalization<>, shape<7>, 4>().worst(),
      testing::check_layer_gradients<BatchNormalization<>, shape<4, 3, 5>, 3>().worst(),
      testing::check_layer_gradients<BatchNormalization<0.9, 0.01, false, true>, shape<2, 2, 6>, 4>().worst(),
      testing::check_layer_gradients<BatchNormalization<0.9, 0.01, true, false>, shape<5>, 6>().worst(),
      // Inference mode: a fixed affine map.
      testing::check_layer_gradients<BatchNormalization<>, shape<7>, 4>(1, 1e-5, mode::inference).worst(),
      testing::check_layer_gradients<Residual<Dense<7>, BatchNormalization<>>, shape<7>, 4>().worst(),
  };
  for (double e : errors) {
    BOOST_TEST_MESSAGE("relative error " << e);
    BOOST_TEST(e < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(a_residual_cnn_with_batch_normalization_has_exact_gradients) {
  using Net =
      basic_sequential<double, Input<6, 6, 2>, Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                       Residual<Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                                Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>>,
                       ReLU, GlobalAveragePool2D, Dense<3>, Softmax>;
  auto net = std::make_unique<Net>(4);
  Eigen::Matrix<double, 72, Eigen::Dynamic> x = Eigen::Matrix<double, 72, Eigen::Dynamic>::Random(72, 5);
  const std::vector<int> y{0, 1, 2, 1, 0};
  const auto r = testing::check_network_gradients<Net, 5>(*net, x, SparseCategoricalCrossEntropy{}, y);
  BOOST_TEST_MESSAGE("residual CNN with BatchNormalization: input " << r.input << ", parameters "
                                                                    << r.parameters);
  BOOST_TEST(r.worst() < 1e-6);
}

BOOST_AUTO_TEST_CASE(no_optimiser_or_weight_decay_touches_the_buffers) {
  using Net = Sequential<Input<4>, Dense<3>, BatchNormalization<>, Dense<2>>;
  auto net = std::make_unique<Net>(1);
  net->buffers().setConstant(0.5f);
  net->gradients().setOnes();
  optimizer<Net, Adam> adam(Adam{.weight_decay = 0.1});
  optimizer<Net, SGD> sgd(SGD{.momentum = 0.9, .weight_decay = 0.1});
  const Eigen::VectorXf before = net->parameters();
  adam.step(*net);
  sgd.step(*net);
  BOOST_TEST((net->parameters() - before).norm() > 0.0f);
  BOOST_TEST((net->buffers().array() == 0.5f).all());
}

namespace {
// Three epochs of batches of 16 over 37 samples (the last batch: 5 samples), on `threads` threads.
using Small = basic_sequential<double, Input<4, 4, 2>, Conv2D<3, 3, 3, Padding::same>, BatchNormalization<>,
                               ReLU, Flatten, Dense<6>, BatchNormalization<0.9>, ReLU, Dense<3>, Softmax>;
std::unique_ptr<Small> train(std::size_t threads, std::size_t samples = 37) {
  auto net = std::make_unique<Small>(2);
  random_engine rng(11);  // the same data for every call
  Eigen::MatrixXd x(32, static_cast<Eigen::Index>(samples));
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  std::vector<int> y(samples);
  for (std::size_t j = 0; j < samples; ++j)
    y[j] = (x(0, static_cast<Eigen::Index>(j)) > 0) + (x(5, static_cast<Eigen::Index>(j)) > 0.3);
  trainer t(*net, SparseCategoricalCrossEntropy{}, Adam{});
  t.fit(x, y, fit_options{.epochs = 3, .batch_size = 16, .verbose = 0, .threads = threads});
  return net;
}
}  // namespace

BOOST_AUTO_TEST_CASE(threads_share_the_whole_batch_statistics) {
  // The threads exchange their sums: the statistics and gradients are the whole batch's, so two or
  // three threads train as one does, up to rounding, and the moving statistics agree as well.
  const auto one = train(1);
  for (std::size_t threads : {2, 3}) {
    const auto many = train(threads);
    const double dp = (many->parameters() - one->parameters()).norm() / one->parameters().norm();
    const double db = (many->buffers() - one->buffers()).norm() / one->buffers().norm();
    BOOST_TEST_MESSAGE(threads << " threads: parameters differ by " << dp << ", buffers by " << db);
    BOOST_TEST(dp < 1e-12);
    BOOST_TEST(db < 1e-12);
  }
  // A batch smaller than the team: a thread without samples takes no part in the exchanges.
  const auto tiny_one = train(1, 17), tiny_three = train(3, 17);
  BOOST_TEST((tiny_three->buffers() - tiny_one->buffers()).norm() < 1e-12);
  // And the moving statistics did move.
  BOOST_TEST((one->buffers().head<3>().array() != 0).all());
}

BOOST_AUTO_TEST_CASE(files_keep_the_buffers_and_summaries_count_them) {
  const auto trained = train(1);
  const auto path =
      std::filesystem::temp_directory_path() / ("ctnn_bn_" + std::to_string(::getpid()) + ".ctnn");
  save(*trained, path);
  auto loaded = std::make_unique<Small>(9);
  load(*loaded, path);
  std::filesystem::remove(path);
  BOOST_TEST((loaded->buffers().array() == trained->buffers().array()).all());
  BOOST_TEST((loaded->parameters().array() == trained->parameters().array()).all());
  const Eigen::Matrix<double, 32, 1> x = Eigen::Matrix<double, 32, 1>::Random();
  BOOST_TEST((loaded->predict(x) - trained->predict(x)).norm() == 0.0);

  std::ostringstream os;
  summary<Small>(os);
  const std::string s = os.str();
  BOOST_TEST_MESSAGE(s);
  // Keras: each BatchNormalization row counts gamma, beta and both moving statistics.
  BOOST_TEST(s.find("batch_normalization (BatchNormalization)") != std::string::npos);
  BOOST_TEST(s.find("batch_normalization_1 (BatchNormalization)") != std::string::npos);
  BOOST_TEST(Small::parameter_count == 57 + 6 + 294 + 12 + 21);
  BOOST_TEST(Small::buffer_count == 6 + 12);
  BOOST_TEST(s.find("Total params: 408 (3.19 KB)") != std::string::npos);
  BOOST_TEST(s.find("Trainable params: 390 (3.05 KB)") != std::string::npos);
  BOOST_TEST(s.find("Non-trainable params: 18 (144 B)") != std::string::npos);
}
