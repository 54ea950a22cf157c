// The network of examples/embedded_sine.cpp: one input, two hidden layers of 16 tanh units, one output.
#pragma once
#include <ctnn/ctnn.hpp>

using sine_net = ctnn::Sequential<ctnn::Input<1>, ctnn::Dense<16>, ctnn::Tanh, ctnn::Dense<16>, ctnn::Tanh, ctnn::Dense<1>>;
