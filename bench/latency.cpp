// Worst-case latency (the benchmark issue): every call's time over 1e6 calls, for W1 (one sample,
// 16-32-32-4 tanh) and W2 batch 1 (784-512-512-10), ctnn against hand-written fixed- or
// dynamic-size Eigen on the same weights; counters give the median, p99, p99.9 and max in ns.
// Each call is timed with steady_clock around it; the "clock" row is an empty call timed the same
// way, so its figures are the timing's own cost, included in every other row.
//   OPENBLAS_NUM_THREADS=1 build/bench/bench/latency
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <vector>

namespace {
constexpr std::size_t calls = 1'000'000;

template <class F>
void record(benchmark::State& state, F&& call) {
  std::vector<std::int64_t> ns(calls);            // allocated before timing
  for (std::size_t i = 0; i < 1000; ++i) call();  // warm caches and branch predictors
  for (auto _ : state) {
    for (std::size_t i = 0; i < calls; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      call();
      const auto t1 = std::chrono::steady_clock::now();
      ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    }
  }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return static_cast<double>(ns[static_cast<std::size_t>(q * (calls - 1))]); };
  state.counters["p50_ns"] = at(0.5);
  state.counters["p99_ns"] = at(0.99);
  state.counters["p99.9_ns"] = at(0.999);
  state.counters["max_ns"] = static_cast<double>(ns.back());
}

using W1 = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Tanh,
                            ctnn::Dense<4>>;
using W2 = ctnn::Sequential<ctnn::Input<784>, ctnn::Dense<512>, ctnn::ReLU, ctnn::Dense<512>, ctnn::ReLU,
                            ctnn::Dense<10>, ctnn::Softmax>;

void BM_clock(benchmark::State& state) {
  record(state, [] { benchmark::ClobberMemory(); });
}
void BM_W1_ctnn(benchmark::State& state) {
  static W1 net(1);
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1);
  record(state, [&] {
    benchmark::DoNotOptimize(x.data());
    auto y = net.predict(x);
    benchmark::DoNotOptimize(y.data());
  });
}
void BM_W1_eigen_fixed(benchmark::State& state) {
  static W1 net(1);
  const Eigen::Matrix<float, 32, 16> A = net.layer<0>().weights();
  const Eigen::Matrix<float, 32, 32> B = net.layer<2>().weights();
  const Eigen::Matrix<float, 4, 32> C = net.layer<4>().weights();
  const Eigen::Matrix<float, 32, 1> a = net.layer<0>().bias(), b = net.layer<2>().bias();
  const Eigen::Matrix<float, 4, 1> c = net.layer<4>().bias();
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1, 1);
  record(state, [&] {
    benchmark::DoNotOptimize(x.data());
    const Eigen::Matrix<float, 32, 1> h1 = (A * x + a).array().tanh();
    const Eigen::Matrix<float, 32, 1> h2 = (B * h1 + b).array().tanh();
    Eigen::Matrix<float, 4, 1> y = C * h2 + c;
    benchmark::DoNotOptimize(y.data());
  });
}
void BM_W2_batch1_ctnn(benchmark::State& state) {
  static auto net = std::make_unique<W2>(1);
  Eigen::Matrix<float, 784, 1> x = Eigen::Matrix<float, 784, 1>::Random();
  record(state, [&] {
    benchmark::DoNotOptimize(x.data());
    auto y = net->predict(x);
    benchmark::DoNotOptimize(y.data());
  });
}
void BM_W2_batch1_eigen_dynamic(benchmark::State& state) {
  static auto net = std::make_unique<W2>(1);
  const Eigen::MatrixXf A = net->layer<0>().weights(), B = net->layer<2>().weights(),
                        C = net->layer<4>().weights();
  Eigen::VectorXf x = Eigen::VectorXf::Random(784), h1(512), h2(512), z(10);
  record(state, [&] {
    benchmark::DoNotOptimize(x.data());
    h1.noalias() = A * x;  // into preallocated vectors: no allocation per call
    h1 = h1.cwiseMax(0.0f);
    h2.noalias() = B * h1;
    h2 = h2.cwiseMax(0.0f);
    z.noalias() = C * h2;
    z = (z.array() - z.maxCoeff()).exp();
    z /= z.sum();
    benchmark::DoNotOptimize(z.data());
  });
}
}  // namespace

BENCHMARK(BM_clock)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_W1_ctnn)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_W1_eigen_fixed)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_W2_batch1_ctnn)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_W2_batch1_eigen_dynamic)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
