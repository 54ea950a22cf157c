/// @file The umbrella header: includes every public header of ctnn, nothing else. For networks and
/// predict alone (no trainer, threads, files or printing), include core.hpp.
// SPDX-License-Identifier: MIT
#pragma once

#include "core.hpp"
#include "history.hpp"
#include "io.hpp"
#include "metrics.hpp"
#include "optimizers/adadelta.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/optimizer.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"
#include "summary.hpp"
#include "trainer.hpp"
