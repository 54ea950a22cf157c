// Issue 13's streaming benchmark: one time step per call, in one program and on the same weights, of
//   Input<1> -> LSTM<U> -> Dense<1>, and the same with GRU<U>, for U = 8, 16, 32, 64;
//   a causal Conv1D stack (4 layers of 16 channels, kernel 3, dilations 1-2-4-8, tanh) -> Dense<1>;
// ctnn's streaming form (ctnn::streaming<Net>) against RTNeural's compile-time ModelT with its Eigen
// backend (../shared/peers/RTNeural, when present) and, for the LSTM, a cell written by hand with
// fixed-size Eigen. Every side's outputs over 4096 steps are checked against ctnn's before anything is
// timed (the program stops if they differ by more than 1e-5 of the output's scale).
//
// Rows: <model>/<U>/<side>_mean (a loop of 1024 steps per iteration; time per step, and the real-time
// factor at 48 kHz: how many times faster than the samples arrive) and <side>_latency (each of 1e6
// calls timed alone; p50/p99/p99.9/max in ns, the clock's own cost included: see clock_only). At the
// end, a Markdown table of the medians over the repetitions and the ratio RTNeural / ctnn.
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_BENCHMARKS=ON -DCTNN_NATIVE=ON
//   cmake --build build/bench --target bench_streaming
//   build/bench/bench/streaming --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctnn/core.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#ifdef CTNN_BENCH_RTNEURAL
#include <RTNeural/RTNeural.h>
#endif

namespace {

constexpr std::size_t signal_length = 4096, loop_steps = 1024;

const std::vector<float>& signal() {
  static const std::vector<float> x = [] {
    std::vector<float> s(signal_length);
    ctnn::random_engine rng(7);
    for (std::size_t t = 0; t < s.size(); ++t)
      s[t] = static_cast<float>(0.6 * std::sin(0.031 * static_cast<double>(t)) + 0.2 * rng.uniform(-1, 1));
    return s;
  }();
  return x;
}

/// Per-step times (ns) of every repetition of every mean row, for the table at the end.
std::map<std::string, std::vector<double>>& results() {
  static std::map<std::string, std::vector<double>> r;
  return r;
}
/// The sides' names in the order they were registered (the tables' order).
std::vector<std::string>& order() {
  static std::vector<std::string> r;
  return r;
}
/// p50, p99, p99.9 and max (ns) of every repetition of every latency row.
std::map<std::string, std::vector<std::array<double, 4>>>& latencies() {
  static std::map<std::string, std::vector<std::array<double, 4>>> r;
  return r;
}

template <class Net>
std::unique_ptr<Net> trained_like(std::uint64_t seed) {
  auto net = std::make_unique<Net>(seed);
  ctnn::random_engine rng(seed + 1);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += static_cast<float>(0.1 * rng.uniform(-1, 1));
  return net;
}

// ---- LSTM and GRU ------------------------------------------------------------------------------
template <bool Lstm, int U>
struct recurrent_sides {
  using Cell = std::conditional_t<Lstm, ctnn::LSTM<U>, ctnn::GRU<U>>;
  using Net = ctnn::Sequential<ctnn::Input<64, 1>, Cell, ctnn::Dense<1>>;
  static constexpr int G = Lstm ? 4 : 3;
  std::unique_ptr<Net> net = trained_like<Net>(U + (Lstm ? 0 : 100));
  std::unique_ptr<ctnn::streaming<Net>> model = std::make_unique<ctnn::streaming<Net>>(*net);
  using Fast = ctnn::streaming<Net, ctnn::Activations::fast>;
  std::unique_ptr<Fast> fast = std::make_unique<Fast>(*net);

  // The tensors as matrices: W (G U x 1), Wh (G U x U), biases, Dense.
  using L0 = typename Net::template layer_type<0>;
  using L1 = typename Net::template layer_type<1>;
  const float* p0 = net->parameters().data();
  const float* p1 = net->parameters().data() + Net::template offset<1>;
  Eigen::Matrix<float, G * U, 1> W = L0::W(p0), b = L0::b(p0);
  Eigen::Matrix<float, G * U, U> Wh = L0::Wh(p0);
  Eigen::Matrix<float, 1, U> Wd = L1::W(p1);
  float bd = L1::b(p1)(0);

#ifdef CTNN_BENCH_RTNEURAL
  using RtCell = std::conditional_t<Lstm, RTNeural::LSTMLayerT<float, 1, U>, RTNeural::GRULayerT<float, 1, U>>;
  RTNeural::ModelT<float, 1, 1, RtCell, RTNeural::DenseT<float, U, 1>> rt;
  void set_rtneural() {
    std::vector<std::vector<float>> w(1, std::vector<float>(G * U)), u(U, std::vector<float>(G * U));
    for (int k = 0; k < G * U; ++k) w[0][k] = W(k);
    for (int i = 0; i < U; ++i)
      for (int k = 0; k < G * U; ++k) u[i][k] = Wh(k, i);
    auto& cell = rt.template get<0>();
    cell.setWVals(w);
    cell.setUVals(u);
    if constexpr (Lstm) {
      cell.setBVals(std::vector<float>(b.data(), b.data() + G * U));
    } else {
      const float* rec = p0 + L0::weights::offsets[2] + G * U;  // the recurrent bias, the second column
      cell.setBVals({std::vector<float>(b.data(), b.data() + G * U), std::vector<float>(rec, rec + G * U)});
    }
    std::vector<std::vector<float>> d(1, std::vector<float>(Wd.data(), Wd.data() + U));
    rt.template get<1>().setWeights(d);
    rt.template get<1>().setBias(&bd);
    rt.reset();
  }
#endif

  // A hand-written LSTM cell (Keras' gates i, f, c, o) with fixed-size Eigen: what one writes without
  // a library.
  Eigen::Matrix<float, U, 1> h = Eigen::Matrix<float, U, 1>::Zero(), c = Eigen::Matrix<float, U, 1>::Zero();
  float eigen_step(float x) noexcept {
    Eigen::Matrix<float, G * U, 1> z = W * x + b;
    z.noalias() += Wh * h;
    const auto i = (1 / (1 + (-z.template segment<U>(0).array()).exp()));
    const auto f = (1 / (1 + (-z.template segment<U>(U).array()).exp()));
    const auto g = z.template segment<U>(2 * U).array().tanh();
    const auto o = (1 / (1 + (-z.template segment<U>(3 * U).array()).exp()));
    c.array() = f * c.array() + i * g;
    h.array() = o * c.array().tanh();
    return Wd.dot(h) + bd;
  }
  void eigen_reset() {
    h.setZero();
    c.setZero();
  }
};

template <bool Lstm, int U>
recurrent_sides<Lstm, U>& recurrent() {
  static recurrent_sides<Lstm, U>* s = [] {
    auto* r = new recurrent_sides<Lstm, U>();
#ifdef CTNN_BENCH_RTNEURAL
    r->set_rtneural();
#endif
    return r;
  }();
  return *s;
}

// ---- The causal Conv1D stack ------------------------------------------------------------------------
struct conv_sides {
  using Net = ctnn::Sequential<ctnn::Input<64, 1>, ctnn::Conv1D<16, 3, ctnn::Padding::causal, 1, 1>, ctnn::Tanh,
                               ctnn::Conv1D<16, 3, ctnn::Padding::causal, 1, 2>, ctnn::Tanh,
                               ctnn::Conv1D<16, 3, ctnn::Padding::causal, 1, 4>, ctnn::Tanh,
                               ctnn::Conv1D<16, 3, ctnn::Padding::causal, 1, 8>, ctnn::Tanh,
                               ctnn::TimeDistributed<ctnn::Dense<1>>>;
  std::unique_ptr<Net> net = trained_like<Net>(5);
  std::unique_ptr<ctnn::streaming<Net>> model = std::make_unique<ctnn::streaming<Net>>(*net);
  using Fast = ctnn::streaming<Net, ctnn::Activations::fast>;
  std::unique_ptr<Fast> fast = std::make_unique<Fast>(*net);
#ifdef CTNN_BENCH_RTNEURAL
  RTNeural::ModelT<float, 1, 1, RTNeural::Conv1DT<float, 1, 16, 3, 1>, RTNeural::TanhActivationT<float, 16>,
                   RTNeural::Conv1DT<float, 16, 16, 3, 2>, RTNeural::TanhActivationT<float, 16>,
                   RTNeural::Conv1DT<float, 16, 16, 3, 4>, RTNeural::TanhActivationT<float, 16>,
                   RTNeural::Conv1DT<float, 16, 16, 3, 8>, RTNeural::TanhActivationT<float, 16>,
                   RTNeural::DenseT<float, 16, 1>>
      rt;
  template <std::size_t I, class Conv>
  void set_conv(Conv& conv) {
    using L = typename Net::template layer_type<I>;
    const float* p = net->parameters().data() + Net::template offset<I>;
    const auto W = L::W(p);
    constexpr int C = static_cast<int>(L::C), K = 3;
    // RTNeural's taps run newest first: its tap j is Keras' (and ctnn's) tap K - 1 - j.
    std::vector<std::vector<std::vector<float>>> w(16, std::vector<std::vector<float>>(C, std::vector<float>(K)));
    for (int f = 0; f < 16; ++f)
      for (int c = 0; c < C; ++c)
        for (int k = 0; k < K; ++k) w[f][c][K - 1 - k] = W(f, k * C + c);
    conv.setWeights(w);
    const auto b = L::b(p);
    conv.setBias(std::vector<float>(b.data(), b.data() + 16));
  }
  void set_rtneural() {
    set_conv<0>(rt.get<0>());
    set_conv<2>(rt.get<2>());
    set_conv<4>(rt.get<4>());
    set_conv<6>(rt.get<6>());
    using L = Net::layer_type<8>::inner;
    const float* p = net->parameters().data() + Net::offset<8>;
    const auto W = L::W(p);
    std::vector<std::vector<float>> d(1, std::vector<float>(W.data(), W.data() + 16));
    rt.get<8>().setWeights(d);
    rt.get<8>().setBias(L::b(p).data());
    rt.reset();
  }
#endif
};

conv_sides& conv() {
  static conv_sides* s = [] {
    auto* r = new conv_sides();
#ifdef CTNN_BENCH_RTNEURAL
    r->set_rtneural();
#endif
    return r;
  }();
  return *s;
}

// ---- Checks before timing ----------------------------------------------------------------------------
template <class A, class B>
void require_same(const char* what, A&& a, B&& b, double tolerance = 1e-5) {
  double worst = 0, scale = 0;
  for (float x : signal()) {
    const float ya = a(x), yb = b(x);
    worst = std::max(worst, std::abs(double(ya) - double(yb)));
    scale = std::max(scale, std::abs(double(ya)));
  }
  std::printf("check %-22s largest difference %.2e (output scale %.3f)\n", what, worst, scale);
  if (!(worst <= tolerance * std::max(1.0, scale))) {
    std::fprintf(stderr, "streaming: %s: the sides disagree; nothing timed\n", what);
    std::exit(1);
  }
}

// ---- Timing --------------------------------------------------------------------------------------------
template <class Step>
void time_mean(benchmark::State& state, const std::string& name, Step step) {
  const std::vector<float>& x = signal();
  std::size_t at = 0;
  float sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (std::size_t i = 0; i < loop_steps; ++i) sink += step(x[(at + i) % signal_length]);
    at = (at + loop_steps) % signal_length;
  }
  const auto t1 = std::chrono::steady_clock::now();
  benchmark::DoNotOptimize(sink);
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() /
                    (static_cast<double>(state.iterations()) * loop_steps);
  results()[name].push_back(ns);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * loop_steps));
  state.counters["ns_per_step"] = ns;
  state.counters["RTF_48kHz"] = 1e9 / 48000.0 / ns;
}

constexpr std::size_t latency_calls = 1'000'000;
template <class Step>
void time_latency(benchmark::State& state, const std::string& name, Step step) {
  const std::vector<float>& x = signal();
  std::vector<std::int64_t> ns(latency_calls);
  float sink = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < latency_calls; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      sink += step(x[i % signal_length]);
      const auto t1 = std::chrono::steady_clock::now();
      ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    }
  }
  benchmark::DoNotOptimize(sink);
  std::sort(ns.begin(), ns.end());
  auto q = [&](double f) { return static_cast<double>(ns[static_cast<std::size_t>(f * (latency_calls - 1))]); };
  state.counters["p50_ns"] = q(0.5);
  state.counters["p99_ns"] = q(0.99);
  state.counters["p99.9_ns"] = q(0.999);
  state.counters["max_ns"] = static_cast<double>(ns.back());
  latencies()[name].push_back({q(0.5), q(0.99), q(0.999), static_cast<double>(ns.back())});
}

template <class Step>
void register_side(const std::string& name, Step step) {
  order().push_back(name);
  benchmark::RegisterBenchmark((name + "_mean").c_str(),
                               [name, step](benchmark::State& s) mutable { time_mean(s, name, step); });
  benchmark::RegisterBenchmark((name + "_latency").c_str(),
                               [name, step](benchmark::State& s) mutable { time_latency(s, name, step); })
      ->Iterations(1);
}

template <bool Lstm, int U>
void register_recurrent() {
  auto& s = recurrent<Lstm, U>();
  const std::string model = std::string(Lstm ? "LSTM/" : "GRU/") + std::to_string(U);
  auto ctnn_step = [&s](float x) { return s.model->step(x); };
  s.model->reset();
#ifdef CTNN_BENCH_RTNEURAL
  auto rt_step = [&s](float x) { return s.rt.forward(&x); };
  require_same((model + " RTNeural").c_str(), ctnn_step, rt_step);
  s.model->reset();
  s.rt.reset();
#endif
  if constexpr (Lstm) {
    auto eigen_step = [&s](float x) { return s.eigen_step(x); };
    require_same((model + " Eigen by hand").c_str(), ctnn_step, eigen_step);
    s.model->reset();
    s.eigen_reset();
    register_side(model + "/eigen", eigen_step);
  }
  auto fast_step = [&s](float x) { return s.fast->step(x); };
  require_same((model + " ctnn fast").c_str(), ctnn_step, fast_step, 1e-4);  // activations within 5e-6
  s.model->reset();
  s.fast->reset();
  register_side(model + "/ctnn", ctnn_step);
  register_side(model + "/ctnn_fast", fast_step);
#ifdef CTNN_BENCH_RTNEURAL
  register_side(model + "/rtneural", rt_step);
#endif
}

void register_conv() {
  auto& s = conv();
  auto ctnn_step = [&s](float x) { return s.model->step(x); };
#ifdef CTNN_BENCH_RTNEURAL
  auto rt_step = [&s](float x) { return s.rt.forward(&x); };
  require_same("Conv1D stack RTNeural", ctnn_step, rt_step);
  s.model->reset();
  s.rt.reset();
#endif
  auto fast_step = [&s](float x) { return s.fast->step(x); };
  require_same("Conv1D stack ctnn fast", ctnn_step, fast_step, 1e-4);
  s.model->reset();
  s.fast->reset();
  register_side("Conv1D_stack/16/ctnn", ctnn_step);
  register_side("Conv1D_stack/16/ctnn_fast", fast_step);
#ifdef CTNN_BENCH_RTNEURAL
  register_side("Conv1D_stack/16/rtneural", rt_step);
#endif
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
#ifndef CTNN_BENCH_RTNEURAL
  std::printf("streaming: ../shared/peers/RTNeural not found at build time; its rows are skipped\n");
#endif
  register_recurrent<true, 8>();
  register_recurrent<true, 16>();
  register_recurrent<true, 32>();
  register_recurrent<true, 64>();
  register_recurrent<false, 8>();
  register_recurrent<false, 16>();
  register_recurrent<false, 32>();
  register_recurrent<false, 64>();
  register_conv();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  // The table: medians over the repetitions, ns per step, the real-time factor at 48 kHz, the ratios.
  std::printf("\n| model | ctnn ns/step | ctnn fast ns/step | RTNeural ns/step | Eigen by hand ns/step | ctnn RTF at 48 kHz "
              "| RTNeural / ctnn | RTNeural / ctnn fast |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string& name : order()) {
    const auto found = results().find(name);
    if (found == results().end()) continue;  // filtered out
    const std::vector<double>& times = found->second;
    const auto slash = name.rfind('/');
    if (name.substr(slash + 1) != "ctnn") continue;
    const std::string model = name.substr(0, slash);
    const double c = median(times);
    auto side = [&](const char* which) {
      const auto it = results().find(model + "/" + which);
      return it == results().end() ? 0.0 : median(it->second);
    };
    auto cell = [](double v, const char* format) {
      char text[32] = "-";
      if (v > 0) std::snprintf(text, sizeof text, format, v);
      return std::string(text);
    };
    const double f = side("ctnn_fast"), r = side("rtneural"), e = side("eigen");
    std::printf("| %s | %.1f | %s | %s | %s | %.0f | %s | %s |\n", model.c_str(), c, cell(f, "%.1f").c_str(),
                cell(r, "%.1f").c_str(), cell(e, "%.1f").c_str(), 1e9 / 48000.0 / c,
                cell(r > 0 ? r / c : 0, "%.2fx").c_str(), cell(r > 0 && f > 0 ? r / f : 0, "%.2fx").c_str());
  }

  // Latency of one call timed alone (the clock's own cost included), medians over the repetitions.
  std::printf("\n| model, side | p50 ns | p99 ns | p99.9 ns | max ns |\n|---|---:|---:|---:|---:|\n");
  for (const std::string& name : order()) {
    const auto found = latencies().find(name);
    if (found == latencies().end()) continue;
    const auto& reps = found->second;
    std::array<double, 4> m{};
    for (std::size_t k = 0; k < 4; ++k) {
      std::vector<double> v;
      for (const auto& r : reps) v.push_back(r[k]);
      m[k] = median(v);
    }
    std::printf("| %s | %.0f | %.0f | %.0f | %.0f |\n", name.c_str(), m[0], m[1], m[2], m[3]);
  }
}
