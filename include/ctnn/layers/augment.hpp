/// @file Defines the data-augmentation layers RandomFlip and RandomTranslation: random in training,
/// the identity in inference (Keras 3's preprocessing layers).
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/storage.hpp"
#include "../fraction.hpp"

namespace ctnn {

/// Mirrors each image left to right with probability 1/2 while training; the identity in inference.
/// Input and output: shape<H, W, C>. Draws come from the workspace's random engine, as Dropout's do.
struct RandomFlip {
  static constexpr std::string_view name = "RandomFlip";

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 3, "ctnn::RandomFlip needs an image input, shape<height, width, channels>");
    return In::rank == 3;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind : parameterless<In> {
    static constexpr std::size_t H = In::dims[0], W = In::dims[1], C = In::dims[2];

    template <std::size_t MaxB>
    struct state {
      bool flipped[MaxB] = {};
      bool active = false;
    };

    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      s.active = ctx.mode == mode::training;
      if (!s.active) {
        y = x;
        return;
      }
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const bool flip = s.flipped[j] = (ctx.rng() >> 63) != 0;
        mirror(x.col(j).data(), y.col(j).data(), flip);
      }
    }

    // A mirror is its own inverse and a permutation, so dx is dy mirrored back.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State& s, context<Scalar>&) noexcept {
      if (!need_dx) return;
      if (!s.active) {
        dx = dy;
        return;
      }
      for (Eigen::Index j = 0; j < dy.cols(); ++j) mirror(dy.col(j).data(), dx.col(j).data(), s.flipped[j]);
    }

   private:
    static void mirror(const Scalar* from, Scalar* to, bool flip) noexcept {
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t w = 0; w < W; ++w) {
          const std::size_t src = (h * W + (flip ? W - 1 - w : w)) * C, dst = (h * W + w) * C;
          for (std::size_t c = 0; c < C; ++c) to[dst + c] = from[src + c];
        }
    }
  };
};

/// Shifts each image while training by a whole number of pixels drawn uniformly from
/// [-round(HeightFactor * H), round(HeightFactor * H)] down and likewise (with WidthFactor) right;
/// pixels shifted in repeat the nearest edge pixel (fill mode "nearest", as Keras' ImageDataGenerator
/// in the Keras CIFAR-10 example). The identity in inference. Input and output: shape<H, W, C>.
template <fraction HeightFactor, fraction WidthFactor = HeightFactor>
struct RandomTranslation {
  static constexpr std::string_view name = "RandomTranslation";

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 3,
                  "ctnn::RandomTranslation needs an image input, shape<height, width, channels>");
    constexpr bool in_range = HeightFactor.num >= 0 && HeightFactor.num <= HeightFactor.den &&
                              WidthFactor.num >= 0 && WidthFactor.num <= WidthFactor.den;
    static_assert(in_range, "ctnn::RandomTranslation needs factors in [0, 1], as in RandomTranslation<0.1>");
    return In::rank == 3 && in_range;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind : parameterless<In> {
    static constexpr std::size_t H = In::dims[0], W = In::dims[1], C = In::dims[2];
    static constexpr int max_dy = static_cast<int>(HeightFactor.template as<double>() * H + 0.5);
    static constexpr int max_dx = static_cast<int>(WidthFactor.template as<double>() * W + 0.5);

    template <std::size_t MaxB>
    struct state {
      int shift[MaxB][2] = {};  // down, right
      bool active = false;
    };

    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      s.active = ctx.mode == mode::training && (max_dy > 0 || max_dx > 0);
      if (!s.active) {
        y = x;
        return;
      }
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        int& dy = s.shift[j][0];
        int& dx = s.shift[j][1];
        dy = static_cast<int>(ctx.rng.below(std::uint32_t{2 * max_dy + 1})) - max_dy;
        dx = static_cast<int>(ctx.rng.below(std::uint32_t{2 * max_dx + 1})) - max_dx;
        const Scalar* in = x.col(j).data();
        Scalar* out = y.col(j).data();
        for_each_pixel(dy, dx, [&](std::size_t dst, std::size_t src) {
          for (std::size_t c = 0; c < C; ++c) out[dst + c] = in[src + c];
        });
      }
    }

    // y[p] = x[source(p)], so dx[q] is the sum of dy over the outputs whose source is q (edge pixels
    // collect every output that repeats them).
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State& s, context<Scalar>&) noexcept {
      if (!need_dx) return;
      if (!s.active) {
        dx = dy;
        return;
      }
      dx.setZero();
      for (Eigen::Index j = 0; j < dy.cols(); ++j) {
        const Scalar* g = dy.col(j).data();
        Scalar* out = dx.col(j).data();
        for_each_pixel(s.shift[j][0], s.shift[j][1], [&](std::size_t dst, std::size_t src) {
          for (std::size_t c = 0; c < C; ++c) out[src + c] += g[dst + c];
        });
      }
    }

   private:
    static std::size_t clamp(int v, std::size_t n) noexcept {
      return v < 0 ? 0 : static_cast<std::size_t>(v) >= n ? n - 1 : static_cast<std::size_t>(v);
    }
    // f(output pixel offset, source pixel offset) for every output pixel of a shift by (dy, dx).
    template <class F>
    static void for_each_pixel(int dy, int dx, F&& f) noexcept {
      for (std::size_t h = 0; h < H; ++h) {
        const std::size_t sh = clamp(static_cast<int>(h) - dy, H);
        for (std::size_t w = 0; w < W; ++w)
          f((h * W + w) * C, (sh * W + clamp(static_cast<int>(w) - dx, W)) * C);
      }
    }
  };
};

}  // namespace ctnn
