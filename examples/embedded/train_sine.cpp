// Trains the tiny network of examples/embedded_sine.cpp (sin on [-pi, pi]) and saves it, for
// tools/ctnn_embed.py to turn into embedded/sine_model.hpp (docs/embedding.md). Not built by CMake:
//   g++ -std=c++20 -O2 -Iinclude -isystem /usr/include/eigen3 examples/embedded/train_sine.cpp -o train_sine
//   ./train_sine sine.ctnn && tools/ctnn_embed.py sine.ctnn examples/embedded/sine_model.hpp
#include <cmath>
#include <cstdio>
#include <ctnn/ctnn.hpp>

#include "sine_net.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  constexpr int n = 2048;
  Eigen::Matrix<float, 1, Eigen::Dynamic> x(1, n), y(1, n);
  for (int i = 0; i < n; ++i) {
    x(0, i) = static_cast<float>(-M_PI + 2 * M_PI * i / (n - 1));
    y(0, i) = std::sin(x(0, i));
  }
  sine_net net(1);
  ctnn::trainer t(net, ctnn::MeanSquaredError{}, ctnn::Adam{.learning_rate = 0.01});
  const auto h = t.fit(x, y, {.epochs = 300, .batch_size = 64, .seed = 1, .verbose = 0});
  std::printf("final loss %g\n", h["loss"].back());
  ctnn::save(net, argv[1]);
}
