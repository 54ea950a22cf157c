// The networks tests/embed embeds: a float MLP (the benchmark's W1) and a double CNN.
#pragma once
#include <ctnn/ctnn.hpp>

namespace embed_test {
using Mlp = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<4>>;
using Cnn = ctnn::Sequential<ctnn::Input<8, 8, 2>, ctnn::Conv2D<4, 3, 3>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>,
                             ctnn::Flatten, ctnn::Dense<3>, ctnn::Softmax>::rebind<double>;
}  // namespace embed_test
