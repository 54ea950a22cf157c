/// @file Defines `ctnn::Dense`, the fully connected layer.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/gemm.hpp"
#include "../detail/storage.hpp"
#include "../error.hpp"
#include "../initializers.hpp"
#include "../tensors.hpp"

namespace ctnn {

/// Fully connected layer: y = W x + b.
/// \tparam Units        number of outputs, at least 1.
/// \tparam KernelInit   initialiser of W (Keras' default, GlorotUniform); biases start at zero.
/// Input: rank 1 (add Flatten after images). Parameters: W (Units x In), b (Units).
template <std::size_t Units, class KernelInit = GlorotUniform>
struct Dense {
  static constexpr std::string_view name = "Dense";

  template <Shape In>
  static constexpr bool check() {
    if constexpr (!Initializer<KernelInit>) {
      static_assert(Initializer<KernelInit>,
                    "ctnn::Dense: its second argument is the kernel's initialiser (GlorotUniform, HeNormal, "
                    "...); an activation is a layer of its own: Dense<8>, ReLU");
      return false;
    } else if constexpr (Units > 0 && In::rank == 1 && !detail::fits_in_size(Units, In::size + 1)) {
      static_assert(
          detail::always_false<In>,
          "ctnn::Dense: Units x (inputs + 1) parameters overflow std::size_t; the layer is too large");
      return false;
    } else {
      static_assert(Units > 0, "ctnn::Dense needs at least one unit, as in Dense<10>");
      static_assert(In::rank == 1, "ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it");
      return Units > 0 && In::rank == 1;
    }
  }

  template <Shape In>
  using output_shape = shape<Units>;

  template <Shape In, class Scalar>
  struct bind {
    using input_shape = In;
    using output_shape = shape<Units>;
    static constexpr std::size_t fan_in = In::size;

    // W (Units x fan_in), Keras' fans; b (Units), zeros.
    using weights =
        tensors<Scalar, tensor<"kernel", Units, fan_in, KernelInit, fan_in, Units>, tensor<"bias", Units, 1>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    static constexpr std::size_t b_offset = weights::offsets[1];

    template <class P>
    static auto W(P* p) noexcept {
      return weights::template map<0>(p);
    }
    template <class P>
    static auto b(P* p) noexcept {
      return weights::template map<1>(p);
    }
    template <class F>
    static void for_each_tensor(F&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      s.reserve(Units, MaxB, fan_in);  // y  += W  x
      s.reserve(Units, fan_in, MaxB);  // dW += dy x'
      s.reserve(fan_in, MaxB, Units);  // dx  = W' dy
    }

    // y = W x + b, one sample per column.
    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State&, context<Scalar>& ctx) noexcept {
      if constexpr (std::remove_cvref_t<Y>::ColsAtCompileTime == 1 &&
                    Units * fan_in <= detail::lazy_product_limit) {
        detail::small_matvec(W(p), x, y.data(), b(p).data());  // one unrolled pass for small layers
      } else {
        y.colwise() = b(p);
        detail::gemm<false, false>(y, W(p), x, Scalar(1), ctx.scratch);
      }
    }

    // forward was y = W x + b, so: dx = W' dy, dW += s dy x', db += s (sum over samples of dy), with
    // s = ctx.gradient_scale. dx comes first, so `g` may be `p` itself (a fused SGD step).
    static constexpr bool updates_in_place = true;
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State&, context<Scalar>& ctx) noexcept {
      if (need_dx) {
        detail::gemm<true, false>(dx, W(p), dy, Scalar(1), ctx.scratch, Scalar(0));
      }
      detail::gemm<false, true>(W(g), dy, x, ctx.gradient_scale, ctx.scratch);
      b(g) += ctx.gradient_scale * dy.rowwise().sum();
    }
  };
};

}  // namespace ctnn
