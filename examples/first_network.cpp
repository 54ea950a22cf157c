// Builds a network as a type, prints its summary, and runs one sample through it.
// This file is the first example of README.md (CI checks that the two stay the same).
#include <ctnn/ctnn.hpp>
#include <iostream>

using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Sigmoid,
                             ctnn::Dense<4>>;
static_assert(Net::parameter_count == 1732);  // checked by the compiler

int main() {
  ctnn::summary<Net>(std::cout);
  Net net(/*seed=*/42);  // Glorot-uniform weights, zero biases
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::LinSpaced(-1.0f, 1.0f);
  auto y = net.predict(x);  // noexcept, no allocation
  std::cout << "output: " << y.transpose() << '\n';
}
