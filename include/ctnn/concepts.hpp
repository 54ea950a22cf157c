/// @file Defines the layer contract: `LayerSpec`, `tensor_info`, and the context a layer computes in.
// SPDX-License-Identifier: MIT
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "config.hpp"
#include "detail/batch_sync.hpp"
#include "detail/gemm.hpp"
#include "error.hpp"
#include "random.hpp"
#include "shape.hpp"

namespace ctnn {

/// Describes one parameter tensor of a bound layer, for initialisers, summaries, optimisers and files.
struct tensor_info {
  std::string_view name;  ///< "kernel" or "bias", as Keras names them
  std::size_t offset;     ///< first scalar, relative to the layer's parameter block
  std::size_t rows;       ///< a tensor is a column-major rows x cols matrix
  std::size_t cols;
  std::size_t size() const noexcept { return rows * cols; }
};

/// What a layer needs besides its parameters and its input: scratch for large products, the
/// generator Dropout draws from, whether this pass trains, and how backward adds parameter
/// gradients: `g += gradient_scale * dL/dw`. The scale is 1 except in a fused SGD step
/// (basic_sequential::backward_sgd), where it is -learning_rate and, for a layer that declares
/// `updates_in_place`, `g` is the layer's own parameters.
/// `buffers`: the layer's own block of buffers (model memory that is not trained, BatchNormalization's
/// running statistics), read-only in forward and backward; the chain points it at each layer's block.
/// `sync`: when threads share the batch, how a layer that needs whole-batch sums exchanges them
/// (`lane` is this thread's place); null on one thread.
template <class Scalar>
struct context {
  detail::gemm_scratch<Scalar>& scratch;
  random_engine& rng;
  ctnn::mode mode;
  Scalar gradient_scale = Scalar(1);
  const Scalar* buffers = nullptr;
  detail::batch_sync* sync = nullptr;
  std::size_t lane = 0;
};

namespace detail {
/// Per-batch state a bound layer keeps between forward and backward (a Dropout mask, say).
struct no_state {};

/// A bound layer's buffers: `buffer_size` scalars of storage (padding included), `buffer_count` of
/// them counted as Keras' non-trainable parameters; 0 for a layer that declares none.
template <class Bound>
constexpr std::size_t buffer_size_of() {
  if constexpr (requires { Bound::buffer_size; })
    return Bound::buffer_size;
  else
    return 0;
}
template <class Bound>
constexpr std::size_t buffer_count_of() {
  if constexpr (requires { Bound::buffer_count; })
    return Bound::buffer_count;
  else
    return 0;
}
/// Doubles per thread a layer exchanges when threads share a batch (0: it needs none).
template <class Bound>
constexpr std::size_t sync_width_of() {
  if constexpr (requires { Bound::sync_width; })
    return Bound::sync_width;
  else
    return 0;
}

template <class Bound, std::size_t MaxB>
struct state_of {
  using type = no_state;
};
template <class Bound, std::size_t MaxB>
requires requires {
  typename Bound::template state<MaxB>;
}
struct state_of<Bound, MaxB> {
  using type = typename Bound::template state<MaxB>;
};
}  // namespace detail

/// The members every bound layer without parameters shares: derive a parameter-free bound layer from it.
template <Shape In, Shape Out = In>
struct parameterless {
  using input_shape = In;
  using output_shape = Out;
  static constexpr std::size_t parameter_count = 0;
  static constexpr std::size_t storage_size = 0;
};

/// A layer as the user writes it in `Sequential<...>`: hyper-parameters only. Laws:
/// - `Spec::name` names it in summaries and files;
/// - `Spec::check<In>()` states its rules on the input shape, one `static_assert` each (the message
///   says what is wrong and how to fix it), and returns whether all hold, so that the network stops
///   at the first broken rule; nothing else may fail to compile when they hold;
/// - `Spec::output_shape<In>` is the shape it produces;
/// - `Spec::bind<In, Scalar>` is the bound layer (see docs/concepts.md): `parameter_count`,
///   `storage_size`, `forward`, `backward`, and optionally `state<MaxB>`, `reserve<MaxB>`,
///   `initialize`, `for_each_tensor`.
/// The concept asks only for `name` and `bind` (named, not instantiated): whether `check`, `output_shape`
/// and `bind` accept a given input is that layer's rule to state, so no probe shape is used here.
template <class T>
concept LayerSpec = requires {
  { T::name } -> std::convertible_to<std::string_view>;
  typename T::template bind<shape<1>, float>;
};

/// A bound layer as the network runs it (docs/concepts.md): shapes, parameter and storage counts, and
/// static forward and backward over the network's views (one column per sample, `Scalar` maps).
/// The network checks every bound layer right after binding it (detail::check_bound), so a custom
/// layer missing a member gets one ctnn message naming the member, not a cascade from deep inside.
template <class B, class Scalar>
concept BoundLayer = requires {
  typename B::input_shape;
  typename B::output_shape;
  { B::parameter_count } -> std::convertible_to<std::size_t>;
  { B::storage_size } -> std::convertible_to<std::size_t>;
}
&&Shape<typename B::input_shape>&& Shape<typename B::output_shape>&& requires(
    const Scalar* p, Scalar* g, batch_map<Scalar, B::input_shape::size> x,
    batch_map<Scalar, B::output_shape::size> y, typename detail::state_of<B, 2>::type& s,
    context<Scalar>& ctx) {
  B::forward(p, x, y, s, ctx);
  B::backward(p, g, x, y, y, x, true, s, ctx);
};

namespace detail {
/// Whether Spec bound on In is a BoundLayer of the output shape Spec says; one static_assert per member,
/// in the order a layer author adds them.
template <class Spec, class In, class Scalar, class B = typename Spec::template bind<In, Scalar>>
constexpr bool check_bound() {
  constexpr bool shapes = requires {
    typename B::input_shape;
    typename B::output_shape;
  };
  constexpr bool counts = requires {
    { B::parameter_count } -> std::convertible_to<std::size_t>;
    { B::storage_size } -> std::convertible_to<std::size_t>;
  };
  if constexpr (!shapes) {
    static_assert(shapes,
                  "ctnn: this layer's bind<In, Scalar> needs input_shape and output_shape "
                  "(deriving it from ctnn::parameterless<In, Out> supplies them)");
    return false;
  } else if constexpr (!counts) {
    static_assert(counts,
                  "ctnn: this layer's bind<In, Scalar> needs static constexpr parameter_count and "
                  "storage_size (0 and 0 without parameters; ctnn::parameterless supplies them)");
    return false;
  } else if constexpr (!std::is_same_v<typename B::output_shape, typename Spec::template output_shape<In>>) {
    static_assert(always_false<B>,
                  "ctnn: this layer's bind<In, Scalar>::output_shape differs from its spec's "
                  "output_shape<In>");
    return false;
  } else if constexpr (!(B::storage_size >= B::parameter_count)) {
    static_assert(always_false<B>, "ctnn: this layer's storage_size is smaller than its parameter_count");
    return false;
  } else {
    // Plain booleans, not the concept, in the assertions: a compiler explains a failed concept at
    // length, and the message already says what is missing.
    using X = batch_map<Scalar, B::input_shape::size>;
    using Y = batch_map<Scalar, B::output_shape::size>;
    using S = typename state_of<B, 2>::type;
    constexpr bool forward = requires(const Scalar* p, X x, Y y, S& s, context<Scalar>& ctx) {
      B::forward(p, x, y, s, ctx);
    };
    constexpr bool backward = requires(const Scalar* p, Scalar* g, X x, Y y, S& s, context<Scalar>& ctx) {
      B::backward(p, g, x, y, y, x, true, s, ctx);
    };
    static_assert(forward,
                  "ctnn: this layer's bind<In, Scalar> needs static forward(p, x, y, state, ctx) "
                  "callable on the network's views (see docs/concepts.md)");
    static_assert(
        !forward || backward,
        "ctnn: this layer's bind<In, Scalar> needs static backward(p, g, x, y, dy, dx, need_dx, state, "
        "ctx) callable on the network's views (see docs/concepts.md)");
    return forward && backward;
  }
}
}  // namespace detail

}  // namespace ctnn
