/// @file Defines `ctnn::TimeDistributed`: one layer applied to every time step of a sequence, with the
/// same weights (Keras' TimeDistributed).
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/gemm.hpp"
#include "../shape.hpp"

namespace ctnn {

namespace detail {
/// shape<D1, D2...> from shape<D0, D1, D2...>: what one step of a sequence holds.
template <class S>
struct drop_first;
template <std::size_t D0, std::size_t... D>
struct drop_first<shape<D0, D...>> {
  using type = shape<D...>;
};
/// shape<T, D...> from T and shape<D...>.
template <std::size_t T, class S>
struct prepend_dim;
template <std::size_t T, std::size_t... D>
struct prepend_dim<T, shape<D...>> {
  using type = shape<T, D...>;
};
}  // namespace detail

/// `Layer` on each of the T steps of its input: shape<T, D...> to shape<T, Layer's output on shape<D...>>,
/// one set of weights for all steps, as Keras' TimeDistributed. `TimeDistributed<Dense<1>>` after a
/// recurrent layer that returns its sequence gives one value per step. Because a step's values are
/// contiguous in a sample (shape<T, F> is T columns of F, side by side), a batch of n sequences is the
/// layer's batch of T n steps: the layer runs once, on all of them.
/// `Layer` is a layer without buffers (not BatchNormalization) and not a block.
template <class Layer>
struct TimeDistributed {
  static constexpr std::string_view name = "TimeDistributed";
  using layer = Layer;

  template <Shape In>
  static constexpr bool check() {
    if constexpr (In::rank < 2) {
      static_assert(
          In::rank >= 2,
          "ctnn::TimeDistributed needs a sequence, shape<time steps, ...>; a recurrent layer before "
          "it must return its sequence (Returns::sequences)");
      return false;
    } else {
      return Layer::template check<typename detail::drop_first<In>::type>();
    }
  }
  template <Shape In>
  using output_shape = typename detail::prepend_dim<
      In::dims[0], typename Layer::template output_shape<typename detail::drop_first<In>::type>>::type;

  template <Shape In, class Scalar>
  struct bind {
    static constexpr std::size_t T = In::dims[0];
    using step_in = typename detail::drop_first<In>::type;
    using inner = typename Layer::template bind<step_in, Scalar>;
    static_assert(
        !requires { inner::buffer_count; },
        "ctnn::TimeDistributed: the layer may not have buffers (BatchNormalization's statistics)");
    using input_shape = In;
    using output_shape = typename detail::prepend_dim<T, typename inner::output_shape>::type;
    static constexpr std::size_t parameter_count = inner::parameter_count;
    static constexpr std::size_t storage_size = inner::storage_size;
    static constexpr bool updates_in_place = [] {
      if constexpr (requires { requires inner::updates_in_place; })
        return true;
      else
        return false;
    }();

    template <class F>
    static void for_each_tensor(F&& f) {
      if constexpr (requires { inner::for_each_tensor(f); }) inner::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) {
      if constexpr (requires { inner::initialize(p, rng); }) inner::initialize(p, rng);
    }
    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      typename detail::state_of<inner, MaxB * T>::type steps;
    };
    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      if constexpr (requires { inner::template reserve<MaxB * T>(s); }) inner::template reserve<MaxB * T>(s);
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      inner::forward(p, steps<step_in::size>(x), steps<inner::output_shape::size>(y), s.steps, ctx);
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y& y, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      inner::backward(p, g, steps<step_in::size>(x), steps<inner::output_shape::size>(y),
                      steps<inner::output_shape::size>(dy), steps<step_in::size>(dx), need_dx, s.steps, ctx);
    }

   private:
    /// A batch of n sequences as the layer's batch of T n steps.
    template <std::size_t Rows, class M>
    static auto steps(M&& m) noexcept {
      using P = std::remove_pointer_t<decltype(m.data())>;
      return Eigen::Map<detail::plain_matrix<P, static_cast<int>(Rows), Eigen::Dynamic>>(
          m.data(), Rows, m.cols() * static_cast<Eigen::Index>(T));
    }
  };
};

}  // namespace ctnn
