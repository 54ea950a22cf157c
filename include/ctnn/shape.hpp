/// @file Defines `ctnn::shape`, the compile-time dimensions of one sample.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace ctnn {

/// The dimensions of one sample, outermost first; images are `shape<H, W, C>` (channels last).
/// A sample is stored as one column of `size` scalars, the last dimension changing fastest.
template <std::size_t... Dims>
struct shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::size_t size = (std::size_t{1} * ... * Dims);
  static constexpr std::array<std::size_t, rank> dims{Dims...};

  /// "(28, 28, 1)": how Keras prints a shape, without the batch dimension.
  static std::string to_string() {
    std::string s = "(";
    std::size_t i = 0;
    ((s += (i++ ? ", " : "") + std::to_string(Dims)), ...);
    if constexpr (rank == 1) s += ",";
    return s + ")";
  }
};

namespace detail {
template <class T>
inline constexpr bool is_shape = false;
template <std::size_t... D>
inline constexpr bool is_shape<shape<D...>> = true;
}  // namespace detail

/// A `ctnn::shape<...>`.
template <class T>
concept Shape = detail::is_shape<T>;

}  // namespace ctnn
