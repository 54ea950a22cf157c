/// @file The umbrella header: includes every public header of ctnn, nothing else. For networks and
/// predict alone (no trainer, threads, files or printing), include core.hpp. The headers are listed
/// here one by one rather than through core.hpp: a layer's compile-time error then sits one
/// "In file included from" line higher in the compiler's output (the diagnostics' 30-line bound).
// SPDX-License-Identifier: MIT
#pragma once

#include "activations.hpp"
#include "blocks.hpp"
#include "chain.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "error.hpp"
#include "fraction.hpp"
#include "history.hpp"
#include "initializers.hpp"
#include "io.hpp"
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
#include "layers/recurrent.hpp"
#include "layers/time_distributed.hpp"
#include "losses.hpp"
#include "metrics.hpp"
#include "name.hpp"
#include "optimizers/adadelta.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/optimizer.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"
#include "random.hpp"
#include "sequential.hpp"
#include "shape.hpp"
#include "summary.hpp"
#include "tensors.hpp"
#include "trainer.hpp"

#include "core.hpp"   // after the headers it lists, for the reason above
#include "fold.hpp"   // after the others, likewise
#include "graph.hpp"  // likewise
#include "streaming.hpp"  // likewise
