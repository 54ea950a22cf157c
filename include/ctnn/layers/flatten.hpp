/// @file Defines `ctnn::Flatten`, which turns any shape into rank 1 (Keras' order: last dimension fastest).
// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "../concepts.hpp"

namespace ctnn {

/// Reshapes a sample to `shape<In::size>`. The data does not move: a sample is already one column
/// with the last dimension changing fastest, which is the order Keras' Flatten produces.
struct Flatten {
  static constexpr std::string_view name = "Flatten";

  template <Shape In>
  static constexpr bool check() {
    return true;
  }
  template <Shape In>
  using output_shape = shape<In::size>;

  template <Shape In, class Scalar>
  struct bind : parameterless<In, shape<In::size>> {
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      y = x;
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, context<Scalar>&) noexcept {
      if (need_dx) dx = dy;
    }
  };
};

}  // namespace ctnn
