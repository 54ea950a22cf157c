// What BatchNormalization adds to single-sample predict after the layer it normalises (the issue's
// goal: at most 5 % of that layer's own time). Each benchmark times the layer alone and the layer
// followed by BatchNormalization, interleaved in the same loop (blocks of 64 predicts each), and reports
// `overhead_pct` = 100 * (time with / time without - 1), so that both see the same machine. That is
// the trained network's cost; its deployment form, folded<Net> (ctnn::fold_batch_norm), is the plain
// layer itself (static_assert below).
// Run: build with -DCTNN_BUILD_BENCHMARKS=ON and run build/.../bench/batch_norm.
#include <benchmark/benchmark.h>

#include <chrono>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <type_traits>

namespace {
using namespace ctnn;

template <class Plain, class Normalised>
void overhead(benchmark::State& state) {
  static Plain plain(1);
  static Normalised normalised(1);
  // Moving statistics off their initial values, as after training.
  {
    auto ws = std::make_unique<typename Normalised::template workspace<8>>();
    Eigen::Matrix<float, Normalised::input_shape::size, Eigen::Dynamic> batch(Normalised::input_shape::size,
                                                                              8);
    batch.setRandom();
    normalised.forward(*ws, batch, mode::training);
    normalised.update_buffers(*ws);
  }
  Eigen::Matrix<float, Plain::input_shape::size, 1> x;
  x.setRandom();
  using clock = std::chrono::steady_clock;
  clock::duration without{}, with{};
  for (auto _ : state) {
    auto t0 = clock::now();
    for (int i = 0; i < 64; ++i) {
      benchmark::DoNotOptimize(x.data());
      auto y = plain.predict(x);
      benchmark::DoNotOptimize(y.data());
    }
    auto t1 = clock::now();
    for (int i = 0; i < 64; ++i) {
      benchmark::DoNotOptimize(x.data());
      auto y = normalised.predict(x);
      benchmark::DoNotOptimize(y.data());
    }
    auto t2 = clock::now();
    without += t1 - t0;
    with += t2 - t1;
  }
  state.counters["layer_ns"] = std::chrono::duration<double, std::nano>(without).count() /
                               (64.0 * static_cast<double>(state.iterations()));
  state.counters["overhead_pct"] =
      100.0 *
      (std::chrono::duration<double>(with).count() / std::chrono::duration<double>(without).count() - 1);
}

// MNIST's first hidden layer; a small control-sized layer; the ResNet recipe's convolutions.
using DenseMnist = Sequential<Input<784>, Dense<128>>;
using DenseMnistBn = Sequential<Input<784>, Dense<128>, BatchNormalization<>>;
using DenseSmall = Sequential<Input<64>, Dense<64>>;
using DenseSmallBn = Sequential<Input<64>, Dense<64>, BatchNormalization<>>;
using Conv16 = Sequential<Input<32, 32, 16>, Conv2D<16, 3, 3, Padding::same>>;
using Conv16Bn = Sequential<Input<32, 32, 16>, Conv2D<16, 3, 3, Padding::same>, BatchNormalization<>>;
using Conv64 = Sequential<Input<8, 8, 64>, Conv2D<64, 3, 3, Padding::same>>;
using Conv64Bn = Sequential<Input<8, 8, 64>, Conv2D<64, 3, 3, Padding::same>, BatchNormalization<>>;

// The deployment form (ctnn::fold_batch_norm) of each normalised network is the plain one: the
// normalisation is folded into the layer's weights, so in it BatchNormalization costs nothing.
static_assert(std::is_same_v<folded<DenseMnistBn>, DenseMnist> &&
              std::is_same_v<folded<DenseSmallBn>, DenseSmall>);
static_assert(std::is_same_v<folded<Conv16Bn>, Conv16> && std::is_same_v<folded<Conv64Bn>, Conv64>);

BENCHMARK(overhead<DenseMnist, DenseMnistBn>)->Name("batch_norm/after_dense_784_128");
BENCHMARK(overhead<DenseSmall, DenseSmallBn>)->Name("batch_norm/after_dense_64_64");
BENCHMARK(overhead<Conv16, Conv16Bn>)->Name("batch_norm/after_conv_32x32x16_16");
BENCHMARK(overhead<Conv64, Conv64Bn>)->Name("batch_norm/after_conv_8x8x64_64");
}  // namespace

BENCHMARK_MAIN();
