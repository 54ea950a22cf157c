// The figures behind docs/performance.md's product table and recipe-2 step breakdown: ctnn's product
// (detail::gemm) on the recipes' shapes, OpenBLAS's sgemm on the same shapes when built with
// -DCTNN_OPENBLAS=ON, and the parts of one recipe-2 training step. GFLOP/s is a counter.
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_BENCHMARKS=ON
//         -DCTNN_NATIVE=ON -DCTNN_OPENBLAS=ON && cmake --build build/bench --target bench_kernels
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 build/bench/bench/kernels
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>
#include <memory>
#include <vector>

namespace {
// m x n x k with the transposes of each layer product: forward, weight gradient, input gradient.
template <bool TA, bool TB>
void product(benchmark::State& state, bool blas) {
  const auto m = state.range(0), n = state.range(1), k = state.range(2);
  const Eigen::MatrixXf a = TA ? Eigen::MatrixXf::Random(k, m) : Eigen::MatrixXf::Random(m, k);
  const Eigen::MatrixXf b = TB ? Eigen::MatrixXf::Random(n, k) : Eigen::MatrixXf::Random(k, n);
  Eigen::MatrixXf c = Eigen::MatrixXf::Zero(m, n);
  ctnn::detail::gemm_scratch<float> scratch;
  scratch.reserve(m, n, k);
  for (auto _ : state) {
#ifdef CTNN_USE_OPENBLAS
    if (blas) {
      cblas_sgemm(CblasColMajor, TA ? CblasTrans : CblasNoTrans, TB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                  static_cast<int>(n), static_cast<int>(k), 1.0f, a.data(), static_cast<int>(a.rows()), b.data(),
                  static_cast<int>(b.rows()), 1.0f, c.data(), static_cast<int>(m));
      benchmark::ClobberMemory();
      continue;
    }
#endif
    (void)blas;
    ctnn::detail::gemm<TA, TB>(c, a, b, 1.0f, scratch);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(m * n * k), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
}
void BM_ctnn_gemm_nn(benchmark::State& s) { product<false, false>(s, false); }
void BM_ctnn_gemm_nt(benchmark::State& s) { product<false, true>(s, false); }
void BM_ctnn_gemm_tn(benchmark::State& s) { product<true, false>(s, false); }
#ifdef CTNN_USE_OPENBLAS
void BM_openblas_gemm_nn(benchmark::State& s) { product<false, false>(s, true); }
void BM_openblas_gemm_nt(benchmark::State& s) { product<false, true>(s, true); }
void BM_openblas_gemm_tn(benchmark::State& s) { product<true, false>(s, true); }
#endif

// One recipe-2 step, part by part (MLP 784-128-Dropout-10, batch 32, Adam).
using Recipe2 = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<128>, ctnn::ReLU,
                                 ctnn::Dropout<0.2>, ctnn::Dense<10>, ctnn::Softmax>;
struct recipe2 {
  std::unique_ptr<Recipe2> net = std::make_unique<Recipe2>(1);
  std::unique_ptr<Recipe2::workspace<32>> ws = std::make_unique<Recipe2::workspace<32>>();
  ctnn::optimizer<Recipe2, ctnn::Adam> adam;
  std::vector<int> y = std::vector<int>(32, 3);
  recipe2() { ws->input(32) = Eigen::Matrix<float, 784, 32>::Random(); }
};
void BM_recipe2_forward(benchmark::State& state) {
  recipe2 r;
  for (auto _ : state) r.net->forward(*r.ws, ctnn::mode::training);
}
void BM_recipe2_backward(benchmark::State& state) {
  recipe2 r;
  r.net->forward(*r.ws, ctnn::mode::training);
  for (auto _ : state) benchmark::DoNotOptimize(r.net->backward(*r.ws, ctnn::SparseCategoricalCrossEntropy{}, r.y));
}
void BM_recipe2_adam_step(benchmark::State& state) {
  recipe2 r;
  for (auto _ : state) r.adam.step(*r.net);
}
}  // namespace

#define CTNN_SHAPES                                                                                   \
  Args({512, 128, 784})->Args({512, 128, 512})->Args({128, 32, 784})->Args({64, 73728, 288})       \
      ->Unit(benchmark::kMicrosecond)
#define CTNN_GRAD_SHAPES Args({512, 784, 128})->Args({512, 512, 128})->Args({128, 784, 32})->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_ctnn_gemm_nn)->CTNN_SHAPES;
BENCHMARK(BM_ctnn_gemm_nt)->CTNN_GRAD_SHAPES;
BENCHMARK(BM_ctnn_gemm_tn)->Args({512, 128, 512})->Unit(benchmark::kMicrosecond);
#ifdef CTNN_USE_OPENBLAS
BENCHMARK(BM_openblas_gemm_nn)->CTNN_SHAPES;
BENCHMARK(BM_openblas_gemm_nt)->CTNN_GRAD_SHAPES;
BENCHMARK(BM_openblas_gemm_tn)->Args({512, 128, 512})->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_recipe2_forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_recipe2_backward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_recipe2_adam_step)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
