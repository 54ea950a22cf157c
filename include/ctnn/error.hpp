/// @file Defines the types that carry context into compile-time diagnostics.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace ctnn {
namespace detail {
/// A `false` that depends on its arguments, for `static_assert` in a branch that must not be taken.
template <class...>
inline constexpr bool always_false = false;
}  // namespace detail

/// Types whose only job is to appear in a compiler's "required from" lines.
namespace error {
/// Checking layer number `Index` (1 for the first layer after Input) of the list, `Layer`, bound on
/// `InputShape`. Its name, printed by the compiler next to a failed rule, says where the rule failed.
template <std::size_t Index, class Layer, class InputShape>
struct at_layer;
/// Where a layer sits inside blocks: `path<5, 2, 1>` is layer 1 of branch 2 of the block at position
/// 5 (positions and layers count from 1, as at_layer's do; Residual's layers are its branch 2).
template <std::size_t... Steps>
struct path {};
/// Checking the layer at `Path` (see path), `Layer`, bound on `InputShape`, inside a block's branch.
template <class Path, class Layer, class InputShape>
struct in_block;
/// Checking that branch `Branch` of the block at `Path`, whose output is `BranchOutput`, fits branch
/// 1's output `FirstOutput` under the block's operation `Op` (same shape for Add and Multiply; same
/// but for the last axis for Concat).
template <class Op, class Path, std::size_t Branch, class FirstOutput, class BranchOutput>
struct at_branch;
/// Checking that loss `Loss`, given targets of type `Target`, fits a network whose output is `OutputShape`.
template <class Loss, class OutputShape, class Target>
struct at_loss;
/// Checking the samples handed to trainer::`Entry` (fit, evaluate, predict): the network takes
/// `NetworkRows` values per sample as `NetworkScalar`; the data has `DataRows` rows (-1: known only at
/// run time) of `DataScalar`.
template <class Entry, std::size_t NetworkRows, int DataRows, class NetworkScalar, class DataScalar>
struct at_samples;
/// Checking the targets handed to trainer::`Entry` for loss `Loss`: the network has `NetworkRows`
/// outputs; the targets are of type `Target`, with `TargetRows` rows (-1: not an Eigen matrix, or known
/// only at run time).
template <class Entry, class Loss, std::size_t NetworkRows, int TargetRows, class Target>
struct at_targets;
}  // namespace error

namespace entry {
/// Tags that name the trainer's entry points in diagnostics.
struct fit;
struct evaluate;
struct predict;
}  // namespace entry
}  // namespace ctnn
