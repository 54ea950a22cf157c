/// @file Defines `ctnn::Conv2D` and `ctnn::Padding`: 2-D convolution over HWC images, by im2col and
/// one matrix product per batch.
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

namespace ctnn {

/// Keras' padding modes. valid: no padding, output floor((H - K) / S) + 1. same: output ceil(H / S),
/// zeros added as evenly as possible, the extra one at the bottom and right (as TensorFlow does).
/// causal (Conv1D only): zeros before the sequence only, so output step t reads inputs up to t.
enum class Padding { valid, same, causal };

namespace detail {
/// Output size and leading padding along one dimension.
template <Padding P, std::size_t In, std::size_t Kernel, std::size_t Stride>
struct conv_dim {
  static constexpr std::size_t out =
      P == Padding::valid ? (In >= Kernel ? (In - Kernel) / Stride + 1 : 0) : (In + Stride - 1) / Stride;
  static constexpr std::size_t pad_total =
      P == Padding::valid ? 0 : ((out - 1) * Stride + Kernel > In ? (out - 1) * Stride + Kernel - In : 0);
  static constexpr std::size_t pad_before = pad_total / 2;
};
}  // namespace detail

/// 2-D convolution with bias: y(oh, ow, f) = b(f) + sum over kh, kw, c of W(f, kh, kw, c) x(ih, iw, c),
/// where ih = oh Stride - pad + kh. Input: shape<H, W, C>; output: shape<OH, OW, Filters>.
/// \tparam Filters, KernelH, KernelW  at least 1.
/// \tparam P        Padding::valid (default) or Padding::same, as in Keras.
/// \tparam Stride   the same along both dimensions, at least 1.
/// Parameters: W (Filters x KernelH*KernelW*C, each row a kernel in (kh, kw, c) order, Keras' kernel
/// (KH, KW, C, F) transposed) and b (Filters). Initialised Glorot-uniform with Keras' fans.
template <std::size_t Filters, std::size_t KernelH, std::size_t KernelW, Padding P = Padding::valid,
          std::size_t Stride = 1, class KernelInit = GlorotUniform>
struct Conv2D {
  static constexpr std::string_view name = "Conv2D";

  template <Shape In>
  static constexpr bool check() {
    if constexpr (!Initializer<KernelInit>) {
      static_assert(Initializer<KernelInit>,
                    "ctnn::Conv2D: its sixth argument is the kernel's initialiser (GlorotUniform, HeNormal, "
                    "...); an activation is a layer of its own: Conv2D<32, 3, 3>, ReLU");
      return false;
    } else if constexpr (P == Padding::causal) {
      static_assert(P != Padding::causal,
                    "ctnn::Conv2D: Padding::causal is for sequences (Conv1D); use Padding::valid or same");
      return false;
    } else {
      static_assert(In::rank == 3, "ctnn::Conv2D needs an image input, shape<height, width, channels>");
      static_assert(
          Filters > 0 && KernelH > 0 && KernelW > 0 && Stride > 0,
          "ctnn::Conv2D needs at least one filter, a kernel of at least 1x1 and a stride of at least 1");
      if constexpr (In::rank == 3) {
        static_assert(
            P == Padding::same || (KernelH <= In::dims[0] && KernelW <= In::dims[1]),
            "ctnn::Conv2D: the kernel is larger than its input; use Padding::same or a smaller kernel");
        return Filters > 0 && KernelH > 0 && KernelW > 0 && Stride > 0 &&
               (P == Padding::same || (KernelH <= In::dims[0] && KernelW <= In::dims[1]));
      } else {
        return false;
      }
    }
  }

  template <Shape In>
  using output_shape = shape<detail::conv_dim<P, In::dims[0], KernelH, Stride>::out,
                             detail::conv_dim<P, In::dims[1], KernelW, Stride>::out, Filters>;

  template <Shape In, class Scalar>
  struct bind {
    static constexpr std::size_t H = In::dims[0], W_ = In::dims[1], C = In::dims[2];
    using rows = detail::conv_dim<P, H, KernelH, Stride>;
    using cols = detail::conv_dim<P, W_, KernelW, Stride>;
    static constexpr std::size_t OH = rows::out, OW = cols::out;
    static constexpr std::size_t K = KernelH * KernelW * C;  // one patch
    static constexpr std::size_t positions = OH * OW;        // output pixels of one sample

    using input_shape = In;
    using output_shape = shape<OH, OW, Filters>;
    // W (Filters x K, a kernel per row) with Keras' fans for a convolution: receptive field times
    // channels in, times filters out; b (Filters), zeros.
    using weights = tensors<Scalar, tensor<"kernel", Filters, K, KernelInit, K, KernelH * KernelW * Filters>,
                            tensor<"bias", Filters, 1>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    static constexpr std::size_t b_offset = weights::offsets[1];

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

    /// Samples whose patches are unfolded at a time: as many as fit in `conv_patch_bytes` (at least
    /// one, at most the batch). The product then reads its patches from cache rather than memory, and
    /// the workspace holds one chunk of patches, not a batch of them.
    template <std::size_t MaxB>
    static constexpr std::size_t chunk = std::max<std::size_t>(
        1, std::min<std::size_t>(MaxB, conv_patch_bytes / (K * positions * sizeof(Scalar))));

    /// One chunk of patches, one column per output pixel; backward reuses it for their gradient.
    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      detail::aligned_array<Scalar, K * positions * chunk<MaxB>> patches;
    };

    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      constexpr std::size_t cols = positions * chunk<MaxB>;
      s.reserve(Filters, cols, K);  // Y   = W   patches
      s.reserve(Filters, K, cols);  // dW += dY  patches'
      s.reserve(K, cols, Filters);  // dP  = W'  dY
    }

    // Each sample is a column of H*W*C values, channels fastest, so the outputs of consecutive samples
    // viewed as a Filters x (OH*OW*n) matrix are contiguous: one product per chunk of samples.
    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t step = chunk<State::capacity>;
      const auto n = static_cast<std::size_t>(x.cols());
      for (std::size_t j0 = 0; j0 < n; j0 += step) {
        const std::size_t m = std::min(step, n - j0);
        const auto cols = static_cast<Eigen::Index>(positions * m);
        im2col(x.data() + j0 * In::size, m, s.patches.data());
        out_map<Scalar> out(y.data() + j0 * positions * Filters, Filters, cols);
        out.colwise() = b(p);
        detail::gemm<false, false>(out, W(p), patches_view(s, cols), Scalar(1), ctx.scratch);
      }
    }

    // forward was Y = W P + b, so: dW += s dY P', db += s (row sums of dY), dP = W' dY, dx = col2im(dP),
    // with s = ctx.gradient_scale. Chunks go last to first: the last one's patches are still where
    // forward left them. Chunk by chunk, dW is written before a later chunk's dx reads W, so `g` must
    // not be `p` (no updates_in_place: a fused SGD step updates this layer after its backward).
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t step = chunk<State::capacity>;
      const auto n = static_cast<std::size_t>(x.cols());
      const std::size_t chunks = (n + step - 1) / step;
      for (std::size_t c = chunks; c-- > 0;) {
        const std::size_t j0 = c * step, m = std::min(step, n - j0);
        const auto cols = static_cast<Eigen::Index>(positions * m);
        if (cols <= 0)
          continue;  // never (j0 < n); tells g++ 12 -O3 the size is positive (no bogus -Wstringop-overflow)
        if (c + 1 < chunks) im2col(x.data() + j0 * In::size, m, s.patches.data());
        out_map<const Scalar> d_out(dy.data() + j0 * positions * Filters, Filters, cols);
        auto patches = patches_view(s, cols);
        detail::gemm<false, true>(W(g), d_out, patches, ctx.gradient_scale, ctx.scratch);
        b(g) += ctx.gradient_scale * d_out.rowwise().sum();
        if (!need_dx) continue;
        // The patches' memory now takes their gradient.
        detail::gemm<true, false>(patches, W(p), d_out, Scalar(1), ctx.scratch, Scalar(0));
        Scalar* dx_chunk = dx.data() + j0 * In::size;
        std::fill_n(dx_chunk, m * In::size, Scalar(0));
        col2im(s.patches.data(), m, dx_chunk);
      }
    }

   private:
    // A chunk's outputs (or their gradients): they start wherever the chunk does, so not aligned.
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

    // Visits every (sample, output pixel, kernel row) whose input row lies inside the image, with the
    // run of kernel columns that lands inside it: f(patch offset, input offset, length), where the
    // run is `length` values contiguous in both (its taps' C channels side by side), at most
    // KernelW * C long and exactly that away from the padding.
    template <class F>
    static void for_each_run(std::size_t n, F&& f) noexcept {
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t oh = 0; oh < OH; ++oh)
          for (std::size_t ow = 0; ow < OW; ++ow) {
            const std::size_t column = static_cast<std::size_t>(j) * positions + oh * OW + ow;
            const std::ptrdiff_t iw0 =
                static_cast<std::ptrdiff_t>(ow * Stride) - static_cast<std::ptrdiff_t>(cols::pad_before);
            const std::size_t kw0 = iw0 < 0 ? static_cast<std::size_t>(-iw0) : 0;
            const std::size_t kw1 = std::min<std::size_t>(
                KernelW, static_cast<std::size_t>(static_cast<std::ptrdiff_t>(W_) - iw0));
            for (std::size_t kh = 0; kh < KernelH; ++kh) {
              const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * Stride + kh) -
                                        static_cast<std::ptrdiff_t>(rows::pad_before);
              if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(H)) continue;
              f(column * K + (kh * KernelW + kw0) * C,
                static_cast<std::size_t>(j) * In::size +
                    (static_cast<std::size_t>(ih) * W_ +
                     static_cast<std::size_t>(iw0 + static_cast<std::ptrdiff_t>(kw0))) *
                        C,
                (kw1 - kw0) * C);
            }
          }
    }
    static void im2col(const Scalar* x, std::size_t n, Scalar* patches) noexcept {
      if constexpr (P == Padding::same) {
        // Each patch value written once: the taps that fall in the padding as zeros, the rest copied
        // (clearing the whole chunk first was a pass as large as the patches themselves).
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t oh = 0; oh < OH; ++oh)
            for (std::size_t ow = 0; ow < OW; ++ow) {
              Scalar* column = patches + (j * positions + oh * OW + ow) * K;
              const std::ptrdiff_t iw0 =
                  static_cast<std::ptrdiff_t>(ow * Stride) - static_cast<std::ptrdiff_t>(cols::pad_before);
              const std::size_t kw0 = iw0 < 0 ? static_cast<std::size_t>(-iw0) : 0;
              const std::size_t kw1 = std::min<std::size_t>(
                  KernelW, static_cast<std::size_t>(static_cast<std::ptrdiff_t>(W_) - iw0));
              for (std::size_t kh = 0; kh < KernelH; ++kh) {
                Scalar* row = column + kh * KernelW * C;
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * Stride + kh) -
                                          static_cast<std::ptrdiff_t>(rows::pad_before);
                if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(H)) {
                  std::fill_n(row, KernelW * C, Scalar(0));
                  continue;
                }
                const Scalar* from = x + j * In::size +
                                     (static_cast<std::size_t>(ih) * W_ +
                                      static_cast<std::size_t>(iw0 + static_cast<std::ptrdiff_t>(kw0))) *
                                         C;
                if (kw0 == 0 && kw1 == KernelW) {  // the common case, with a length the compiler knows
                  for (std::size_t i = 0; i < KernelW * C; ++i) row[i] = from[i];
                  continue;
                }
                std::fill_n(row, kw0 * C, Scalar(0));
                for (std::size_t i = 0; i < (kw1 - kw0) * C; ++i) row[kw0 * C + i] = from[i];
                std::fill_n(row + kw1 * C, (KernelW - kw1) * C, Scalar(0));
              }
            }
        return;
      }
      for_each_run(n, [&](std::size_t to, std::size_t from, std::size_t length) {
        if (length == KernelW * C)  // the common case, with a length the compiler knows
          for (std::size_t i = 0; i < KernelW * C; ++i) patches[to + i] = x[from + i];
        else
          for (std::size_t i = 0; i < length; ++i) patches[to + i] = x[from + i];
      });
    }
    static void col2im(const Scalar* d_patches, std::size_t n, Scalar* dx) noexcept {
      for_each_run(n, [&](std::size_t from, std::size_t to, std::size_t length) {
        if (length == KernelW * C)
          for (std::size_t i = 0; i < KernelW * C; ++i) dx[to + i] += d_patches[from + i];
        else
          for (std::size_t i = 0; i < length; ++i) dx[to + i] += d_patches[from + i];
      });
    }
  };
};

}  // namespace ctnn
