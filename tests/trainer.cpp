// Tests for ctnn/trainer.hpp. Training runs on a real MNIST subset (a few thousand images, one
// epoch): the full recipes are examples, not tests.
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/ctnn.hpp>
#include <ctnn/data/mnist.hpp>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>

using namespace ctnn;

namespace {
const data::mnist& mnist() {
  static const data::mnist m = data::load_mnist();
  return m;
}
// The first n columns / labels of a set.
Eigen::Matrix<float, 784, Eigen::Dynamic> first_images(const data::image_set& s, Eigen::Index n) {
  return s.images.leftCols(n);
}
std::vector<int> first_labels(const data::image_set& s, std::size_t n) {
  return {s.labels.begin(), s.labels.begin() + static_cast<long>(n)};
}
// What the std::invalid_argument that `call` throws says ("" if it throws none).
template <class Call>
std::string invalid_argument_message(Call&& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
fit_options quiet(std::size_t epochs, std::size_t batch, std::uint64_t seed = 1) {
  return {.epochs = epochs, .batch_size = batch, .seed = seed, .verbose = 0};
}
}  // namespace

BOOST_AUTO_TEST_CASE(mnist_subset_accuracy_rises_well_above_chance) {
  using Net = Sequential<Input<28, 28>, Flatten, Dense<128>, ReLU, Dropout<0.2>, Dense<10>, Softmax>;
  const auto x = first_images(mnist().train, 4000);
  const auto y = first_labels(mnist().train, 4000);
  const auto tx = first_images(mnist().test, 2000);
  const auto ty = first_labels(mnist().test, 2000);
  auto net = std::make_unique<Net>(1);
  trainer t(*net, SparseCategoricalCrossEntropy{}, Adam{});
  const double before = t.evaluate(tx, ty).accuracy();
  const history h = t.fit(x, y, tx, ty, quiet(1, 32));
  const evaluation after = t.evaluate(tx, ty);
  BOOST_TEST_MESSAGE("accuracy before " << before << ", after one epoch on 4000 images " << after.accuracy());
  BOOST_TEST(before < 0.3);
  BOOST_TEST(after.accuracy() > 0.85);
  BOOST_TEST(h["val_accuracy"].back() == after.accuracy(), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(h["val_loss"].back() == after.loss, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(h["loss"].size() == 1u);
  // predict agrees with evaluate's confusion matrix.
  const auto p = t.predict(tx);
  std::size_t right = 0;
  for (Eigen::Index j = 0; j < p.cols(); ++j) {
    Eigen::Index k;
    p.col(j).maxCoeff(&k);
    right += k == ty[static_cast<std::size_t>(j)];
  }
  BOOST_TEST(static_cast<double>(right) / 2000.0 == after.accuracy(), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(one_hot_targets_with_rmsprop_and_sgd) {
  using Net = Sequential<Input<784>, Dense<64>, ReLU, Dense<10>, Softmax>;
  const auto x = first_images(mnist().train, 3000);
  const auto y = data::one_hot<10>(first_labels(mnist().train, 3000));
  const auto tx = first_images(mnist().test, 1000);
  const auto ty = data::one_hot<10>(first_labels(mnist().test, 1000));
  auto a = std::make_unique<Net>(2);
  trainer ta(*a, CategoricalCrossEntropy{}, RMSprop{});
  ta.fit(x, y, quiet(1, 32));
  BOOST_TEST(ta.evaluate(tx, ty).accuracy() > 0.8);
  auto b = std::make_unique<Net>(2);
  trainer tb(*b, CategoricalCrossEntropy{}, SGD{.learning_rate = 0.1, .momentum = 0.9});
  tb.fit(x, y, quiet(1, 64));
  BOOST_TEST(tb.evaluate(tx, ty).accuracy() > 0.8);
}

BOOST_AUTO_TEST_CASE(same_seed_same_weights_bit_for_bit) {
  using Net = Sequential<Input<20>, Dense<16>, Tanh, Dropout<0.3>, Dense<3>, Softmax>;
  Eigen::Matrix<float, 20, Eigen::Dynamic> x = Eigen::Matrix<float, 20, Eigen::Dynamic>::Random(20, 300);
  std::vector<int> y(300);
  for (std::size_t i = 0; i < y.size(); ++i)
    y[i] = x(0, static_cast<Eigen::Index>(i)) > 0 ? 1 : (x(1, static_cast<Eigen::Index>(i)) > 0 ? 2 : 0);
  auto train = [&](std::uint64_t seed) {
    Net net(7);
    trainer t(net, SparseCategoricalCrossEntropy{}, Adam{});
    t.fit(x, y, quiet(3, 16, seed));
    return Eigen::VectorXf(net.parameters());
  };
  const Eigen::VectorXf a = train(5), b = train(5), c = train(6);
  BOOST_TEST((a.array() == b.array()).all());
  BOOST_TEST((a - c).norm() > 0.0f);
}

BOOST_AUTO_TEST_CASE(threads_share_a_batch_and_give_the_same_step) {
  // Without Dropout, a step on two threads is the one-thread step up to rounding: each thread's
  // gradient is a mean over its share, weighted by the share. 37 samples in batches of 16: the
  // partial last batch of 5 splits 2 + 3, and with 8 threads some lanes get no sample at all.
  using Net = Sequential<Input<20>, Dense<16>, Tanh, Dense<3>, Softmax>;
  Eigen::Matrix<float, 20, Eigen::Dynamic> x = Eigen::Matrix<float, 20, Eigen::Dynamic>::Random(20, 37);
  const auto y = data::one_hot<3>(std::vector<int>(37, 1));
  auto train = [&](std::size_t threads) {
    Net net(3);
    trainer t(net, CategoricalCrossEntropy{}, SGD{.learning_rate = 0.5});
    fit_options o = quiet(2, 16);
    o.threads = threads;
    const history h = t.fit(x, y, x, y, o);
    return std::pair{Eigen::VectorXf(net.parameters()), h["val_loss"].back()};
  };
  const auto [one, loss1] = train(1);
  for (std::size_t threads : {2u, 3u, 8u}) {
    const auto [many, loss] = train(threads);
    BOOST_TEST_INFO("threads " << threads);
    BOOST_TEST((many - one).cwiseAbs().maxCoeff() < 1e-5f);
    BOOST_TEST(loss == loss1, boost::test_tools::tolerance(1e-5));
    BOOST_TEST((many - one).norm() > 0.0f);  // and yet not the same arithmetic: a real split
  }
}

BOOST_AUTO_TEST_CASE(threads_with_dropout_repeat_bit_for_bit) {
  using Net = Sequential<Input<20>, Dense<16>, ReLU, Dropout<0.3>, Dense<3>, Softmax>;
  Eigen::Matrix<float, 20, Eigen::Dynamic> x = Eigen::Matrix<float, 20, Eigen::Dynamic>::Random(20, 300);
  std::vector<int> y(300);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = x(0, static_cast<Eigen::Index>(i)) > 0 ? 1 : 0;
  auto train = [&](std::size_t threads) {
    Net net(7);
    trainer t(net, SparseCategoricalCrossEntropy{}, Adam{});
    fit_options o = quiet(3, 32, 4);
    o.threads = threads;
    t.fit(x, y, o);
    return Eigen::VectorXf(net.parameters());
  };
  const Eigen::VectorXf a = train(2), b = train(2), c = train(1);
  BOOST_TEST((a.array() == b.array()).all());
  BOOST_TEST((a - c).norm() > 0.0f);  // other masks: lanes draw from streams of their own
}

BOOST_AUTO_TEST_CASE(the_last_partial_batch_is_trained_on) {
  using Net = Sequential<Input<2>, Dense<1>>;
  Net net;
  const Eigen::Matrix<float, 2, Eigen::Dynamic> x = Eigen::Matrix<float, 2, Eigen::Dynamic>::Random(2, 10);
  const Eigen::Matrix<float, 1, Eigen::Dynamic> y = Eigen::Matrix<float, 1, Eigen::Dynamic>::Random(1, 10);
  trainer t(net, MeanSquaredError{}, Adam{});
  t.fit(x, y, quiet(2, 4));  // 4 + 4 + 2 samples: three steps an epoch
  BOOST_TEST(t.optimizer().state().iterations == 6);
}

// fit_options::learning_rate_schedule, as Keras' LearningRateScheduler: called before every epoch with
// the epoch (from 0) and the current rate; the rate it gives is the one the epoch trains with.
BOOST_AUTO_TEST_CASE(a_learning_rate_schedule_sets_each_epochs_rate) {
  using Net = Sequential<Input<4>, Dense<8>, Tanh, Dense<1>>;
  const Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 64);
  const Eigen::Matrix<float, 1, Eigen::Dynamic> y = x.colwise().sum() * 0.5f;
  auto train = [&](std::size_t epochs, std::function<double(std::size_t, double)> schedule,
                   std::vector<std::pair<std::size_t, double>>* calls = nullptr) {
    auto net = std::make_unique<Net>(3);
    trainer t(*net, MeanSquaredError{}, SGD{.learning_rate = 0.05});
    fit_options o = quiet(epochs, 8);
    o.learning_rate_schedule = [&, schedule](std::size_t epoch, double rate) {
      if (calls) calls->push_back({epoch, rate});
      return schedule(epoch, rate);
    };
    const history h = t.fit(x, y, o);
    BOOST_TEST(t.optimizer().settings().learning_rate == h["learning_rate"].back());
    return std::pair{Eigen::VectorXf(net->parameters()), h};
  };
  // Halved every epoch: called with 0, 1, 2 and the rate the last call gave.
  std::vector<std::pair<std::size_t, double>> calls;
  const auto [halved, h] = train(
      3, [](std::size_t, double rate) { return rate / 2; }, &calls);
  BOOST_TEST(calls.size() == 3u);
  for (std::size_t e = 0; e < calls.size(); ++e) BOOST_TEST(calls[e].first == e);
  BOOST_TEST(calls[0].second == 0.05);
  BOOST_TEST(calls[2].second == 0.0125);
  BOOST_TEST(h["learning_rate"] == (std::vector<double>{0.025, 0.0125, 0.00625}),
             boost::test_tools::per_element());
  // The rate is the one trained with: a rate of 0 after the first epoch leaves the first epoch's weights.
  const auto once = train(1, [](std::size_t, double rate) { return rate; }).first;
  const auto frozen = train(3, [](std::size_t epoch, double rate) { return epoch == 0 ? rate : 0.0; }).first;
  const auto constant = train(3, [](std::size_t, double rate) { return rate; }).first;
  BOOST_TEST((frozen.array() == once.array()).all());
  BOOST_TEST((constant - once).norm() > 0.0f);
  BOOST_TEST((halved - constant).norm() > 0.0f);
  // A rate that is not a rate stops fit before the epoch, naming the value and the epoch.
  const std::string m = invalid_argument_message(
      [&] { train(3, [](std::size_t epoch, double rate) { return epoch == 1 ? std::nan("") : rate; }); });
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find("learning_rate_schedule gave nan for epoch 2") != std::string::npos);
  BOOST_TEST(!invalid_argument_message([&] { train(1, [](std::size_t, double) { return -1.0; }); }).empty());
}

BOOST_AUTO_TEST_CASE(a_loss_that_stops_being_a_number_stops_fit_with_the_epoch_and_step) {
  using Net = Sequential<Input<3>, Dense<8>, Dense<1>>;
  Net net(1);
  const Eigen::Matrix<float, 3, Eigen::Dynamic> x =
      Eigen::Matrix<float, 3, Eigen::Dynamic>::Random(3, 64) * 100;
  const Eigen::Matrix<float, 1, Eigen::Dynamic> y =
      Eigen::Matrix<float, 1, Eigen::Dynamic>::Random(1, 64) * 100;
  trainer t(net, MeanSquaredError{}, SGD{.learning_rate = 1e6});
  try {
    t.fit(x, y, quiet(5, 8));
    BOOST_FAIL("fit did not stop");
  } catch (const training_error& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE(m);
    BOOST_TEST(m.find("at epoch 1, step ") != std::string::npos);
    BOOST_TEST(m.find("of 8") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(early_stopping_and_restoring_the_best_weights) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 64);
  std::vector<int> y(64);
  for (std::size_t i = 0; i < 64; ++i) y[i] = static_cast<int>(i % 3);
  Net net(1), first_epoch(1);
  {
    trainer once(first_epoch, SparseCategoricalCrossEntropy{}, SGD{});
    once.fit(x, y, quiet(1, 16));
  }
  trainer t(net, SparseCategoricalCrossEntropy{}, SGD{});
  fit_options o = quiet(10, 16);
  o.stop = early_stopping{.monitor = "loss", .patience = 1, .min_delta = 1e9, .restore_best_weights = true};
  const history h = t.fit(x, y, o);
  BOOST_TEST(h.epochs() ==
             2u);  // epoch 1 sets the best; epoch 2 fails to beat it by 1e9: patience 1 is spent
  BOOST_TEST((net.parameters() - first_epoch.parameters()).norm() == 0.0f);
  o.stop->monitor = "val_accuracy";  // not recorded without validation data
  BOOST_CHECK_THROW(t.fit(x, y, o), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported_before_training) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  Net net;
  trainer t(net, SparseCategoricalCrossEntropy{}, Adam{});
  Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 5);
  auto message = [](auto&& call) { return invalid_argument_message(call); };
  const std::vector<int> ok{0, 1, 2, 0, 1}, out_of_range{0, 1, 3, 0, 1}, short_labels{0, 1};
  BOOST_TEST(message([&] {
               t.fit(x, out_of_range, quiet(1, 4));
             }).find("label 3 at index 2 is outside [0, 3)") != std::string::npos);
  BOOST_TEST(message([&] {
               t.fit(x, short_labels, quiet(1, 4));
             }).find("fit: x has 5 samples (columns) but y has 2 labels") != std::string::npos);
  BOOST_TEST(message([&] { t.fit(x, ok, quiet(1, 500)); }).find("batch size 500 is outside [1, 128]") !=
             std::string::npos);
  x(2, 3) = std::nanf("");
  BOOST_TEST(message([&] { t.fit(x, ok, quiet(1, 4)); }).find("sample 3 (column 3) holds NaN at row 2") !=
             std::string::npos);
  x(2, 3) = std::numeric_limits<float>::infinity();
  BOOST_TEST(message([&] {
               t.evaluate(x, ok);
             }).find("evaluate: sample 3 (column 3) holds infinity at row 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_progress_lines_when_not_a_terminal) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  Net net;
  trainer t(net, SparseCategoricalCrossEntropy{}, Adam{});
  Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 40);
  std::vector<int> y(40, 1);
  std::ostringstream out;
  fit_options o{.epochs = 2, .batch_size = 8, .out = &out, .metrics = {metric::accuracy, metric::f1}};
  const history h = t.fit(x, y, x, y, o);
  const std::string s = out.str();
  BOOST_TEST_MESSAGE(s);
  BOOST_TEST(s.find("Epoch 1/2 - 5/5 [==============================]") != std::string::npos);
  BOOST_TEST(s.find("Epoch 2/2 - 5/5") != std::string::npos);
  BOOST_TEST(s.find(" - loss: ") != std::string::npos);
  BOOST_TEST(s.find(" - f1: ") != std::string::npos);
  BOOST_TEST(s.find(" - val_accuracy: ") != std::string::npos);
  BOOST_TEST(s.find('\r') == std::string::npos);
  BOOST_TEST(h.has("val_f1"));
}

BOOST_AUTO_TEST_CASE(binary_accuracy_with_sigmoid_and_binary_cross_entropy) {
  using Net = Sequential<Input<2>, Dense<8>, Tanh, Dense<1>, Sigmoid>;
  Net net(3);
  // Inside or outside a circle of radius 0.6.
  Eigen::Matrix<float, 2, Eigen::Dynamic> x = Eigen::Matrix<float, 2, Eigen::Dynamic>::Random(2, 2000);
  Eigen::Matrix<float, 1, Eigen::Dynamic> y(1, 2000);
  for (Eigen::Index i = 0; i < 2000; ++i) y(0, i) = x.col(i).norm() < 0.6f ? 1.0f : 0.0f;
  trainer t(net, BinaryCrossEntropy{}, Adam{.learning_rate = 0.01});
  const double before = t.evaluate(x, y).accuracy();
  t.fit(x, y, quiet(20, 32));
  const evaluation e = t.evaluate(x, y);
  BOOST_TEST_MESSAGE("binary accuracy " << before << " -> " << e.accuracy());
  BOOST_TEST(e.confusion.classes() == 2u);
  BOOST_TEST(e.accuracy() > 0.9);
  BOOST_TEST(e.accuracy() > before);
}

// Data of run-time size is checked before any view of it is made (a 3-row matrix for Input<4> used
// to be read past its end), and each message names the argument, the size expected and the size given.
BOOST_AUTO_TEST_CASE(run_time_sizes_are_checked_first_with_both_sizes) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  Net net(1);
  const Eigen::VectorXf before = net.parameters();
  trainer t(net, CategoricalCrossEntropy{}, Adam{});
  auto message = [](auto&& call) { return invalid_argument_message(call); };
  const Eigen::MatrixXf three_rows = Eigen::MatrixXf::Random(3, 50), x = Eigen::MatrixXf::Random(4, 50);
  const Eigen::MatrixXf y = Eigen::MatrixXf::Identity(3, 50), y_two_rows = Eigen::MatrixXf::Zero(2, 50);
  const Eigen::MatrixXf y_short = Eigen::MatrixXf::Identity(3, 40);
  const std::string rows = "x has 3 rows, but the network takes 4 values per sample";
  BOOST_TEST(message([&] { t.fit(three_rows, y, quiet(1, 8)); }).find("fit: " + rows) != std::string::npos);
  BOOST_TEST(message([&] { t.evaluate(three_rows, y); }).find("evaluate: " + rows) != std::string::npos);
  BOOST_TEST(message([&] { t.predict(three_rows); }).find("predict: " + rows) != std::string::npos);
  BOOST_TEST(message([&] {
               t.fit(x, y, three_rows, y, quiet(1, 8));
             }).find("the validation samples has 3 rows") != std::string::npos);
  BOOST_TEST(message([&] {
               t.fit(x, y_two_rows, quiet(1, 8));
             }).find("fit: y has 2 rows, but the network has 3 outputs") != std::string::npos);
  BOOST_TEST(message([&] {
               t.fit(x, y_short, quiet(1, 8));
             }).find("fit: x has 50 samples (columns) but y has 40 targets (columns)") != std::string::npos);
  BOOST_TEST((net.parameters() - before).norm() == 0.0f);  // nothing trained

  // One input per sample: a 2 x 50 matrix is not 100 samples, and predict does not flatten 3 x 10.
  using One = Sequential<Input<1>, Dense<1>>;
  One one;
  trainer t1(one, MeanSquaredError{}, SGD{});
  BOOST_TEST(message([&] {
               t1.fit(Eigen::MatrixXf::Random(2, 50), Eigen::MatrixXf::Zero(1, 50), quiet(1, 8));
             }).find("x has 2 rows, but the network takes 1 values") != std::string::npos);
  BOOST_TEST(message([&] { t1.predict(Eigen::MatrixXf::Random(3, 10)); }).find("x has 3 rows") !=
             std::string::npos);
  BOOST_TEST(t1.predict(Eigen::MatrixXf::Random(1, 10)).cols() == 10);
}

BOOST_AUTO_TEST_CASE(options_are_checked_before_the_first_epoch) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  Net net(1);
  const Eigen::VectorXf before = net.parameters();
  trainer t(net, SparseCategoricalCrossEntropy{}, SGD{});
  const Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 32);
  const std::vector<int> y(32, 1);
  auto message = [&](const fit_options& o, bool validation = false) -> std::string {
    try {
      if (validation)
        t.fit(x, y, x, y, o);
      else
        t.fit(x, y, o);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  fit_options o = quiet(3, 8);
  o.stop = early_stopping{.monitor = "val_acc"};
  BOOST_TEST(
      message(o, true).find("early_stopping monitors 'val_acc', which this fit does not record; it records "
                            "loss, accuracy, val_loss, val_accuracy, seconds") != std::string::npos);
  o.stop = early_stopping{.monitor = "val_loss"};
  BOOST_TEST(message(o).find("early_stopping monitors 'val_loss', which needs validation data") !=
             std::string::npos);
  o.stop.reset();
  o.best_model = "/nonexistent-ctnn-folder/best.ctnn";
  BOOST_TEST(message(o, true).find("best_model is '/nonexistent-ctnn-folder/best.ctnn', but the folder "
                                   "'/nonexistent-ctnn-folder' does not exist") != std::string::npos);
  o.best_model.clear();
  o.checkpoint = "/nonexistent-ctnn-folder/run.ckpt";
  BOOST_TEST(message(o).find("checkpoint is '/nonexistent-ctnn-folder/run.ckpt', but the folder") !=
             std::string::npos);
  o.checkpoint.clear();
  o.batch_size = 0;
  BOOST_TEST(message(o).find("batch size 0; it must be at least 1") != std::string::npos);
  BOOST_TEST((net.parameters() - before).norm() == 0.0f);  // no epoch ran

  // epochs = 0 trains nothing and returns the series it would have recorded, empty.
  const history h = t.fit(x, y, x, y, quiet(0, 8));
  BOOST_TEST(h.epochs() == 0u);
  BOOST_TEST(h["loss"].empty());
  BOOST_TEST(h["val_accuracy"].empty());
  BOOST_TEST((net.parameters() - before).norm() == 0.0f);
}

// Keras' rule: with patience P, training stops after the P-th epoch in a row that did not improve on
// the best (here the first epoch's loss, which no later epoch beats by 1e9): epochs 1 + P.
BOOST_AUTO_TEST_CASE(early_stopping_stops_as_keras_does) {
  using Net = Sequential<Input<4>, Dense<3>, Softmax>;
  const Eigen::Matrix<float, 4, Eigen::Dynamic> x = Eigen::Matrix<float, 4, Eigen::Dynamic>::Random(4, 32);
  const std::vector<int> y(32, 1);
  for (std::size_t patience : {0u, 1u, 3u}) {
    Net net(1);
    trainer t(net, SparseCategoricalCrossEntropy{}, SGD{});
    fit_options o = quiet(20, 8);
    o.stop = early_stopping{.monitor = "loss", .patience = patience, .min_delta = 1e9};
    BOOST_TEST(t.fit(x, y, o).epochs() == std::max<std::size_t>(2, 1 + patience));
  }
}

// The terminal's progress line fits its width: the bar narrows, then goes, then the last fields go.
BOOST_AUTO_TEST_CASE(progress_lines_fit_the_terminal) {
  using T = trainer<Sequential<Input<4>, Dense<3>, Softmax>, SparseCategoricalCrossEntropy, SGD>;
  T::progress_parts p{"469/469",
                      1.0,
                      " - 2.0s 4ms/step",
                      {"loss: 0.2345", "accuracy: 0.9300", "val_loss: 0.1234", "val_accuracy: 0.9600"}};
  const std::string wide = T::progress_line(p, 200);
  BOOST_TEST(wide ==
             "469/469 [==============================] - 2.0s 4ms/step - loss: 0.2345 - accuracy: 0.9300 - "
             "val_loss: 0.1234 - val_accuracy: 0.9600");
  const std::string narrow = T::progress_line(p, 80);
  BOOST_TEST_MESSAGE(narrow);
  BOOST_TEST(narrow.size() <= 79u);
  // Too long with the narrowest bar: the last fields go.
  BOOST_TEST(narrow == "469/469 [==========] - 2.0s 4ms/step - loss: 0.2345 - accuracy: 0.9300");
  T::progress_parts training{"12/469", 12.0 / 469, " - ETA: 3s", {"loss: 0.2345", "accuracy: 0.9300"}};
  const std::string bar = T::progress_line(training, 100);  // fits with a 30-character bar
  BOOST_TEST(bar == "12/469 [>.............................] - ETA: 3s - loss: 0.2345 - accuracy: 0.9300");
  const std::string shorter = T::progress_line(training, 80);  // the bar narrows to fit
  BOOST_TEST(shorter.size() <= 79u);
  BOOST_TEST(shorter.find(" [>....") != std::string::npos);
  BOOST_TEST(shorter.find("accuracy: 0.9300") != std::string::npos);
  const std::string small = T::progress_line(p, 60);  // the bar and the loss
  BOOST_TEST(small == "469/469 [==========] - 2.0s 4ms/step - loss: 0.2345");
  const std::string tiny = T::progress_line(p, 40);  // the loss alone, without the bar
  BOOST_TEST(tiny == "469/469 - 2.0s 4ms/step - loss: 0.2345");
  BOOST_TEST(T::progress_line(p, 20).size() == 19u);  // cut
  BOOST_TEST(T::progress_line(p, 0) == wide);         // not a terminal: no limit
}
