/// @file The embedded core: networks (Sequential, Graph and the blocks), every layer, the losses, and
/// forward, backward and predict, with none of the trainer, threads, files, printing or data readers.
/// It adds no <thread>, <iostream>, <fstream>, <filesystem> or <mutex> of its own (Eigen/Core still
/// brings <sstream> and <atomic>). ctnn.hpp includes this and everything else.
// SPDX-License-Identifier: MIT
#pragma once

#include "activations.hpp"
#include "blocks.hpp"
#include "chain.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "error.hpp"
#include "fraction.hpp"
#include "initializers.hpp"
#include "layers/augment.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/input.hpp"
#include "layers/pool1d.hpp"
#include "layers/pool2d.hpp"
#include "layers/prelu.hpp"
#include "layers/recurrent.hpp"
#include "layers/time_distributed.hpp"
#include "losses.hpp"
#include "random.hpp"
#include "sequential.hpp"
#include "shape.hpp"
#include "tensors.hpp"

#include "fold.hpp"       // after the others, likewise
#include "graph.hpp"      // after the others: a layer's or loss's error keeps its include lines
#include "streaming.hpp"  // likewise
