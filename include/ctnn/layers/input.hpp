/// @file Defines `ctnn::Input`, the first element of every network: the shape of one sample.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

#include "../error.hpp"
#include "../shape.hpp"

namespace ctnn {

/// The shape of one sample, `Input<784>` or `Input<28, 28, 1>` (height, width, channels).
/// Always the first element of a `Sequential`, and only there.
template <std::size_t... Dims>
struct Input {
  using shape_type = shape<Dims...>;
  static constexpr bool check() {
    static_assert(sizeof...(Dims) > 0, "ctnn::Input needs at least one dimension, as in Input<784>");
    static_assert(((Dims > 0) && ...), "ctnn::Input: every dimension must be at least 1");
    return sizeof...(Dims) > 0 && ((Dims > 0) && ...);
  }
};

namespace detail {
template <class T>
inline constexpr bool is_input = false;
template <std::size_t... D>
inline constexpr bool is_input<Input<D...>> = true;
}  // namespace detail

}  // namespace ctnn
