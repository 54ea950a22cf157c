// The hot path allocates nothing: predict, forward, backward (every loss, fused or not, full and
// partial batches), zero_gradients and optimizer steps, on a small network and on the MNIST MLP.
// Three independent witnesses: the global operator new of this program counts every call; malloc,
// calloc, realloc and aligned_alloc are interposed and counted too (not under AddressSanitizer,
// which owns them), which also covers OpenBLAS when the products go there; and Eigen's allocator is
// armed with EIGEN_RUNTIME_NO_MALLOC so that any Eigen heap allocation is recorded.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace alloc_test {
inline std::atomic<bool> armed{false};
inline std::atomic<long> news{0};
inline std::atomic<long> mallocs{0};
inline std::atomic<long> eigen_failures{0};
inline void eigen_assert_failed() {
  ++eigen_failures;
}
}  // namespace alloc_test

// glibc lets a program replace malloc and friends; the originals stay reachable as __libc_*.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTNN_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CTNN_TEST_UNDER_ASAN 1
#endif

#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(x)                            \
  do {                                             \
    if (!(x)) ::alloc_test::eigen_assert_failed(); \
  } while (false)

#define BOOST_TEST_MODULE allocation
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

// After every system header, so that these definitions follow the declarations they replace.
#ifndef CTNN_TEST_UNDER_ASAN
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void* malloc(std::size_t n) noexcept {
  if (alloc_test::armed) ++alloc_test::mallocs;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t s) noexcept {
  if (alloc_test::armed) ++alloc_test::mallocs;
  return __libc_calloc(n, s);
}
void* realloc(void* p, std::size_t n) noexcept {
  if (alloc_test::armed) ++alloc_test::mallocs;
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t a, std::size_t n) noexcept {
  if (alloc_test::armed) ++alloc_test::mallocs;
  return __libc_memalign(a, n);
}
int posix_memalign(void** p, std::size_t a, std::size_t n) noexcept {
  if (alloc_test::armed) ++alloc_test::mallocs;
  *p = __libc_memalign(a, n);
  return *p ? 0 : 12;
}
}
#endif

namespace {
void* counted(std::size_t n, std::size_t align) {
  if (alloc_test::armed) ++alloc_test::news;
  if (n == 0) n = 1;
  void* p = align <= alignof(std::max_align_t) ? std::malloc(n)
                                               : std::aligned_alloc(align, (n + align - 1) / align * align);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  return counted(n, 0);
}
void* operator new[](std::size_t n) {
  return counted(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace {
/// Counts allocations made while it lives, by operator new and by Eigen.
struct no_allocation_zone {
  long news_before = alloc_test::news, mallocs_before = alloc_test::mallocs,
       eigen_before = alloc_test::eigen_failures;
  no_allocation_zone() {
    alloc_test::armed = true;
    Eigen::internal::set_is_malloc_allowed(false);
  }
  ~no_allocation_zone() { release(); }
  void release() {
    alloc_test::armed = false;
    Eigen::internal::set_is_malloc_allowed(true);
  }
  long allocations() const {
    // operator new calls malloc too: count it once, through whichever witness saw more.
    const long news = alloc_test::news - news_before, mallocs = alloc_test::mallocs - mallocs_before;
    return std::max(news, mallocs) + (alloc_test::eigen_failures - eigen_before);
  }
};

/// fit allocates (its shuffle order, the history, the position a checkpoint would save) per epoch, not
/// per step: the allocations of one epoch of 4 steps and of one of 40 (batches of 16, two threads
/// sharing each), after a first fit has started the threads and sized every buffer.
template <class Net>
void fit_allocates_per_epoch_not_per_step(const char* what) {
  constexpr std::size_t rows = Net::input_shape::size;
  auto net = std::make_unique<Net>();
  ctnn::trainer t(*net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  const Eigen::Matrix<float, rows, Eigen::Dynamic> x =
      Eigen::Matrix<float, rows, Eigen::Dynamic>::Random(rows, 640);
  std::vector<int> y(640);
  for (std::size_t j = 0; j < y.size(); ++j) y[j] = static_cast<int>(j % 10);
  const ctnn::fit_options o{.epochs = 1, .batch_size = 16, .verbose = 0, .threads = 2};
  t.fit(x, y, o);
  long counts[2];
  for (int i = 0; i < 2; ++i) {
    const Eigen::Index n = i == 0 ? 64 : 640;
    no_allocation_zone zone;
    t.fit(x.leftCols(n), std::span<const int>(y.data(), static_cast<std::size_t>(n)), o);
    zone.release();
    counts[i] = zone.allocations();
  }
  BOOST_TEST_MESSAGE("allocations in fit (" << what << "): " << counts[0] << " for 4 steps, " << counts[1]
                                            << " for 40");
  BOOST_TEST(counts[0] == counts[1]);
  BOOST_TEST(counts[0] < 40);
}

/// Two rounds of training steps (forward in training mode, backward, Adam; forward and the fused SGD
/// step), each followed by the buffers' update, then predict with the network's workspace and with the
/// caller's (const): nothing allocated after construction, in one sample or a batch of 8.
template <class Net>
void steps_allocate_nothing() {
  constexpr std::size_t rows = Net::input_shape::size;
  auto net = std::make_unique<Net>();
  auto ws = std::make_unique<typename Net::template workspace<8>>();
  ctnn::optimizer<Net, ctnn::Adam> adam;
  ctnn::optimizer<Net, ctnn::SGD> plain;
  const Eigen::Matrix<float, rows, 8> x = Eigen::Matrix<float, rows, 8>::Random();
  const Eigen::Matrix<float, rows, 1> sample = x.col(0);
  const std::vector<int> y{0, 1, 2, 0, 1, 2, 0, 1};
  const ctnn::SparseCategoricalCrossEntropy loss{};
  float sink = 0;
  no_allocation_zone zone;
  for (int i = 0; i < 2; ++i) {
    net->forward(*ws, x, ctnn::mode::training);
    net->zero_gradients();
    sink += net->backward(*ws, loss, y, true);
    adam.step(*net);
    net->update_buffers(*ws);
    net->forward(*ws, x, ctnn::mode::training);
    sink += plain.backward_step(*net, *ws, loss, y);  // fused: blocks step their slices
    net->update_buffers(*ws);
    sink += net->predict(sample).sum();
    sink += std::as_const(*net).predict(sample, *ws).sum();  // const, with the caller's workspace
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}
}  // namespace

using namespace ctnn;

BOOST_AUTO_TEST_CASE(the_witnesses_can_fail) {
  no_allocation_zone zone;
  auto v = std::make_unique<std::vector<int>>(10);
  Eigen::MatrixXf m(30, 30);      // an Eigen heap allocation
  static void* volatile escaped;  // a malloc/free pair the compiler may not elide
  escaped = std::malloc(16);
  zone.release();
  std::free(escaped);
#ifndef CTNN_TEST_UNDER_ASAN
  BOOST_TEST(alloc_test::mallocs - zone.mallocs_before >= 4);
#endif
  BOOST_TEST(zone.allocations() >= 3);
}

BOOST_AUTO_TEST_CASE(small_network_predict_forward_backward) {
  using Net = Sequential<Input<16>, Dense<32>, Tanh, Dense<32>, Sigmoid, Dense<4>>;
  Net net;
  Net::workspace<8> ws;
  const Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::Random();
  const Eigen::Matrix<float, 16, 8> xb = Eigen::Matrix<float, 16, 8>::Random();
  const Eigen::Matrix<float, 4, 8> t = Eigen::Matrix<float, 4, 8>::Random();
  const Eigen::Matrix<float, 16, 3> xp = xb.leftCols<3>();
  const Eigen::Matrix<float, 4, 3> tp = t.leftCols<3>();
  float sink = 0;
  no_allocation_zone zone;
  for (int i = 0; i < 3; ++i) {
    sink += net.predict(x).sum();
    net.forward(ws, xb, mode::training);
    net.zero_gradients();
    sink += net.backward(ws, MeanSquaredError{}, t, true);
    net.forward(ws, xp, mode::training);  // a partial batch
    sink += net.backward(ws, MeanSquaredError{}, tp);
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(mnist_mlp_batch_128_every_loss) {
  using Mlp = Sequential<Input<784>, Dense<512>, ReLU, Dense<512>, ReLU, Dense<10>, Softmax>;
  auto net = std::make_unique<Mlp>();
  auto ws = std::make_unique<Mlp::workspace<128>>();
  Eigen::Matrix<float, 784, Eigen::Dynamic> x = Eigen::Matrix<float, 784, Eigen::Dynamic>::Random(784, 128);
  Eigen::Matrix<float, 10, Eigen::Dynamic> onehot = Eigen::Matrix<float, 10, Eigen::Dynamic>::Zero(10, 128);
  std::vector<int> y(128);
  for (int j = 0; j < 128; ++j) {
    y[j] = j % 10;
    onehot(j % 10, j) = 1;
  }
  const Eigen::Matrix<float, 784, 1> sample = x.col(0);
  float sink = 0;
  no_allocation_zone zone;
  for (std::size_t n : {std::size_t{128}, std::size_t{37}}) {
    ws->input(n) = x.leftCols(static_cast<Eigen::Index>(n));
    net->forward(*ws, mode::training);
    net->zero_gradients();
    sink +=
        net->backward(*ws, CategoricalCrossEntropy{}, onehot.leftCols(static_cast<Eigen::Index>(n)), true);
    sink += net->backward(*ws, SparseCategoricalCrossEntropy{}, ctnn::labels(y.data(), n));
    sink += net->loss(*ws, MeanSquaredError{}, onehot.leftCols(static_cast<Eigen::Index>(n)));
    sink += net->predict(sample).sum();
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(optimizer_steps_and_dropout_in_training) {
  using Net = Sequential<Input<784>, Dense<128>, ReLU, Dropout<0.2>, Dense<10>, Softmax>;
  auto net = std::make_unique<Net>();
  auto ws = std::make_unique<Net::workspace<32>>();
  optimizer<Net, SGD> sgd(SGD{.momentum = 0.9, .nesterov = true, .weight_decay = 1e-4});
  optimizer<Net, Adam> adam(Adam{.weight_decay = 1e-4});
  optimizer<Net, RMSprop> rmsprop;
  optimizer<Net, Adadelta> adadelta;
  optimizer<Net, Adadelta> adadelta_decay(Adadelta{.weight_decay = 1e-4});
  optimizer<Net, SGD> plain(SGD{.learning_rate = 0.01});
  const Eigen::Matrix<float, 784, 32> x = Eigen::Matrix<float, 784, 32>::Random();
  std::vector<int> y(32);
  for (int j = 0; j < 32; ++j) y[j] = j % 10;
  float sink = 0;
  no_allocation_zone zone;
  for (int i = 0; i < 2; ++i) {
    net->forward(*ws, x, mode::training);
    net->zero_gradients();
    sink += net->backward(*ws, SparseCategoricalCrossEntropy{}, y);
    sgd.step(*net);
    adam.step(*net);
    rmsprop.step(*net);
    adadelta.step(*net);
    adadelta_decay.step(*net);
    net->forward(*ws, x, mode::training);
    sink += plain.backward_step(*net, *ws, SparseCategoricalCrossEntropy{}, y);  // the fused SGD step
    net->forward(*ws, x, mode::training);
    sink += adam.backward_step(*net, *ws, SparseCategoricalCrossEntropy{}, y);
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(a_cnn_predict_forward_backward_and_step) {
  using Net =
      Sequential<Input<12, 12, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<6, 3, 3, Padding::valid, 2>,
                 ReLU, MaxPool2D<2, 2>, AveragePool2D<1, 1>, Dropout<0.25>, Flatten, Dense<10>, Softmax>;
  auto net = std::make_unique<Net>();
  auto ws = std::make_unique<Net::workspace<16>>();
  optimizer<Net, Adadelta> adadelta;
  optimizer<Net, SGD> plain;
  using Gap = Sequential<Input<6, 6, 3>, Conv2D<5, 3, 3>, PReLU<Slopes::per_channel>, GlobalAveragePool2D,
                         Dense<2>, PReLU<>>;
  auto gap = std::make_unique<Gap>();
  auto gws = std::make_unique<Gap::workspace<4>>();
  optimizer<Gap, Adam> gap_adam;
  const Eigen::Matrix<float, 108, 1> gap_sample = Eigen::Matrix<float, 108, 1>::Random();
  const Eigen::Matrix<float, 144, 16> x = Eigen::Matrix<float, 144, 16>::Random();
  const Eigen::Matrix<float, 144, 1> sample = x.col(0);
  const Eigen::Matrix<float, 108, 4> gx = Eigen::Matrix<float, 108, 4>::Random();
  const Eigen::Matrix<float, 2, 4> gt = Eigen::Matrix<float, 2, 4>::Random();
  std::vector<int> y(16);
  for (int j = 0; j < 16; ++j) y[j] = j % 10;
  float sink = 0;
  no_allocation_zone zone;
  for (int i = 0; i < 2; ++i) {
    net->forward(*ws, x, mode::training);
    net->zero_gradients();
    sink += net->backward(*ws, SparseCategoricalCrossEntropy{}, y, true);
    adadelta.step(*net);
    net->forward(*ws, x, mode::training);
    sink += plain.backward_step(*net, *ws, SparseCategoricalCrossEntropy{}, y);  // fused, Conv2D's slices
    sink += net->predict(sample).sum();
    gap->forward(*gws, gx, mode::training);
    gap->zero_gradients();
    sink += gap->backward(*gws, MeanSquaredError{}, gt, true);
    gap_adam.step(*gap);
    sink += gap->predict(gap_sample).sum();
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(training_steps_on_two_threads) {
  using Net = Sequential<Input<8, 8, 1>, Conv2D<4, 3, 3>, ReLU, MaxPool2D<2, 2>, Dropout<0.25>, Flatten,
                         Dense<10>, Softmax>;
  fit_allocates_per_epoch_not_per_step<Net>("a CNN");
}

BOOST_AUTO_TEST_CASE(recurrent_layers_predict_forward_backward_and_step) {
  // Backpropagation through time keeps every step's gates and states in the workspace, and its
  // products (the input's, for all steps at once, and each step's recurrent one) run in its scratch.
  using Lstm = Sequential<Input<28, 28>, LSTM<32, Returns::sequences>, LSTM<16>, Dense<3>, Softmax>;
  steps_allocate_nothing<Lstm>();
  using Gru = Sequential<Input<20, 6>, GRU<32, Returns::sequences>, GRU<16, Returns::sequences, false>,
                         SimpleRNN<8>, Dense<3>, Softmax>;
  steps_allocate_nothing<Gru>();
}

#ifndef CTNN_ALLOCATION_PRODUCTS_ONLY
// Streaming (one column a step: its own matrix-vector products, and the per-step layers' above), blocks,
// BatchNormalization and Graph (their products are the ones above): the OpenBLAS build of this file
// (tests/CMakeLists.txt), which proves the products' route, leaves them out.
BOOST_AUTO_TEST_CASE(streaming_steps_allocate_nothing) {
  // The deployment form of sequence models: each step reads and writes only what the model holds.
  using Lstm = Sequential<Input<256, 1>, LSTM<16>, Dense<1>>;
  using Gru = Sequential<Input<256, 2>, GRU<16, Returns::sequences>, GRU<8, Returns::sequences, false>,
                         TimeDistributed<Dense<2>>>;
  using Tcn =
      Sequential<Input<256, 1>, Conv1D<8, 3, Padding::causal>, Tanh,
                 Residual<Conv1D<8, 3, Padding::causal, 1, 2>, Tanh>,
                 Concat<Branch<>, Branch<Conv1D<4, 2, Padding::causal, 1, 4>>>, TimeDistributed<Dense<1>>>;
  auto lstm = std::make_unique<streaming<Lstm>>();
  auto gru = std::make_unique<streaming<Gru>>();
  auto tcn = std::make_unique<streaming<Tcn>>();
  auto fast = std::make_unique<streaming<Tcn, Activations::fast>>();  // fast tanh, in layers and gates
  auto fast_lstm = std::make_unique<streaming<Lstm, Activations::fast>>();
  float sink = 0;
  Eigen::Vector2f two(0.5f, -0.25f);
  no_allocation_zone zone;
  for (int t = 0; t < 1000; ++t) {
    const float x = std::sin(0.01f * static_cast<float>(t));
    sink += lstm->step(x) + tcn->step(x) + fast->step(x) + fast_lstm->step(x);
    sink += gru->step(two * x).sum();
  }
  lstm->reset();
  sink += lstm->step(1.0f);
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(blocks_predict_forward_backward_and_step) {
  // Residual, a strided projection Add, Concat and Multiply: the blocks keep their branches' buffers
  // in the workspace, so nothing is allocated after construction, in one sample or a batch.
  using Net = Sequential<
      Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>, ReLU,
      Residual<Conv2D<4, 3, 3, Padding::same>, ReLU, Dropout<0.2>, Conv2D<4, 3, 3, Padding::same>>,
      Add<Branch<Conv2D<8, 1, 1, Padding::valid, 2>>, Branch<Conv2D<8, 3, 3, Padding::same, 2>, ReLU>>,
      Concat<Branch<>, Branch<Conv2D<4, 1, 1>>>, GlobalAveragePool2D,
      Multiply<Branch<Dense<6>, Tanh>, Branch<Dense<6>, Sigmoid>>, Dense<3>, Softmax>;
  steps_allocate_nothing<Net>();
}

BOOST_AUTO_TEST_CASE(blocks_train_on_two_threads_without_allocating_per_step) {
  using Net = Sequential<Input<6, 6, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU,
                         Residual<Conv2D<4, 3, 3, Padding::same>, ReLU>, Concat<Branch<>, Branch<Tanh>>,
                         GlobalAveragePool2D, Dense<10>, Softmax>;
  fit_allocates_per_epoch_not_per_step<Net>("blocks");
}

BOOST_AUTO_TEST_CASE(batch_normalization_in_a_residual_cnn) {
  // Training (batch statistics, the moving statistics' update, Adam and the fused SGD step) and
  // inference (the moving statistics) allocate nothing after construction.
  using Net = Sequential<Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                         Residual<Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                                  Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>>,
                         ReLU, GlobalAveragePool2D, Dense<6>, BatchNormalization<>, Dense<3>, Softmax>;
  steps_allocate_nothing<Net>();
}

BOOST_AUTO_TEST_CASE(batch_normalization_trains_on_two_threads_without_allocating_per_step) {
  // The threads exchange BatchNormalization's sums through buffers made when fit starts.
  using Net = Sequential<Input<6, 6, 1>, Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                         Residual<Conv2D<4, 3, 3, Padding::same>, BatchNormalization<>>, GlobalAveragePool2D,
                         Dense<10>, Softmax>;
  fit_allocates_per_epoch_not_per_step<Net>("batch normalization");
}

BOOST_AUTO_TEST_CASE(a_graph_with_two_inputs_and_two_outputs) {
  // Forward (training and inference), backward through merges and a node read by several, the
  // per-output losses, BatchNormalization's update, Adam and predict: nothing allocated.
  using Net =
      Graph<Inputs<In<"image", 8, 8, 1>, In<"meta", 4>>,
            Node<"conv", Conv2D<4, 3, 3, Padding::same>, "image">, Node<"bn", BatchNormalization<>, "conv">,
            Node<"act", ReLU, "bn">, Node<"res", Residual<Conv2D<4, 3, 3, Padding::same>, ReLU>, "act">,
            Node<"pool", GlobalAveragePool2D, "res">, Node<"m", Dense<4>, "meta">,
            Node<"both", Concat<>, "pool", "m">, Node<"class", Dense<3>, "both">, Node<"p", Softmax, "class">,
            Node<"value", Dense<1>, "both">, Outputs<"p", "value">>;
  auto net = std::make_unique<Net>(1);
  auto ws = std::make_unique<Net::workspace<8>>();
  auto one = std::make_unique<Net::workspace<1>>();
  optimizer<Net, Adam> adam;
  const Eigen::Matrix<float, 64, 8> image = Eigen::Matrix<float, 64, 8>::Random();
  const Eigen::Matrix<float, 4, 8> meta = Eigen::Matrix<float, 4, 8>::Random();
  const Eigen::Matrix<float, 64, 1> image1 = image.col(0);
  const Eigen::Matrix<float, 4, 1> meta1 = meta.col(0);
  const std::vector<int> y{0, 1, 2, 0, 1, 2, 0, 1};
  const Eigen::Matrix<float, 1, 8> v = Eigen::Matrix<float, 1, 8>::Random();
  const auto losses = std::make_tuple(SparseCategoricalCrossEntropy{}, MeanSquaredError{});
  const auto targets = std::make_tuple(std::span<const int>(y), v);
  float sink = 0;
  no_allocation_zone zone;
  for (int i = 0; i < 2; ++i) {
    ws->input<"image">(8) = image;
    ws->input<"meta">(8) = meta;
    net->forward(*ws, mode::training);
    net->zero_gradients();
    sink += net->backward(*ws, losses, targets, {1.0f, 0.5f}, true);
    adam.step(*net);
    net->update_buffers(*ws);
    const auto [p, value] = std::as_const(*net).predict(*one, image1, meta1);
    sink += p.sum() + value.sum();
  }
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}

BOOST_AUTO_TEST_CASE(a_graph_trains_on_two_threads_without_allocating_per_step) {
  // trainer::fit on a Graph: two inputs staged by name, a loss per output, BatchNormalization's sums
  // exchanged between the threads; as for a Sequential, what fit allocates is per epoch.
  using Net = Graph<Inputs<In<"image", 6, 6, 1>, In<"meta", 4>>, Node<"conv", Conv2D<4, 3, 3>, "image">,
                    Node<"bn", BatchNormalization<>, "conv">, Node<"pool", GlobalAveragePool2D, "bn">,
                    Node<"both", Concat<>, "pool", "meta">, Node<"class", Dense<10>, "both">,
                    Node<"p", Softmax, "class">, Node<"value", Dense<1>, "both">, Outputs<"p", "value">>;
  auto net = std::make_unique<Net>();
  ctnn::trainer t(*net, ctnn::losses<SparseCategoricalCrossEntropy, MeanSquaredError>{}, ctnn::Adam{});
  const Eigen::MatrixXf image = Eigen::MatrixXf::Random(36, 640), meta = Eigen::MatrixXf::Random(4, 640),
                        value = Eigen::MatrixXf::Random(1, 640);
  std::vector<int> y(640);
  for (std::size_t j = 0; j < y.size(); ++j) y[j] = static_cast<int>(j % 10);
  const ctnn::fit_options o{.epochs = 1, .batch_size = 16, .verbose = 0, .threads = 2};
  t.fit(std::tie(image, meta), std::tie(y, value), o);
  long counts[2];
  for (int i = 0; i < 2; ++i) {
    const Eigen::Index n = i == 0 ? 64 : 640;
    const Eigen::MatrixXf im = image.leftCols(n), me = meta.leftCols(n), va = value.leftCols(n);
    const std::span<const int> labels(y.data(), static_cast<std::size_t>(n));
    no_allocation_zone zone;
    t.fit(std::tuple{at<"meta">(me), at<"image">(im)}, std::tuple{at<"p">(labels), at<"value">(va)}, o);
    zone.release();
    counts[i] = zone.allocations();
  }
  BOOST_TEST_MESSAGE("allocations in fit (a graph): " << counts[0] << " for 4 steps, " << counts[1]
                                                      << " for 40");
  BOOST_TEST(counts[0] == counts[1]);
  BOOST_TEST(counts[0] < 40);
}
BOOST_AUTO_TEST_CASE(a_streamed_graph_steps_without_allocating) {
  // A sequence and a whole input, two outputs: the steps read and write only the model's memory.
  using Net =
      Graph<Inputs<In<"x", 64, 1>, In<"c", 2>>, Node<"lstm", LSTM<8, Returns::sequences>, "x">,
            Node<"conv", Conv1D<8, 3, Padding::causal, 1, 2>, "x">, Node<"sum", Add<>, "lstm", "conv">,
            Node<"every", TimeDistributed<Dense<1>>, "sum">, Node<"gru", GRU<4>, "sum">,
            Node<"both", Concat<>, "gru", "c">, Node<"last", Dense<1>, "both">, Outputs<"every", "last">>;
  auto model = std::make_unique<streaming<Net>>();
  auto fast = std::make_unique<streaming<Net, Activations::fast>>();
  const Eigen::Vector2f c(0.5f, -0.25f);
  float sink = 0, every = 0, last = 0;
  no_allocation_zone zone;
  for (int t = 0; t < 1000; ++t) {
    const float x = std::sin(0.01f * static_cast<float>(t));
    model->step({&x, c.data()}, {&every, &last});
    sink += every + last;
    fast->step({&x, c.data()}, {&every, &last});
    sink += every + last;
  }
  model->reset();
  zone.release();
  BOOST_TEST(std::isfinite(sink));
  BOOST_TEST(zone.allocations() == 0);
}
#endif  // CTNN_ALLOCATION_PRODUCTS_ONLY
