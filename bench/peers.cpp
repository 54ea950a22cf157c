// Issue 6's workloads, ctnn against the baselines in one run, with the machine's FLOP peak:
//   W1  one sample, Input<16>, Dense<32>, Tanh, Dense<32>, Tanh, Dense<4>; and 16 -> N -> tanh -> 4
//       for N = 4, 8, 16, 32, 64 (the sizes real-time audio users run)
//   W2  MNIST MLP inference 784-512-512-10 (ReLU, Softmax), batch 1 and batch 128
//   W3  MNIST MLP training step, batch 128, softmax cross-entropy, SGD; on one thread, and on two
//       (W3_threads2, run with OPENBLAS_NUM_THREADS=2 so the peers' BLAS has both cores)
//   W1_latency, W2_batch1_latency: every call's time over 1e6 calls; counters p50/p99/p99.9/max (ns)
// (W4, the MNIST CNN, is bench/mnist_cnn.cpp.) Baselines: the same network written by hand with
// fixed-size Eigen (products into temporaries), with dynamic-size Eigen, and LibTorch and dlib where
// they were found at build time (the program says when not). Every side gets the same weights and
// inputs, and the program refuses to time sides that disagree. scripts/bench runs it all:
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_BENCHMARKS=ON
//         -DCTNN_NATIVE=ON -DCTNN_OPENBLAS=ON && cmake --build build/bench --target bench_peers
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 build/bench/bench/peers --benchmark_filter=-threads2
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 build/bench/bench/peers --benchmark_filter=threads2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <string>
#include <vector>

#ifdef CTNN_BENCH_TORCH
#include <torch/torch.h>
#endif
#ifdef CTNN_BENCH_DLIB
#include <dlib/dnn.h>
#endif

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "peers: %s: the sides disagree; nothing timed\n", what);
    std::exit(1);
  }
}

// ---- The machine's peak: independent FMA chains on the widest vector this build has, one core. ---
// Eigen's native packet (4 floats with SSE, 8 with AVX2, 16 with AVX-512) and pmadd, which is one FMA
// instruction where the build has FMA. Twelve chains: at least the 8 that two FMA units of latency 4
// need in flight, and with the two constants still few enough (14) for AVX2's 16 vector registers,
// so the loop never spills. (The probe used to run ten 16-float arrays: 20 chains of 8 on AVX2, which
// spilled, and reported 77 GFLOP/s where ctnn's own products ran at 81.)
void BM_peak_fma(benchmark::State& state) {
  namespace ei = Eigen::internal;
  using Packet = ei::packet_traits<float>::type;
  constexpr int width = static_cast<int>(sizeof(Packet) / sizeof(float));  // not unpacket_traits<Packet>: g++ 12 warns that a
                                                                         // template argument drops Packet16f's attributes
  constexpr int chains = 12, steps = 1000;
  Packet acc[chains];
  for (auto& a : acc) a = ei::pset1<Packet>(1.0f);
  const Packet m = ei::pset1<Packet>(0.999999f), c = ei::pset1<Packet>(1e-7f);
  for (auto _ : state) {
    for (int i = 0; i < steps; ++i)
      for (auto& a : acc) a = ei::pmadd(a, m, c);
    for (auto& a : acc) benchmark::DoNotOptimize(a);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * width * chains * steps,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.SetLabel(std::to_string(width * 32) + "-bit vectors, " + std::to_string(chains) + " chains");
}

// ---- W1 and the width sweep -----------------------------------------------------------------------
template <int Hidden, bool Two>
struct small_mlp {
  using net =
      std::conditional_t<Two,
                         ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<Hidden>, ctnn::Tanh,
                                          ctnn::Dense<Hidden>, ctnn::Tanh, ctnn::Dense<4>>,
                         ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<Hidden>, ctnn::Tanh, ctnn::Dense<4>>>;
  using in = Eigen::Matrix<float, 16, 1>;
  using out = Eigen::Matrix<float, 4, 1>;

  net ctnn_net{42};
  // Hand-written, fixed size, products into temporaries: what a careful engineer writes without ctnn.
  Eigen::Matrix<float, Hidden, 16> W1 = ctnn_net.template layer<0>().weights();
  Eigen::Matrix<float, Hidden, 1> b1 = Eigen::Matrix<float, Hidden, 1>::Random();
  Eigen::Matrix<float, Hidden, Hidden> W2 = Eigen::Matrix<float, Hidden, Hidden>::Random() * 0.2f;
  Eigen::Matrix<float, Hidden, 1> b2 = Eigen::Matrix<float, Hidden, 1>::Random();
  Eigen::Matrix<float, 4, Hidden> W3 = ctnn_net.template layer<(Two ? 4 : 2)>().weights();
  Eigen::Matrix<float, 4, 1> b3 = Eigen::Matrix<float, 4, 1>::Random();
  // The same with dynamic sizes.
  Eigen::MatrixXf dW1 = W1, dW2 = W2, dW3 = W3;
  Eigen::VectorXf db1 = b1, db2 = b2, db3 = b3;

  small_mlp() {
    ctnn_net.template layer<0>().bias() = b1;
    if constexpr (Two) {
      ctnn_net.template layer<2>().weights() = W2;
      ctnn_net.template layer<2>().bias() = b2;
    }
    ctnn_net.template layer<(Two ? 4 : 2)>().bias() = b3;
    const in x = in::LinSpaced(-1, 1);
    require((ctnn_net.predict(x) - fixed(x)).norm() < 1e-5f && (fixed(x) - dynamic(x)).norm() < 1e-5f, "W1");
  }
  out fixed(const in& x) const {
    const Eigen::Matrix<float, Hidden, 1> h1 = (W1 * x + b1).array().tanh();
    if constexpr (Two) {
      const Eigen::Matrix<float, Hidden, 1> h2 = (W2 * h1 + b2).array().tanh();
      return W3 * h2 + b3;
    } else {
      return W3 * h1 + b3;
    }
  }
  Eigen::VectorXf dynamic(const Eigen::VectorXf& x) const {
    const Eigen::VectorXf h1 = (dW1 * x + db1).array().tanh();
    if constexpr (Two) {
      const Eigen::VectorXf h2 = (dW2 * h1 + db2).array().tanh();
      return dW3 * h2 + db3;
    } else {
      return dW3 * h1 + db3;
    }
  }
};

template <int Hidden, bool Two>
small_mlp<Hidden, Two>& small() {
  static small_mlp<Hidden, Two> m;
  return m;
}

// ---- Sides as callables: each maker sets a side up once and returns one call, timed two ways --------
template <auto Make>
void BM_mean(benchmark::State& state) {
  auto call = Make();
  for (auto _ : state) call();
}
constexpr std::size_t latency_calls = 1'000'000;
template <auto Make>
void BM_latency(benchmark::State& state) {
  auto call = Make();
  std::vector<std::int64_t> ns(latency_calls);  // allocated before timing
  for (int i = 0; i < 1000; ++i) call();        // warm caches and branch predictors
  for (auto _ : state) {
    for (auto& t : ns) {
      const auto t0 = std::chrono::steady_clock::now();
      call();
      const auto t1 = std::chrono::steady_clock::now();
      t = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    }
  }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return static_cast<double>(ns[static_cast<std::size_t>(q * (latency_calls - 1))]);
  };
  state.counters["p50_ns"] = at(0.5);
  state.counters["p99_ns"] = at(0.99);
  state.counters["p99.9_ns"] = at(0.999);
  state.counters["max_ns"] = static_cast<double>(ns.back());
}
// The timing's own cost, included in every latency row: an empty call timed the same way.
auto clock_only() {
  return [] { benchmark::ClobberMemory(); };
}

template <int Hidden, bool Two>
auto w1_ctnn() {
  return [&m = small<Hidden, Two>(), x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1).eval()]() mutable {
    benchmark::DoNotOptimize(x.data());
    auto y = m.ctnn_net.predict(x);
    benchmark::DoNotOptimize(y.data());
  };
}
template <int Hidden, bool Two>
auto w1_eigen_fixed() {
  return [&m = small<Hidden, Two>(), x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1).eval()]() mutable {
    benchmark::DoNotOptimize(x.data());
    auto y = m.fixed(x);
    benchmark::DoNotOptimize(y.data());
  };
}
template <int Hidden, bool Two>
auto w1_eigen_dynamic() {
  return [&m = small<Hidden, Two>(), x = Eigen::VectorXf::LinSpaced(16, -1, 1).eval()]() mutable {
    benchmark::DoNotOptimize(x.data());
    auto y = m.dynamic(x);
    benchmark::DoNotOptimize(y.data());
  };
}

// ---- W2 and W3: the MNIST MLP 784-512-512-10 ---------------------------------------------------------
using Mnist = ctnn::Sequential<ctnn::Input<784>, ctnn::Dense<512>, ctnn::ReLU, ctnn::Dense<512>, ctnn::ReLU,
                               ctnn::Dense<10>, ctnn::Softmax>;
struct mnist_mlp {
  std::unique_ptr<Mnist> net = std::make_unique<Mnist>(7);
  Eigen::MatrixXf W1 = net->layer<0>().weights(), W2 = net->layer<2>().weights(),
                  W3 = net->layer<4>().weights();
  Eigen::VectorXf b1 = Eigen::VectorXf::Random(512) * 0.1f, b2 = Eigen::VectorXf::Random(512) * 0.1f,
                  b3 = Eigen::VectorXf::Random(10) * 0.1f;
  Eigen::MatrixXf x = (Eigen::MatrixXf::Random(784, 128).array() + 1) / 2;
  std::vector<int> labels = std::vector<int>(128);
  mnist_mlp() {
    net->layer<0>().bias() = b1;
    net->layer<2>().bias() = b2;
    net->layer<4>().bias() = b3;
    for (int j = 0; j < 128; ++j) labels[static_cast<std::size_t>(j)] = j % 10;
  }
  // Hand-written with dynamic-size Eigen (a 512 x 784 fixed-size matrix does not fit a stack).
  Eigen::MatrixXf forward(const Eigen::MatrixXf& in) const {
    Eigen::MatrixXf h1 = ((W1 * in).colwise() + b1).cwiseMax(0.0f);
    Eigen::MatrixXf h2 = ((W2 * h1).colwise() + b2).cwiseMax(0.0f);
    Eigen::MatrixXf z = (W3 * h2).colwise() + b3;
    Eigen::MatrixXf p = (z.rowwise() - z.colwise().maxCoeff()).array().exp();
    return p.array().rowwise() / p.colwise().sum().array();
  }
};
mnist_mlp& mnist() {
  static mnist_mlp m;
  return m;
}

auto w2_ctnn() {
  auto& m = mnist();
  const Eigen::Matrix<float, 784, 1> x = m.x.col(0);
  require((m.net->predict(x) - m.forward(m.x.col(0))).norm() < 1e-5f, "W2");
  return [&m, x] { benchmark::DoNotOptimize(m.net->predict(x).data()); };
}
// Into preallocated vectors, as a careful engineer writes it: no allocation per call.
auto w2_eigen_dynamic() {
  struct side {
    const mnist_mlp& m;
    Eigen::VectorXf x, h1 = Eigen::VectorXf(512), h2 = Eigen::VectorXf(512), z = Eigen::VectorXf(10);
    void operator()() {
      benchmark::DoNotOptimize(x.data());
      h1.noalias() = m.W1 * x;
      h1 = (h1 + m.b1).cwiseMax(0.0f);
      h2.noalias() = m.W2 * h1;
      h2 = (h2 + m.b2).cwiseMax(0.0f);
      z.noalias() = m.W3 * h2;
      z += m.b3;
      z = (z.array() - z.maxCoeff()).exp();
      z /= z.sum();
      benchmark::DoNotOptimize(z.data());
    }
  };
  auto& m = mnist();
  side s{m, m.x.col(0)};
  s();
  require((s.z - m.forward(m.x.col(0))).norm() < 1e-5f, "W2 dynamic");
  return s;
}
// W2 batch 1's floor: reading its 2.68 MB of weights once per call (a sum over them, from wherever
// they stay between calls: L3 here), the bound the issue sets W2 batch 1 against.
void BM_W2_weight_stream(benchmark::State& state) {
  auto& m = mnist();
  for (auto _ : state) benchmark::DoNotOptimize(m.W1.sum() + m.W2.sum() + m.W3.sum());
  state.counters["GB/s"] =
      benchmark::Counter(4.0 * static_cast<double>(m.W1.size() + m.W2.size() + m.W3.size()),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
void BM_W2_batch128_ctnn(benchmark::State& state) {
  auto& m = mnist();
  auto ws = std::make_unique<Mnist::workspace<128>>();
  ws->input(128) = m.x;
  require((Eigen::MatrixXf(m.net->forward(*ws)) - m.forward(m.x)).norm() < 1e-4f, "W2 batch 128");
  for (auto _ : state) benchmark::DoNotOptimize(m.net->forward(*ws).data());
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * 128 * (784 * 512 + 512 * 512 + 512 * 10),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
void BM_W2_batch128_eigen_dynamic(benchmark::State& state) {
  auto& m = mnist();
  for (auto _ : state) benchmark::DoNotOptimize(m.forward(m.x).data());
}

void BM_W3_ctnn(benchmark::State& state) {
  auto& m = mnist();
  auto net = std::make_unique<Mnist>(7);
  auto ws = std::make_unique<Mnist::workspace<128>>();
  ctnn::optimizer<Mnist, ctnn::SGD> sgd(ctnn::SGD{.learning_rate = 0.01});
  ws->input(128) = m.x;
  for (auto _ : state) {
    net->forward(*ws, ctnn::mode::training);
    // Backward and the SGD step in one (fused: plain SGD is applied inside the weight-gradient products).
    benchmark::DoNotOptimize(sgd.backward_step(*net, *ws, ctnn::SparseCategoricalCrossEntropy{}, m.labels));
  }
  // Forward, weight gradients, and input gradients but the first layer's: 2 FLOPs per multiply-add.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * 128 * (3 * (784 * 512 + 512 * 512 + 512 * 10) - 784 * 512),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
// The same step on two threads as a ctnn user runs it: trainer::fit with fit_options::threads = 2 over
// one epoch of this one batch (each thread half the batch; OpenBLAS one thread inside each). fit's
// per-epoch work (shuffling 128 indices, a history row) is included.
void BM_W3_ctnn_team(benchmark::State& state) {
  auto& m = mnist();
  auto net = std::make_unique<Mnist>(7);
  const Eigen::Matrix<float, 784, Eigen::Dynamic> x = m.x;
  Eigen::Matrix<float, 10, Eigen::Dynamic> y = Eigen::MatrixXf::Zero(10, 128);
  for (int j = 0; j < 128; ++j) y(m.labels[static_cast<std::size_t>(j)], j) = 1;
  ctnn::trainer trainer(*net, ctnn::CategoricalCrossEntropy{}, ctnn::SGD{.learning_rate = 0.01});
  const ctnn::fit_options o{.epochs = 1, .batch_size = 128, .shuffle = false, .verbose = 0, .threads = 2};
  for (int i = 0; i < 5; ++i) trainer.fit(x, y, o);  // the first steps touch fresh memory
  for (auto _ : state) benchmark::DoNotOptimize(trainer.fit(x, y, o));
}
// Hand-written training step with dynamic-size Eigen: forward, softmax cross-entropy gradient
// (p - onehot) / n, backward, SGD.
void BM_W3_eigen_dynamic(benchmark::State& state) {
  mnist_mlp m;
  const float lr = 0.01f;
  Eigen::MatrixXf onehot = Eigen::MatrixXf::Zero(10, 128);
  for (int j = 0; j < 128; ++j) onehot(m.labels[static_cast<std::size_t>(j)], j) = 1;
  for (auto _ : state) {
    const Eigen::MatrixXf a1 = (m.W1 * m.x).colwise() + m.b1, h1 = a1.cwiseMax(0.0f);
    const Eigen::MatrixXf a2 = (m.W2 * h1).colwise() + m.b2, h2 = a2.cwiseMax(0.0f);
    Eigen::MatrixXf z = (m.W3 * h2).colwise() + m.b3;
    Eigen::MatrixXf p = (z.rowwise() - z.colwise().maxCoeff()).array().exp();
    p = p.array().rowwise() / p.colwise().sum().array();
    const Eigen::MatrixXf d3 = (p - onehot) / 128.0f;
    const Eigen::MatrixXf d2 = (m.W3.transpose() * d3).cwiseProduct((a2.array() > 0).cast<float>().matrix());
    const Eigen::MatrixXf d1 = (m.W2.transpose() * d2).cwiseProduct((a1.array() > 0).cast<float>().matrix());
    m.W3.noalias() -= lr * d3 * h2.transpose();
    m.b3 -= lr * d3.rowwise().sum();
    m.W2.noalias() -= lr * d2 * h1.transpose();
    m.b2 -= lr * d2.rowwise().sum();
    m.W1.noalias() -= lr * d1 * m.x.transpose();
    m.b1 -= lr * d1.rowwise().sum();
    benchmark::DoNotOptimize(m.W1.data());
  }
}

#ifdef CTNN_BENCH_TORCH
// ---- LibTorch: the same networks and weights, one thread ---------------------------------------------
torch::Tensor as_tensor(const Eigen::MatrixXf& m) {  // Eigen's column-major m is the row-major m'
  return torch::from_blob(const_cast<float*>(m.data()), {m.cols(), m.rows()}).clone();
}
struct torch_linear_stack {
  torch::nn::Sequential seq;
  explicit torch_linear_stack(const std::vector<std::pair<Eigen::MatrixXf, Eigen::VectorXf>>& layers,
                              bool relu) {
    torch::set_num_threads(1);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const auto& [w, b] = layers[i];
      torch::nn::Linear l(w.cols(), w.rows());
      torch::NoGradGuard g;
      l->weight.copy_(as_tensor(w.transpose()));
      l->bias.copy_(as_tensor(b).reshape({-1}));
      seq->push_back(l);
      if (i + 1 < layers.size()) {
        if (relu)
          seq->push_back(torch::nn::ReLU());
        else
          seq->push_back(torch::nn::Tanh());
      }
    }
  }
};
auto w1_torch() {
  auto& m = small<32, true>();
  auto t = std::make_shared<torch_linear_stack>(
      std::vector<std::pair<Eigen::MatrixXf, Eigen::VectorXf>>{{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}},
      false);
  const Eigen::VectorXf xv = Eigen::VectorXf::LinSpaced(16, -1, 1);
  auto x = as_tensor(xv);
  {
    torch::InferenceMode guard;
    const auto y = t->seq->forward(x);
    require((Eigen::Map<const Eigen::VectorXf>(y.data_ptr<float>(), 4) - m.fixed(xv)).norm() < 1e-5f,
            "W1 LibTorch");
  }
  return [t, x] {
    torch::InferenceMode guard;
    benchmark::DoNotOptimize(t->seq->forward(x).data_ptr<float>());
  };
}
auto w2_torch() {
  auto& m = mnist();
  auto t = std::make_shared<torch_linear_stack>(
      std::vector<std::pair<Eigen::MatrixXf, Eigen::VectorXf>>{{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}},
      true);
  auto x = as_tensor(m.x.leftCols(1));
  {
    torch::InferenceMode guard;
    const auto y = torch::softmax(t->seq->forward(x), 1);
    require(
        (Eigen::Map<const Eigen::VectorXf>(y.data_ptr<float>(), 10) - m.forward(m.x.col(0))).norm() < 1e-5f,
        "W2 LibTorch");
  }
  return [t, x] {
    torch::InferenceMode guard;
    benchmark::DoNotOptimize(torch::softmax(t->seq->forward(x), 1).data_ptr<float>());
  };
}
void BM_W2_batch128_torch(benchmark::State& state) {
  auto& m = mnist();
  torch_linear_stack t({{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}}, true);
  const auto x = as_tensor(m.x);
  torch::InferenceMode guard;
  for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(t.seq->forward(x), 1).data_ptr<float>());
}
void BM_W3_torch(benchmark::State& state) {
  auto& m = mnist();
  torch_linear_stack t({{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}}, true);
  torch::set_num_threads(static_cast<int>(state.range(0)));
  const auto x = as_tensor(m.x);
  std::vector<std::int64_t> labels(m.labels.begin(), m.labels.end());
  const auto y = torch::tensor(labels);
  torch::optim::SGD sgd(t.seq->parameters(), torch::optim::SGDOptions(0.01));
  for (auto _ : state) {
    sgd.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(t.seq->forward(x), y);
    loss.backward();
    sgd.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
}
#endif

#ifdef CTNN_BENCH_DLIB
// ---- dlib: the same networks and weights, as a dlib user writes them ----------------------------------
// dlib's fc layer keeps (inputs x outputs) row-major weights and then the biases: the bytes of ctnn's
// column-major (outputs x inputs) matrix, followed by its bias vector.
template <class Layer>
void set_fc(Layer& l, const Eigen::MatrixXf& w, const Eigen::VectorXf& b) {
  dlib::tensor& params = l.layer_details().get_layer_params();
  require(static_cast<Eigen::Index>(params.size()) == w.size() + b.size(), "dlib fc parameter count");
  std::copy_n(w.data(), w.size(), params.host());
  std::copy_n(b.data(), b.size(), params.host() + w.size());
}
using dlib_column = dlib::matrix<float, 0, 1>;
dlib_column as_dlib(const Eigen::VectorXf& v) {
  dlib_column c(v.size());
  std::copy_n(v.data(), v.size(), &c(0));
  return c;
}
using dlib_w1 = dlib::fc<4, dlib::htan<dlib::fc<32, dlib::htan<dlib::fc<32, dlib::input<dlib_column>>>>>>;
auto w1_dlib() {
  auto& m = small<32, true>();
  auto net = std::make_shared<dlib_w1>();
  const Eigen::VectorXf xv = Eigen::VectorXf::LinSpaced(16, -1, 1);
  const dlib_column x = as_dlib(xv);
  (*net)(x);  // dlib sizes its parameters on the first input
  set_fc(*net, m.W3, m.b3);
  set_fc(net->subnet().subnet(), m.W2, m.b2);
  set_fc(net->subnet().subnet().subnet().subnet(), m.W1, m.b1);
  const float* y = (*net)(x).host();
  require((Eigen::Map<const Eigen::VectorXf>(y, 4) - m.fixed(xv)).norm() < 1e-5f, "W1 dlib");
  return [net, x] { benchmark::DoNotOptimize((*net)(x).host()); };
}
using dlib_mlp = dlib::fc<10, dlib::relu<dlib::fc<512, dlib::relu<dlib::fc<512, dlib::input<dlib_column>>>>>>;
template <class Net>
void set_mnist(Net& net, const mnist_mlp& m) {
  set_fc(net, m.W3, m.b3);
  set_fc(net.subnet().subnet(), m.W2, m.b2);
  set_fc(net.subnet().subnet().subnet().subnet(), m.W1, m.b1);
}
std::vector<dlib_column> dlib_samples(const Eigen::MatrixXf& x) {
  std::vector<dlib_column> v;
  for (Eigen::Index j = 0; j < x.cols(); ++j) v.push_back(as_dlib(x.col(j)));
  return v;
}
// The softmax network with mnist()'s weights, checked on the first `n` samples.
std::shared_ptr<dlib::softmax<dlib_mlp>> w2_dlib_net(long n) {
  auto& m = mnist();
  auto net = std::make_shared<dlib::softmax<dlib_mlp>>();
  const auto samples = dlib_samples(m.x.leftCols(n));
  dlib::resizable_tensor in;
  net->to_tensor(samples.begin(), samples.end(), in);
  net->forward(in);
  set_mnist(net->subnet(), m);
  const Eigen::MatrixXf want = m.forward(m.x.leftCols(n));
  require((Eigen::Map<const Eigen::MatrixXf>(net->forward(in).host(), 10, n) - want).norm() < 1e-4f,
          "W2 dlib");
  return net;
}
// One sample as a dlib user predicts it: net(x) converts it to a tensor and runs it.
auto w2_dlib() {
  return
      [net = w2_dlib_net(1), x = as_dlib(mnist().x.col(0))] { benchmark::DoNotOptimize((*net)(x).host()); };
}
void BM_W2_batch128_dlib(benchmark::State& state) {
  auto net = w2_dlib_net(128);
  const auto samples = dlib_samples(mnist().x);
  dlib::resizable_tensor in;
  net->to_tensor(samples.begin(), samples.end(), in);
  for (auto _ : state) benchmark::DoNotOptimize(net->forward(in).host());
}
void BM_W3_dlib(benchmark::State& state) {
  auto& m = mnist();
  dlib::loss_multiclass_log<dlib_mlp> net;
  const auto samples = dlib_samples(m.x);
  const std::vector<unsigned long> labels(m.labels.begin(), m.labels.end());
  dlib::resizable_tensor in;
  net.to_tensor(samples.begin(), samples.end(), in);
  net.subnet().forward(in);
  set_mnist(net.subnet(), m);
  const Eigen::MatrixXf p = m.forward(m.x);
  double want = 0;
  for (Eigen::Index j = 0; j < p.cols(); ++j) want -= std::log(p(m.labels[static_cast<std::size_t>(j)], j));
  want /= static_cast<double>(p.cols());
  require(std::abs(net.compute_loss(in, labels.begin()) - want) < 1e-4, "W3 dlib loss");
  // Plain SGD: dlib's solver without momentum or weight decay.
  std::vector<dlib::sgd> solvers(decltype(net)::num_computational_layers, dlib::sgd(0.0f, 0.0f));
  for (auto _ : state) {
    benchmark::DoNotOptimize(net.compute_parameter_gradients(in, labels.begin()));
    net.update_parameters(solvers, 0.01);
  }
}
#endif
}  // namespace

BENCHMARK(BM_peak_fma);
BENCHMARK(BM_mean<w1_ctnn<32, true>>)->Name("W1/ctnn");
BENCHMARK(BM_mean<w1_eigen_fixed<32, true>>)->Name("W1/eigen_fixed");
BENCHMARK(BM_mean<w1_eigen_dynamic<32, true>>)->Name("W1/eigen_dynamic");
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_mean<w1_torch>)->Name("W1/libtorch");
#endif
#ifdef CTNN_BENCH_DLIB
BENCHMARK(BM_mean<w1_dlib>)->Name("W1/dlib");
#endif
#define CTNN_WIDTH(N)                                                                \
  BENCHMARK(BM_mean<w1_ctnn<N, false>>)->Name("W1_width/" #N "/ctnn");               \
  BENCHMARK(BM_mean<w1_eigen_fixed<N, false>>)->Name("W1_width/" #N "/eigen_fixed"); \
  BENCHMARK(BM_mean<w1_eigen_dynamic<N, false>>)->Name("W1_width/" #N "/eigen_dynamic");
CTNN_WIDTH(4)
CTNN_WIDTH(8)
CTNN_WIDTH(16)
CTNN_WIDTH(32)
CTNN_WIDTH(64)
BENCHMARK(BM_mean<w2_ctnn>)->Name("W2_batch1/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W2_weight_stream)->Name("W2_batch1/weight_stream")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mean<w2_eigen_dynamic>)->Name("W2_batch1/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_mean<w2_torch>)->Name("W2_batch1/libtorch")->Unit(benchmark::kMicrosecond);
#endif
#ifdef CTNN_BENCH_DLIB
BENCHMARK(BM_mean<w2_dlib>)->Name("W2_batch1/dlib")->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_W2_batch128_ctnn)->Name("W2_batch128/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W2_batch128_eigen_dynamic)->Name("W2_batch128/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W2_batch128_torch)->Name("W2_batch128/libtorch")->Unit(benchmark::kMicrosecond);
#endif
#ifdef CTNN_BENCH_DLIB
BENCHMARK(BM_W2_batch128_dlib)->Name("W2_batch128/dlib")->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_W3_ctnn)->Name("W3/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W3_eigen_dynamic)->Name("W3/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W3_torch)->Name("W3/libtorch")->Arg(1)->Unit(benchmark::kMicrosecond);
#endif
#ifdef CTNN_BENCH_DLIB
BENCHMARK(BM_W3_dlib)->Name("W3/dlib")->Unit(benchmark::kMicrosecond);
#endif
// Two threads: run these with OPENBLAS_NUM_THREADS=2 (scripts/bench does), the rest with 1.
// For this MLP, ctnn's best use of two cores is one thread whose large products OpenBLAS splits;
// trainer::fit's data-parallel threads (ctnn_team) suit the CNN better. LibTorch's best is the same
// (torch::set_num_threads(2) on top of OpenBLAS's two threads oversubscribes the cores: 5-8 ms here).
BENCHMARK(BM_W3_ctnn)->Name("W3_threads2/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W3_ctnn_team)->Name("W3_threads2/ctnn_team")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W3_torch)->Name("W3_threads2/libtorch")->Arg(1)->Unit(benchmark::kMicrosecond);
#endif
#ifdef CTNN_BENCH_DLIB
BENCHMARK(BM_W3_dlib)->Name("W3_threads2/dlib")->Unit(benchmark::kMicrosecond);
#endif

// Latency distributions: one run of 1e6 timed calls each.
#define CTNN_LATENCY(workload, side, make) \
  BENCHMARK(BM_latency<make>)->Name(workload "_latency/" side)->Iterations(1)->Unit(benchmark::kMillisecond)
CTNN_LATENCY("W1", "clock", clock_only);
CTNN_LATENCY("W1", "ctnn", (w1_ctnn<32, true>));
CTNN_LATENCY("W1", "eigen_fixed", (w1_eigen_fixed<32, true>));
CTNN_LATENCY("W1", "eigen_dynamic", (w1_eigen_dynamic<32, true>));
CTNN_LATENCY("W2_batch1", "ctnn", w2_ctnn);
CTNN_LATENCY("W2_batch1", "eigen_dynamic", w2_eigen_dynamic);
#ifdef CTNN_BENCH_TORCH
CTNN_LATENCY("W1", "libtorch", w1_torch);
CTNN_LATENCY("W2_batch1", "libtorch", w2_torch);
#endif
#ifdef CTNN_BENCH_DLIB
CTNN_LATENCY("W1", "dlib", w1_dlib);
CTNN_LATENCY("W2_batch1", "dlib", w2_dlib);
#endif

int main(int argc, char** argv) {
#ifndef CTNN_BENCH_TORCH
  std::printf(
      "LibTorch not found when this was built (apt-get install libtorch-dev): its rows are skipped\n");
#endif
#ifndef CTNN_BENCH_DLIB
  std::printf("dlib not found when this was built (apt-get install libdlib-dev): its rows are skipped\n");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
