// The benchmark issue's binary-size program: inference only for W1 (16-32-32-4 tanh), reading one
// sample of 16 numbers from standard input and printing the 4 outputs. scripts/compile-cost builds
// it at -O2, strips it and reports its size (the weights here are the seed's; a real program would
// load them or embed them).
#include <cstdio>
#include <ctnn/activations.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/sequential.hpp>

using W1 = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Tanh,
                            ctnn::Dense<4>>;

int main() {
  static W1 net(1);
  Eigen::Matrix<float, 16, 1> x;
  for (int i = 0; i < 16; ++i)
    if (std::scanf("%f", &x(i)) != 1) return 1;
  const auto y = net.predict(x);
  std::printf("%g %g %g %g\n", y(0), y(1), y(2), y(3));
}
