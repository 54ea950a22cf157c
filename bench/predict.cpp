// Single-sample latency of the core issue's network, ctnn against the same network written by hand
// with fixed-size Eigen (products into temporaries, and with lazy products), in one run, on the same
// weights. Run: ./scripts/bench (or build with -DCTNN_BUILD_BENCHMARKS=ON and run bench/predict).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <ctnn/ctnn.hpp>

namespace {
using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Sigmoid,
                             ctnn::Dense<4>>;
using In = Eigen::Matrix<float, 16, 1>;
using Out = Eigen::Matrix<float, 4, 1>;

/// What a careful engineer writes without ctnn.
struct hand_written {
  Eigen::Matrix<float, 32, 16> W1;
  Eigen::Matrix<float, 32, 1> b1;
  Eigen::Matrix<float, 32, 32> W2;
  Eigen::Matrix<float, 32, 1> b2;
  Eigen::Matrix<float, 4, 32> W3;
  Eigen::Matrix<float, 4, 1> b3;

  explicit hand_written(Net& net)
      : W1(net.layer<0>().weights()),
        b1(net.layer<0>().bias()),
        W2(net.layer<2>().weights()),
        b2(net.layer<2>().bias()),
        W3(net.layer<4>().weights()),
        b3(net.layer<4>().bias()) {}

  Out predict(const In& x) const {  // products into temporaries
    const Eigen::Matrix<float, 32, 1> h1 = (W1 * x + b1).array().tanh();
    const Eigen::Matrix<float, 32, 1> h2 = (W2 * h1 + b2).array().logistic();
    return W3 * h2 + b3;
  }
  Out predict_lazy(const In& x) const {  // coefficient-wise products, fused with the bias
    const Eigen::Matrix<float, 32, 1> h1 = (W1.lazyProduct(x) + b1).array().tanh();
    const Eigen::Matrix<float, 32, 1> h2 = (W2.lazyProduct(h1) + b2).array().logistic();
    return W3.lazyProduct(h2) + b3;
  }
};

Net& network() {
  static Net net(42);
  return net;
}
hand_written& baseline() {
  static hand_written h(network());
  return h;
}
In input() {
  return In::LinSpaced(-1.0f, 1.0f);
}

// All three compute the same function: refuse to time them otherwise.
void check_agreement() {
  const In x = input();
  const Out a = network().predict(x), b = baseline().predict(x), c = baseline().predict_lazy(x);
  if ((a - b).norm() > 1e-5f || (a - c).norm() > 1e-5f) {
    std::fprintf(stderr, "predict: ctnn and the hand-written network disagree\n");
    std::exit(1);
  }
}

void BM_ctnn_predict(benchmark::State& state) {
  check_agreement();
  Net& net = network();
  In x = input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    Out y = net.predict(x);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}
void BM_hand_written_eigen_temporaries(benchmark::State& state) {
  const hand_written& h = baseline();
  In x = input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    Out y = h.predict(x);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}
void BM_hand_written_eigen_lazy(benchmark::State& state) {
  const hand_written& h = baseline();
  In x = input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    Out y = h.predict_lazy(x);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}
}  // namespace

BENCHMARK(BM_ctnn_predict)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_hand_written_eigen_temporaries)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_hand_written_eigen_lazy)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_MAIN();
