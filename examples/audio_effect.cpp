// Sequence recipe 2: an audio effect learned, then streamed one sample at a time.
//
// The data: synthetic guitar-like audio at 48 kHz (plucked strings by Karplus-Strong, single notes
// and strummed chords, noise bursts; each event at one of several levels), passed through a known
// nonlinear system with memory: a one-pole low-pass at 5 kHz, a biased tanh drive with gain 4, and a
// DC blocker (a one-pole high-pass, pole 0.995). A model learns the system from segments of 1,024
// samples with MSE; it is judged on held-out audio made from another seed, by the error-to-signal
// ratio ESR = sum (y - yhat)^2 / sum y^2.
//
// Then the deployment form: ctnn::streaming<Net> runs the trained network one sample per call over
// the whole held-out signal (state kept across what were segment boundaries), is checked against
// the batch network on whole segments, and its speed is printed as a real-time factor at 48 kHz.
//
//   audio_effect [--model lstm|gru|tcn] [--epochs N] [--train-seconds S] [--seed N] [--threads N]
//                [--quiet]
// lstm: Input<1024, 1>, LSTM<16, Returns::sequences>, TimeDistributed<Dense<1>>
// gru:  the same with GRU<16>
// tcn:  a causal dilated Conv1D stack (dilations 1 to 64, 16 channels, tanh, residual blocks),
//       receptive field 255 samples, and a 1x1 Conv1D to one channel
#include <ctnn/ctnn.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr double rate = 48000;
constexpr std::size_t T = 1024;  // samples per training segment

// ---- the data -----------------------------------------------------------------------------------

// One plucked string (Karplus-Strong): a delay line of one period filled with a burst of filtered
// noise, each pass averaged with its neighbour and damped. Added into `out` from `at` on.
void pluck(std::vector<float>& out, std::size_t at, double frequency, double level, double seconds,
           std::mt19937_64& rng) {
  const auto period = static_cast<std::size_t>(std::lround(rate / frequency));
  std::uniform_real_distribution<double> noise(-1, 1);
  std::uniform_real_distribution<double> brightness(0.2, 0.9);
  std::uniform_real_distribution<double> sustain(0.994, 0.999);
  const double b = brightness(rng), damping = sustain(rng);
  std::vector<double> line(period);
  double lp = 0;
  for (double& v : line) v = lp += b * (noise(rng) - lp);
  const auto n = static_cast<std::size_t>(seconds * rate);
  for (std::size_t i = 0, k = 0; i < n && at + i < out.size(); ++i) {
    const std::size_t next = k + 1 == period ? 0 : k + 1;
    const double v = line[k];
    out[at + i] += static_cast<float>(level * v);
    line[k] = damping * 0.5 * (v + line[next]);
    k = next;
  }
}

// A few seconds of guitar-like audio: notes, chords (three to six strings, strummed a few ms apart)
// and noise bursts, at levels from very quiet to loud, with gaps; kept within [-1, 1].
std::vector<float> guitar(double seconds, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> out(static_cast<std::size_t>(seconds * rate), 0.0f);
  std::uniform_real_distribution<double> unit(0, 1);
  const double levels[] = {0.03, 0.1, 0.25, 0.5, 0.8};
  auto level = [&] { return levels[rng() % 5] * (0.8 + 0.4 * unit(rng)); };
  auto note = [&] { return 82.41 * std::pow(2.0, static_cast<double>(rng() % 30) / 12.0); };  // E2 up
  std::size_t at = 0;
  while (at < out.size()) {
    const double kind = unit(rng), ring = 0.3 + 1.5 * unit(rng);
    if (kind < 0.55) {
      pluck(out, at, note(), level(), ring, rng);
    } else if (kind < 0.9) {
      const double l = level() / 2, root = note();
      const double steps[] = {0, 7, 12, 16, 19, 24};  // an open-position major chord
      const std::size_t strings = 3 + rng() % 4, strum = 48 + rng() % 400;
      for (std::size_t s = 0; s < strings; ++s)
        pluck(out, at + s * strum, root * std::pow(2.0, steps[s] / 12.0), l, ring, rng);
    } else {  // a noise burst with an exponential decay
      const double l = level(), decay = std::exp(-1.0 / (rate * (0.005 + 0.05 * unit(rng))));
      std::normal_distribution<double> noise(0, 0.5);
      double e = 1;
      for (std::size_t i = at; i < out.size() && e > 1e-4; ++i, e *= decay)
        out[i] += static_cast<float>(l * e * noise(rng));
    }
    at += static_cast<std::size_t>(rate * (0.15 + 0.9 * unit(rng)));
  }
  for (float& v : out) v = std::clamp(v, -1.0f, 1.0f);
  return out;
}

// The system the model learns: one-pole low-pass, biased tanh drive (even and odd harmonics, a
// signal-dependent DC offset), DC blocker.
std::vector<float> effect(const std::vector<float>& x) {
  const double a = 1 - std::exp(-2 * std::numbers::pi * 5000.0 / rate);
  const double gain = 4, bias = 0.3, r = 0.995;
  double lp = 0, previous = 0, y = 0;
  std::vector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    lp += a * (x[i] - lp);
    const double d = std::tanh(gain * lp + bias) - std::tanh(bias);
    y = d - previous + r * y;
    previous = d;
    out[i] = static_cast<float>(0.5 * y);
  }
  return out;
}

// Non-overlapping segments of T samples, one per column.
Eigen::MatrixXf segments(const std::vector<float>& s) {
  const std::size_t n = s.size() / T;
  return Eigen::Map<const Eigen::MatrixXf>(s.data(), T, static_cast<Eigen::Index>(n));
}

double esr(const float* y, const float* yhat, std::size_t n) {
  double e = 0, s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    e += (double{y[i]} - yhat[i]) * (double{y[i]} - yhat[i]);
    s += double{y[i]} * y[i];
  }
  return e / s;
}

// ---- the models ---------------------------------------------------------------------------------

using ctnn::Conv1D, ctnn::Padding, ctnn::Residual, ctnn::Tanh;
using Lstm = ctnn::Sequential<ctnn::Input<T, 1>, ctnn::LSTM<16, ctnn::Returns::sequences>,
                              ctnn::TimeDistributed<ctnn::Dense<1>>>;
using Gru = ctnn::Sequential<ctnn::Input<T, 1>, ctnn::GRU<16, ctnn::Returns::sequences>,
                             ctnn::TimeDistributed<ctnn::Dense<1>>>;
using Tcn = ctnn::Sequential<ctnn::Input<T, 1>, Conv1D<16, 3, Padding::causal>, Tanh,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 2>, Tanh>,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 4>, Tanh>,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 8>, Tanh>,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 16>, Tanh>,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 32>, Tanh>,
                             Residual<Conv1D<16, 3, Padding::causal, 1, 64>, Tanh>, Conv1D<1, 1>>;
static_assert(Lstm::parameter_count == 4 * 16 * (1 + 16 + 1) + 17);  // Keras: 1,152 + 17
static_assert(Gru::parameter_count == 3 * 16 * (1 + 16 + 2) + 17);   // reset_after: two biases

struct options {
  std::string model = "lstm";
  std::size_t epochs = 0;  // 0: the model's default
  double train_seconds = 180;
  std::uint64_t seed = 1;
  std::size_t threads = 0;
  bool quiet = false;
};

template <class Net>
int run(const options& o, std::size_t default_epochs, double learning_rate) {
  const std::size_t epochs = o.epochs ? o.epochs : default_epochs;
  const auto train_x = guitar(o.train_seconds, o.seed), test_x = guitar(30, o.seed + 1000);
  const auto train_y = effect(train_x), test_y = effect(test_x);
  const Eigen::MatrixXf x = segments(train_x), y = segments(train_y);
  const Eigen::MatrixXf tx = segments(test_x), ty = segments(test_y);
  std::printf("%s: %.0f s of training audio (%td segments of %zu samples), 30 s held out\n",
              o.model.c_str(), o.train_seconds, x.cols(), T);

  if (!o.quiet) ctnn::summary<Net>(std::cout);
  auto net = std::make_unique<Net>(o.seed);
  ctnn::trainer trainer(*net, ctnn::MeanSquaredError{}, ctnn::Adam{.learning_rate = learning_rate});
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t e = 0; e < epochs; ++e) {
    // Adam's rate falls to a tenth over the run (cosine); the optimiser's moments carry over.
    trainer.optimizer().settings().learning_rate =
        learning_rate * (0.55 + 0.45 * std::cos(std::numbers::pi * static_cast<double>(e) /
                                                 static_cast<double>(epochs)));
    trainer.fit(x, y,
                {.epochs = 1, .batch_size = 16, .seed = o.seed + e, .verbose = 0, .threads = o.threads});
    const double loss = trainer.evaluate(tx, ty, 64, o.threads).loss;
    if (!o.quiet)
      std::printf("epoch %zu/%zu  held-out segment ESR %.5f  (%.1f s)\n", e + 1, epochs,
                  loss / ty.squaredNorm() * static_cast<double>(ty.size()),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  // The deployment form over the whole held-out signal, one sample per call, state kept throughout.
  ctnn::streaming<Net> stream(*net);
  std::vector<float> streamed(test_x.size());
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < test_x.size(); ++i) streamed[i] = stream.step(test_x[i]);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Against the batch network: each of the first segments from a fresh state, both ways.
  double worst = 0;
  for (Eigen::Index s = 0; s < std::min<Eigen::Index>(tx.cols(), 64); ++s) {
    const Eigen::Matrix<float, T, 1> segment = tx.col(s);
    const auto batch = net->predict(segment);
    stream.reset();
    for (std::size_t i = 0; i < T; ++i)
      worst = std::max(worst, double{std::abs(stream.step(segment(static_cast<Eigen::Index>(i))) -
                                              batch(static_cast<Eigen::Index>(i)))});
  }
  const double audio = static_cast<double>(test_x.size()) / rate;
  std::printf("streaming matches the batch network to %.2g (largest difference over 64 segments)\n",
              worst);
  std::printf("held-out ESR, streamed over 30 s: %.5f (goal < 0.01)\n",
              esr(test_y.data(), streamed.data(), test_y.size()));
  std::printf("streaming: %.1f ns per sample, real-time factor %.0f at 48 kHz (one core)\n",
              seconds / static_cast<double>(test_x.size()) * 1e9, audio / seconds);
  return worst < 1e-4 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model")
      o.model = value();
    else if (a == "--epochs")
      o.epochs = std::stoul(value());
    else if (a == "--train-seconds")
      o.train_seconds = std::stod(value());
    else if (a == "--seed")
      o.seed = std::stoull(value());
    else if (a == "--threads")
      o.threads = std::stoul(value());
    else if (a == "--quiet")
      o.quiet = true;
    else
      throw std::invalid_argument(
          "usage: audio_effect [--model lstm|gru|tcn] [--epochs N] [--train-seconds S] [--seed N] "
          "[--threads N] [--quiet]");
  }
  if (o.model == "lstm") return run<Lstm>(o, 30, 0.01);
  if (o.model == "gru") return run<Gru>(o, 30, 0.01);
  if (o.model == "tcn") return run<Tcn>(o, 30, 0.003);
  throw std::invalid_argument("--model is lstm, gru or tcn, not " + o.model);
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
