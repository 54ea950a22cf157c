// Issue 6's workloads, ctnn against the baselines in one run (first part: W1-W3, the FLOP peak):
//   W1  one sample, Input<16>, Dense<32>, Tanh, Dense<32>, Tanh, Dense<4>; and 16 -> N -> tanh -> 4
//       for N = 4, 8, 16, 32, 64 (the sizes real-time audio users run)
//   W2  MNIST MLP inference 784-512-512-10 (ReLU, Softmax), batch 1 and batch 128
//   W3  MNIST MLP training step, batch 128, softmax cross-entropy, SGD
// Baselines: the same network written by hand with fixed-size Eigen (products into temporaries),
// with dynamic-size Eigen, and LibTorch where it was found at build time (the program says when not).
// Every side gets the same weights and inputs, and the program refuses to time sides that disagree.
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_BENCHMARKS=ON
//         -DCTNN_NATIVE=ON -DCTNN_OPENBLAS=ON && cmake --build build/bench --target peers
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 build/bench/bench/peers
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <vector>

#ifdef CTNN_BENCH_TORCH
#include <torch/torch.h>
#endif

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "peers: %s: the sides disagree; nothing timed\n", what);
    std::exit(1);
  }
}

// ---- The machine's peak: independent FMA chains on 16-float vectors, one core. -------------------
void BM_peak_fma(benchmark::State& state) {
  using V = Eigen::Array<float, 16, 1>;
  V acc[10];
  for (auto& a : acc) a.setConstant(1.0f);
  const V m = V::Constant(0.999999f), c = V::Constant(1e-7f);
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i)
      for (auto& a : acc) a = a * m + c;
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * 16 * 10 * 1000, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
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

template <int Hidden, bool Two>
void BM_W1_ctnn(benchmark::State& state) {
  auto& m = small<Hidden, Two>();
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    auto y = m.ctnn_net.predict(x);
    benchmark::DoNotOptimize(y.data());
  }
}
template <int Hidden, bool Two>
void BM_W1_eigen_fixed(benchmark::State& state) {
  auto& m = small<Hidden, Two>();
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    auto y = m.fixed(x);
    benchmark::DoNotOptimize(y.data());
  }
}
template <int Hidden, bool Two>
void BM_W1_eigen_dynamic(benchmark::State& state) {
  auto& m = small<Hidden, Two>();
  Eigen::VectorXf x = Eigen::VectorXf::LinSpaced(16, -1, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    auto y = m.dynamic(x);
    benchmark::DoNotOptimize(y.data());
  }
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

void BM_W2_batch1_ctnn(benchmark::State& state) {
  auto& m = mnist();
  const Eigen::Matrix<float, 784, 1> x = m.x.col(0);
  require((m.net->predict(x) - m.forward(m.x.col(0))).norm() < 1e-5f, "W2");
  for (auto _ : state) benchmark::DoNotOptimize(m.net->predict(x).data());
}
void BM_W2_batch1_eigen_dynamic(benchmark::State& state) {
  auto& m = mnist();
  const Eigen::MatrixXf x = m.x.col(0);
  for (auto _ : state) benchmark::DoNotOptimize(m.forward(x).data());
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
    net->zero_gradients();
    benchmark::DoNotOptimize(net->backward(*ws, ctnn::SparseCategoricalCrossEntropy{}, m.labels));
    sgd.step(*net);
  }
  // Forward, weight gradients, and input gradients but the first layer's: 2 FLOPs per multiply-add.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * 128 * (3 * (784 * 512 + 512 * 512 + 512 * 10) - 784 * 512),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
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
void BM_W1_torch(benchmark::State& state) {
  auto& m = small<32, true>();
  torch_linear_stack t({{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}}, false);
  const Eigen::VectorXf xv = Eigen::VectorXf::LinSpaced(16, -1, 1);
  const auto x = as_tensor(xv);
  torch::InferenceMode guard;
  const auto y = t.seq->forward(x);
  require((Eigen::Map<const Eigen::VectorXf>(y.data_ptr<float>(), 4) - m.fixed(xv)).norm() < 1e-5f,
          "W1 LibTorch");
  for (auto _ : state) benchmark::DoNotOptimize(t.seq->forward(x).data_ptr<float>());
}
void BM_W2_torch(benchmark::State& state) {
  auto& m = mnist();
  torch_linear_stack t({{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}}, true);
  const auto x = as_tensor(m.x.leftCols(state.range(0)));
  torch::InferenceMode guard;
  for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(t.seq->forward(x), 1).data_ptr<float>());
}
void BM_W3_torch(benchmark::State& state) {
  auto& m = mnist();
  torch_linear_stack t({{m.W1, m.b1}, {m.W2, m.b2}, {m.W3, m.b3}}, true);
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
}  // namespace

BENCHMARK(BM_peak_fma);
BENCHMARK(BM_W1_ctnn<32, true>)->Name("W1/ctnn");
BENCHMARK(BM_W1_eigen_fixed<32, true>)->Name("W1/eigen_fixed");
BENCHMARK(BM_W1_eigen_dynamic<32, true>)->Name("W1/eigen_dynamic");
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W1_torch)->Name("W1/libtorch");
#endif
#define CTNN_WIDTH(N)                                                          \
  BENCHMARK(BM_W1_ctnn<N, false>)->Name("W1_width/" #N "/ctnn");               \
  BENCHMARK(BM_W1_eigen_fixed<N, false>)->Name("W1_width/" #N "/eigen_fixed"); \
  BENCHMARK(BM_W1_eigen_dynamic<N, false>)->Name("W1_width/" #N "/eigen_dynamic");
CTNN_WIDTH(4)
CTNN_WIDTH(8)
CTNN_WIDTH(16)
CTNN_WIDTH(32)
CTNN_WIDTH(64)
BENCHMARK(BM_W2_batch1_ctnn)->Name("W2_batch1/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W2_batch1_eigen_dynamic)->Name("W2_batch1/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W2_torch)->Name("W2_batch1/libtorch")->Arg(1)->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_W2_batch128_ctnn)->Name("W2_batch128/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W2_batch128_eigen_dynamic)->Name("W2_batch128/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W2_torch)->Name("W2_batch128/libtorch")->Arg(128)->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_W3_ctnn)->Name("W3/ctnn")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_W3_eigen_dynamic)->Name("W3/eigen_dynamic")->Unit(benchmark::kMicrosecond);
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_W3_torch)->Name("W3/libtorch")->Unit(benchmark::kMicrosecond);
#endif

int main(int argc, char** argv) {
#ifndef CTNN_BENCH_TORCH
  std::printf(
      "LibTorch not found when this was built (apt-get install libtorch-dev): its rows are skipped\n");
#endif
  std::printf("dlib: not a baseline yet (libdlib-dev is not installed here): skipped\n");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
