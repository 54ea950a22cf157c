// The MNIST CNN of examples/mnist_cnn.cpp, in ctnn and (when built with LibTorch) in LibTorch, in the
// same run: one training step (batch 128, categorical cross-entropy, Adadelta with learning rate 1.0,
// Dropout active) and single-image inference. Both sides get the same random batch; the data is
// random because speed does not depend on it.
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_BENCHMARKS=ON
//         -DCTNN_NATIVE=ON -DCTNN_OPENBLAS=ON && cmake --build build/bench --target bench_mnist_cnn
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 build/bench/bench/mnist_cnn
//   --benchmark_filter=-threads2 OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2
//   build/bench/bench/mnist_cnn --benchmark_filter=threads2
// This is W4 of the benchmark issue; scripts/bench runs both. Threads: W4_train/ctnn is the bare step
// on one thread, W4_train/ctnn_fit the same through trainer::fit; W4_train_threads2/ctnn shares each
// batch between 2 threads (fit_options::threads, OpenBLAS held to one thread inside each). LibTorch's
// rows set torch::set_num_threads(T), its products going to OpenBLAS with OPENBLAS_NUM_THREADS threads.
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>
#include <memory>
#include <vector>

#ifdef CTNN_BENCH_TORCH
#include <torch/torch.h>
#endif

namespace {
constexpr int batch = 128;
// Training steps run before timing, on every side: the first steps of a fresh model touch fresh
// memory and run slower (by up to 5x on two threads), which would otherwise dominate a short run.
constexpr int warm_up = 5;

using Net =
    ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<32, 3, 3>, ctnn::ReLU, ctnn::Conv2D<64, 3, 3>,
                     ctnn::ReLU, ctnn::MaxPool2D<2, 2>, ctnn::Dropout<0.25>, ctnn::Flatten, ctnn::Dense<128>,
                     ctnn::ReLU, ctnn::Dropout<0.5>, ctnn::Dense<10>, ctnn::Softmax>;

struct data {
  Eigen::Matrix<float, 784, Eigen::Dynamic> x = (Eigen::MatrixXf::Random(784, batch).array() + 1) / 2;
  Eigen::Matrix<float, 10, Eigen::Dynamic> y = Eigen::MatrixXf::Zero(10, batch);
  data() {
    for (int j = 0; j < batch; ++j) y(j % 10, j) = 1;
  }
};

void BM_ctnn_train_step(benchmark::State& state) {
  data d;
  auto net = std::make_unique<Net>(1);
  auto ws = std::make_unique<Net::workspace<batch>>(2);
  ctnn::optimizer<Net, ctnn::Adadelta> opt;
  ws->input(batch) = d.x;
  auto step = [&] {
    net->forward(*ws, ctnn::mode::training);
    net->zero_gradients();
    const float loss = net->backward(*ws, ctnn::CategoricalCrossEntropy{}, d.y);
    opt.step(*net);
    return loss;
  };
  for (int i = 0; i < warm_up; ++i) step();
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.counters["images/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}
// The same step through trainer::fit (one epoch of one batch), on state.range(0) threads that share the
// batch; fit's per-epoch work (shuffling 128 indices, a history row) is included.
void BM_ctnn_fit_step(benchmark::State& state) {
  data d;
  auto net = std::make_unique<Net>(1);
  ctnn::trainer trainer(*net, ctnn::CategoricalCrossEntropy{}, ctnn::Adadelta{});
  const ctnn::fit_options o{.epochs = 1,
                            .batch_size = batch,
                            .shuffle = false,
                            .verbose = 0,
                            .threads = static_cast<std::size_t>(state.range(0))};
  for (int i = 0; i < warm_up; ++i) trainer.fit(d.x, d.y, o);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.fit(d.x, d.y, o));
  state.counters["images/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}
void BM_ctnn_predict(benchmark::State& state) {
  data d;
  auto net = std::make_unique<Net>(1);
  const Eigen::Matrix<float, 784, 1> x = d.x.col(0);
  for (auto _ : state) benchmark::DoNotOptimize(net->predict(x));
}

#ifdef CTNN_BENCH_TORCH
// The same network; Adadelta written out as torch::optim has none in C++ (Keras' rule, rho 0.95,
// epsilon 1e-7, learning rate 1.0, as ctnn::Adadelta).
struct torch_cnn {
  torch::nn::Sequential net{torch::nn::Conv2d(1, 32, 3),
                            torch::nn::ReLU(),
                            torch::nn::Conv2d(32, 64, 3),
                            torch::nn::ReLU(),
                            torch::nn::MaxPool2d(2),
                            torch::nn::Dropout(0.25),
                            torch::nn::Flatten(),
                            torch::nn::Linear(9216, 128),
                            torch::nn::ReLU(),
                            torch::nn::Dropout(0.5),
                            torch::nn::Linear(128, 10)};
  std::vector<torch::Tensor> grad_acc, delta_acc;
  explicit torch_cnn(int threads) {
    torch::set_num_threads(threads);
    for (auto& p : net->parameters()) {
      grad_acc.push_back(torch::zeros_like(p));
      delta_acc.push_back(torch::zeros_like(p));
    }
  }
  void adadelta() {
    torch::NoGradGuard no_grad;
    const double rho = 0.95, eps = 1e-7;
    auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& g = params[i].grad();
      grad_acc[i].mul_(rho).addcmul_(g, g, 1 - rho);
      const auto update = delta_acc[i].add(eps).sqrt_().div_(grad_acc[i].add(eps).sqrt_()).mul_(g);
      delta_acc[i].mul_(rho).addcmul_(update, update, 1 - rho);
      params[i].sub_(update);
    }
  }
};
// ctnn's columns are HWC images; LibTorch takes NCHW. One channel: the same numbers either way.
torch::Tensor as_nchw(const float* x, int n) {
  return torch::from_blob(const_cast<float*>(x), {n, 1, 28, 28}).clone();
}

void BM_torch_train_step(benchmark::State& state) {
  data d;
  torch_cnn m(static_cast<int>(state.range(0)));
  m.net->train();
  const auto x = as_nchw(d.x.data(), batch);
  std::vector<std::int64_t> labels(batch);
  for (int j = 0; j < batch; ++j) labels[static_cast<std::size_t>(j)] = j % 10;
  const auto y = torch::tensor(labels);
  auto step = [&] {
    m.net->zero_grad();
    auto loss = torch::nn::functional::cross_entropy(m.net->forward(x), y);
    loss.backward();
    m.adadelta();
    return loss.item<float>();
  };
  for (int i = 0; i < warm_up; ++i) step();
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.counters["images/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}
void BM_torch_predict(benchmark::State& state) {
  data d;
  torch_cnn m(1);
  m.net->eval();
  const auto x = as_nchw(d.x.data(), 1);
  torch::InferenceMode guard;
  for (auto _ : state) {
    auto out = torch::softmax(m.net->forward(x), 1);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
}
#endif
}  // namespace

// Names are workload/side, as in bench/peers.cpp, for bench/report.py. The threads2 rows belong in a
// run with OPENBLAS_NUM_THREADS=2 (LibTorch's products then use both cores), the rest in one with 1.
BENCHMARK(BM_ctnn_train_step)->Name("W4_train/ctnn")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ctnn_fit_step)->Name("W4_train/ctnn_fit")->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ctnn_fit_step)
    ->Name("W4_train_threads2/ctnn")
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ctnn_predict)->Name("W4_predict/ctnn")->Unit(benchmark::kMicrosecond)->UseRealTime();
#ifdef CTNN_BENCH_TORCH
BENCHMARK(BM_torch_train_step)
    ->Name("W4_train/libtorch")
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_torch_train_step)
    ->Name("W4_train_threads2/libtorch")
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_torch_predict)->Name("W4_predict/libtorch")->Unit(benchmark::kMicrosecond)->UseRealTime();
#endif

int main(int argc, char** argv) {
#ifndef CTNN_BENCH_TORCH
  std::printf(
      "LibTorch not found when this was built (apt-get install libtorch-dev): its rows are skipped\n");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
