/// @file The umbrella header: includes every public header of ctnn, nothing else.
// SPDX-License-Identifier: MIT
#pragma once

#include "activations.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "error.hpp"
#include "fraction.hpp"
#include "initializers.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/input.hpp"
#include "losses.hpp"
#include "random.hpp"
#include "sequential.hpp"
#include "shape.hpp"
#include "summary.hpp"
