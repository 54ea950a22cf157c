// The networks tests/embed embeds: a float MLP (the benchmark's W1), a double CNN, and a float CNN
// with blocks and BatchNormalization (whose moving statistics are buffers, embedded too), and a
// sequence model (causal dilated Conv1D, LSTM, GRU, a per-step Dense) for the streaming form.
#pragma once
#include <ctnn/ctnn.hpp>

namespace embed_test {
using Mlp = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<32>, ctnn::Tanh,
                             ctnn::Dense<4>>;
using Cnn = ctnn::Sequential<ctnn::Input<8, 8, 2>, ctnn::Conv2D<4, 3, 3>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>,
                             ctnn::Flatten, ctnn::Dense<3>, ctnn::Softmax>::rebind<double>;
using Blocks = ctnn::Sequential<
    ctnn::Input<6, 6, 2>, ctnn::Conv2D<4, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
    ctnn::Residual<ctnn::Conv2D<4, 3, 3, ctnn::Padding::same>, ctnn::BatchNormalization<>, ctnn::Tanh>,
    ctnn::Concat<ctnn::Branch<ctnn::MaxPool2D<2, 2>>, ctnn::Branch<ctnn::AveragePool2D<2, 2>>>, ctnn::Flatten,
    ctnn::Dense<3>, ctnn::Softmax>;
using Seq = ctnn::Sequential<ctnn::Input<32, 1>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 2>, ctnn::Tanh,
                             ctnn::LSTM<8, ctnn::Returns::sequences>, ctnn::GRU<6, ctnn::Returns::sequences>,
                             ctnn::TimeDistributed<ctnn::Dense<1>>>;
}  // namespace embed_test
