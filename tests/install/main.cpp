// A program outside the ctnn tree, built against an installed ctnn through find_package.
#include <ctnn/ctnn.hpp>
#include <iostream>

using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Sigmoid,
                             ctnn::Dense<4>>;

int main() {
  Net net;
  const auto y = net.predict(Eigen::Matrix<float, 16, 1>::Ones());
  std::cout << "parameters: " << Net::parameter_count << "\noutput: " << y.transpose() << '\n';
  return y.allFinite() ? 0 : 1;
}
