/// @file Defines the pooling layers over sequences shape<T, C>: MaxPool1D, AveragePool1D,
/// GlobalAveragePool1D. A sequence's column is an image's of height T, width 1 (channels fastest in
/// both), so each is its 2-D counterpart bound to shape<T, 1, C>, with the sequence's shapes.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "../concepts.hpp"
#include "pool2d.hpp"

namespace ctnn {

namespace detail {
/// `Pool2D` bound to the sequence `In` seen as a T x 1 image, with the sequence's shapes outside.
template <class Pool2D, Shape In, Shape Out, class Scalar>
struct pool_over_time : Pool2D::template bind<shape<In::dims[0], 1, In::dims[1]>, Scalar> {
  using input_shape = In;
  using output_shape = Out;
};
}  // namespace detail

/// The largest value of each window of Pool steps, per channel (stride = pool size, Keras' floor).
/// Input: shape<T, C>; output: shape<T / Pool, C>.
template <std::size_t Pool>
struct MaxPool1D {
  static constexpr std::string_view name = "MaxPool1D";

  template <Shape In>
  static constexpr bool check() {
    if constexpr (In::rank != 2) {
      static_assert(In::rank == 2, "ctnn::MaxPool1D needs a sequence, shape<time steps, channels>");
      return false;
    } else {
      static_assert(Pool > 0 && Pool <= In::dims[0],
                    "ctnn::MaxPool1D: the pool must hold between 1 step and the whole sequence");
      return Pool > 0 && Pool <= In::dims[0];
    }
  }
  template <Shape In>
  using output_shape = shape<In::dims[0] / Pool, In::dims[1]>;

  template <Shape In, class Scalar>
  struct bind : detail::pool_over_time<MaxPool2D<Pool, 1>, In, output_shape<In>, Scalar> {};
};

/// The mean of each window of Pool steps, per channel (stride = pool size, Keras' floor).
template <std::size_t Pool>
struct AveragePool1D {
  static constexpr std::string_view name = "AveragePool1D";

  template <Shape In>
  static constexpr bool check() {
    if constexpr (In::rank != 2) {
      static_assert(In::rank == 2, "ctnn::AveragePool1D needs a sequence, shape<time steps, channels>");
      return false;
    } else {
      static_assert(Pool > 0 && Pool <= In::dims[0],
                    "ctnn::AveragePool1D: the pool must hold between 1 step and the whole sequence");
      return Pool > 0 && Pool <= In::dims[0];
    }
  }
  template <Shape In>
  using output_shape = shape<In::dims[0] / Pool, In::dims[1]>;

  template <Shape In, class Scalar>
  struct bind : detail::pool_over_time<AveragePool2D<Pool, 1>, In, output_shape<In>, Scalar> {};
};

/// The mean over all steps, per channel: shape<T, C> to shape<C>.
struct GlobalAveragePool1D {
  static constexpr std::string_view name = "GlobalAveragePool1D";

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 2, "ctnn::GlobalAveragePool1D needs a sequence, shape<time steps, channels>");
    return In::rank == 2;
  }
  template <Shape In>
  using output_shape = shape<In::dims[In::rank - 1]>;

  template <Shape In, class Scalar>
  struct bind : detail::pool_over_time<GlobalAveragePool2D, In, output_shape<In>, Scalar> {};
};

}  // namespace ctnn
