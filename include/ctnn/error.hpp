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
/// Checking that loss `Loss`, given targets of type `Target`, fits a network whose output is `OutputShape`.
template <class Loss, class OutputShape, class Target>
struct at_loss;
}  // namespace error
}  // namespace ctnn
