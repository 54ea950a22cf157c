/// @file Defines `ctnn::Conv1D`: 1-D convolution over sequences shape<T, C> (channels last), with
/// Keras' valid, same and causal padding, strides and dilations, by im2col and one product per chunk.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../concepts.hpp"
#include "../detail/gemm.hpp"
#include "../detail/storage.hpp"
#include "../initializers.hpp"
#include "../tensors.hpp"
#include "conv2d.hpp"  // Padding

namespace ctnn {

namespace detail {
/// Output length and leading padding of a 1-D convolution whose kernel spans `Span` steps
/// ((Kernel - 1) Dilation + 1): valid, floor((T - Span) / S) + 1; same, ceil(T / S), padded as
/// evenly as possible (the extra zero after); causal, T (stride 1), every zero before.
template <Padding P, std::size_t T, std::size_t Span, std::size_t Stride>
struct conv1d_dim {
  static constexpr std::size_t out =
      P == Padding::valid ? (T >= Span ? (T - Span) / Stride + 1 : 0) : (T + Stride - 1) / Stride;
  static constexpr std::size_t pad_total =
      P == Padding::valid ? 0 : ((out - 1) * Stride + Span > T ? (out - 1) * Stride + Span - T : 0);
  static constexpr std::size_t pad_before = P == Padding::causal ? Span - 1 : pad_total / 2;
};
}  // namespace detail

/// 1-D convolution with bias: y(t, f) = b(f) + sum over k, c of W(f, k, c) x(t Stride - pad + k Dilation, c),
/// zeros outside the sequence. Input: shape<T, C>; output: shape<OT, Filters>.
/// \tparam Filters, Kernel  at least 1.
/// \tparam P         Padding::valid (default), Padding::same or Padding::causal (Keras' meanings; causal:
///                   step t sees inputs up to t, the form of WaveNet and TCN stacks).
/// \tparam Stride    at least 1; causal padding takes stride 1 only.
/// \tparam Dilation  at least 1, the gap between taps; above 1 only with stride 1 (as Keras).
/// Parameters: kernel W (Filters x Kernel*C, each row a filter in (k, c) order, Keras' (K, C, F)
/// transposed: the same bytes) and bias (Filters). Glorot-uniform with Keras' fans.
template <std::size_t Filters, std::size_t Kernel, Padding P = Padding::valid, std::size_t Stride = 1,
          std::size_t Dilation = 1, class KernelInit = GlorotUniform>
struct Conv1D {
  static constexpr std::string_view name = "Conv1D";
  static constexpr std::size_t kernel = Kernel, dilation = Dilation;
  static constexpr std::size_t span = Kernel == 0 || Dilation == 0 ? 1 : (Kernel - 1) * Dilation + 1;

  template <Shape In>
  static constexpr bool check() {
    if constexpr (!Initializer<KernelInit>) {
      static_assert(Initializer<KernelInit>,
                    "ctnn::Conv1D: its sixth argument is the kernel's initialiser (GlorotUniform, HeNormal, "
                    "...); an activation is a layer of its own: Conv1D<16, 3>, ReLU");
      return false;
    } else if constexpr (In::rank != 2) {
      static_assert(In::rank == 2,
                    "ctnn::Conv1D needs a sequence, shape<time steps, channels> (Input<T, C>)");
      return false;
    } else if constexpr (Filters == 0 || Kernel == 0 || Stride == 0 || Dilation == 0) {
      static_assert(
          Filters > 0 && Kernel > 0 && Stride > 0 && Dilation > 0,
          "ctnn::Conv1D needs at least one filter, and a kernel, stride and dilation of at least 1");
      return false;
    } else if constexpr (P == Padding::causal && Stride != 1) {
      static_assert(Stride == 1,
                    "ctnn::Conv1D: causal padding takes stride 1 (use Dilation to widen the view)");
      return false;
    } else if constexpr (Stride != 1 && Dilation != 1) {
      static_assert(Stride == 1 || Dilation == 1,
                    "ctnn::Conv1D: a dilation above 1 takes stride 1, as in Keras");
      return false;
    } else {
      static_assert(P != Padding::valid || span <= In::dims[0],
                    "ctnn::Conv1D: the kernel, (Kernel - 1) x Dilation + 1 steps, is longer than its valid "
                    "input; use Padding::same or causal, or a shorter kernel");
      return P != Padding::valid || span <= In::dims[0];
    }
  }

  template <Shape In>
  using output_shape = shape<detail::conv1d_dim<P, In::dims[0], span, Stride>::out, Filters>;

  template <Shape In, class Scalar>
  struct bind {
    static constexpr std::size_t T = In::dims[0], C = In::dims[1];
    using dim = detail::conv1d_dim<P, T, span, Stride>;
    static constexpr std::size_t OT = dim::out;
    static constexpr std::size_t K = Kernel * C;  // one patch
    using input_shape = In;
    using output_shape = shape<OT, Filters>;
    using weights = tensors<Scalar, tensor<"kernel", Filters, K, KernelInit, K, Kernel * Filters>,
                            tensor<"bias", Filters, 1>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;

    template <class Ptr>
    static auto W(Ptr* p) noexcept {
      return weights::template map<0>(p);
    }
    template <class Ptr>
    static auto b(Ptr* p) noexcept {
      return weights::template map<1>(p);
    }
    template <class F>
    static void for_each_tensor(F&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    /// Samples unfolded at a time: as many as fit in `conv_patch_bytes` (at least one), as Conv2D.
    template <std::size_t MaxB>
    static constexpr std::size_t chunk =
        std::max<std::size_t>(1, std::min<std::size_t>(MaxB, conv_patch_bytes / (K * OT * sizeof(Scalar))));

    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      detail::aligned_array<Scalar, K * OT * chunk<MaxB>> patches;  // then their gradient
    };
    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      constexpr std::size_t cols = OT * chunk<MaxB>;
      s.reserve(Filters, cols, K);  // Y   = W  P
      s.reserve(Filters, K, cols);  // dW += dY P'
      s.reserve(K, cols, Filters);  // dP  = W' dY
    }

    // The outputs of consecutive samples, viewed as Filters x (OT n), are contiguous: one product per
    // chunk of samples.
    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t step = chunk<State::capacity>;
      const auto n = static_cast<std::size_t>(x.cols());
      for (std::size_t j0 = 0; j0 < n; j0 += step) {
        const std::size_t m = std::min(step, n - j0);
        const auto cols = static_cast<Eigen::Index>(OT * m);
        im2col(x.data() + j0 * In::size, m, s.patches.data());
        out_map<Scalar> out(y.data() + j0 * OT * Filters, Filters, cols);
        out.colwise() = b(p);
        detail::gemm<false, false>(out, W(p), patches_view(s, cols), Scalar(1), ctx.scratch);
      }
    }

    // As Conv2D's: dW += s dY P', db += s (row sums of dY), dP = W' dY, dx = col2im(dP), chunks last to
    // first (the last one's patches are still there); `g` must not be `p`.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t step = chunk<State::capacity>;
      const auto n = static_cast<std::size_t>(x.cols());
      const std::size_t chunks = (n + step - 1) / step;
      for (std::size_t c = chunks; c-- > 0;) {
        const std::size_t j0 = c * step, m = std::min(step, n - j0);
        const auto cols = static_cast<Eigen::Index>(OT * m);
        if (cols <= 0) continue;  // never (j0 < n); tells g++ 12 -O3 the size is positive
        if (c + 1 < chunks) im2col(x.data() + j0 * In::size, m, s.patches.data());
        out_map<const Scalar> d_out(dy.data() + j0 * OT * Filters, Filters, cols);
        auto patches = patches_view(s, cols);
        detail::gemm<false, true>(W(g), d_out, patches, ctx.gradient_scale, ctx.scratch);
        b(g) += ctx.gradient_scale * d_out.rowwise().sum();
        if (!need_dx) continue;
        detail::gemm<true, false>(patches, W(p), d_out, Scalar(1), ctx.scratch, Scalar(0));
        Scalar* dx_chunk = dx.data() + j0 * In::size;
        std::fill_n(dx_chunk, m * In::size, Scalar(0));
        col2im(s.patches.data(), m, dx_chunk);
      }
    }

   private:
    template <class S>
    using out_map =
        Eigen::Map<std::conditional_t<std::is_const_v<S>,
                                      const Eigen::Matrix<Scalar, static_cast<int>(Filters), Eigen::Dynamic>,
                                      Eigen::Matrix<Scalar, static_cast<int>(Filters), Eigen::Dynamic>>>;
    template <class State>
    static auto patches_view(State& s, Eigen::Index cols_n) noexcept {
      return Eigen::Map<Eigen::Matrix<Scalar, static_cast<int>(K), Eigen::Dynamic>, Eigen::Aligned64>(
          s.patches.data(), K, cols_n);
    }
    /// The input step tap k of output step ot reads, or -1 in the padding.
    static constexpr std::ptrdiff_t source(std::size_t ot, std::size_t k) noexcept {
      const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(ot * Stride + k * Dilation) -
                                static_cast<std::ptrdiff_t>(dim::pad_before);
      return at >= 0 && at < static_cast<std::ptrdiff_t>(T) ? at : -1;
    }
    // Each patch value written once: a tap in the padding as C zeros, the others copied.
    static void im2col(const Scalar* x, std::size_t n, Scalar* patches) noexcept {
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t ot = 0; ot < OT; ++ot) {
          Scalar* column = patches + (j * OT + ot) * K;
          for (std::size_t k = 0; k < Kernel; ++k) {
            const std::ptrdiff_t at = source(ot, k);
            Scalar* to = column + k * C;
            if (at < 0) {
              for (std::size_t c = 0; c < C; ++c) to[c] = Scalar(0);
            } else {
              const Scalar* from = x + j * In::size + static_cast<std::size_t>(at) * C;
              for (std::size_t c = 0; c < C; ++c) to[c] = from[c];
            }
          }
        }
    }
    static void col2im(const Scalar* d_patches, std::size_t n, Scalar* dx) noexcept {
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t ot = 0; ot < OT; ++ot) {
          const Scalar* column = d_patches + (j * OT + ot) * K;
          for (std::size_t k = 0; k < Kernel; ++k) {
            const std::ptrdiff_t at = source(ot, k);
            if (at < 0) continue;
            Scalar* to = dx + j * In::size + static_cast<std::size_t>(at) * C;
            for (std::size_t c = 0; c < C; ++c) to[c] += column[k * C + c];
          }
        }
    }
  };
};

}  // namespace ctnn
