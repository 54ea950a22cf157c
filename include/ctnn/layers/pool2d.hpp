/// @file Defines the pooling layers over HWC images: MaxPool2D, AveragePool2D, GlobalAveragePool2D.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/storage.hpp"

namespace ctnn {

namespace detail {
/// What MaxPool2D and AveragePool2D share: windows of PoolH x PoolW, stride = pool size, rows and
/// columns that do not fill a window dropped (Keras' floor).
template <std::size_t PoolH, std::size_t PoolW>
struct pool_shape {
  template <Shape In>
  using output_shape = shape<In::dims[0] / PoolH, In::dims[1] / PoolW, In::dims[2]>;

  // Visits every window of every sample: f(sample, output index, input index of the window's corner).
  template <Shape In, class F>
  static void for_each_window(Eigen::Index n, F&& f) noexcept {
    constexpr std::size_t H = In::dims[0], W = In::dims[1], C = In::dims[2];
    constexpr std::size_t OH = H / PoolH, OW = W / PoolW;
    for (Eigen::Index j = 0; j < n; ++j) {
      const std::size_t in0 = static_cast<std::size_t>(j) * In::size,
                        out0 = static_cast<std::size_t>(j) * OH * OW * C;
      for (std::size_t oh = 0; oh < OH; ++oh)
        for (std::size_t ow = 0; ow < OW; ++ow)
          for (std::size_t c = 0; c < C; ++c)
            f(out0 + (oh * OW + ow) * C + c, in0 + (oh * PoolH * W + ow * PoolW) * C + c);
    }
  }
  template <Shape In>
  static constexpr std::size_t offset(std::size_t ph, std::size_t pw) {  // from a window's corner
    return (ph * In::dims[1] + pw) * In::dims[2];
  }
};
}  // namespace detail

/// The largest value of each PoolH x PoolW window, per channel (stride = pool size, Keras' floor).
/// Input: shape<H, W, C>; output: shape<H / PoolH, W / PoolW, C>.
template <std::size_t PoolH, std::size_t PoolW>
struct MaxPool2D {
  static constexpr std::string_view name = "MaxPool2D";
  using base = detail::pool_shape<PoolH, PoolW>;

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 3, "ctnn::MaxPool2D needs an image input, shape<height, width, channels>");
    static_assert(PoolH > 0 && PoolW > 0, "ctnn::MaxPool2D needs a pool of at least 1x1");
    if constexpr (In::rank == 3) {
      static_assert(PoolH <= In::dims[0] && PoolW <= In::dims[1],
                    "ctnn::MaxPool2D: the pool is larger than its input");
      return PoolH > 0 && PoolW > 0 && PoolH <= In::dims[0] && PoolW <= In::dims[1];
    } else {
      return false;
    }
  }
  template <Shape In>
  using output_shape = typename base::template output_shape<In>;

  template <Shape In, class Scalar>
  struct bind : parameterless<In, output_shape<In>> {
    /// Where each output's maximum came from (an index into the batch's input), for backward.
    template <std::size_t MaxB>
    struct state {
      detail::aligned_array<std::uint32_t, output_shape<In>::size * MaxB> argmax;
    };

    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State& s, context<Scalar>&) noexcept {
      const Scalar* in = x.data();
      Scalar* out = y.data();
      std::uint32_t* arg = s.argmax.data();
      base::template for_each_window<In>(x.cols(), [&](std::size_t o, std::size_t corner) {
        std::size_t best = corner;
        for (std::size_t ph = 0; ph < PoolH; ++ph)
          for (std::size_t pw = 0; pw < PoolW; ++pw) {
            const std::size_t i = corner + base::template offset<In>(ph, pw);
            if (in[i] > in[best]) best = i;
          }
        out[o] = in[best];
        arg[o] = static_cast<std::uint32_t>(best);
      });
    }
    // forward picked one input per window, so its gradient goes there and nowhere else.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State& s, context<Scalar>&) noexcept {
      if (!need_dx) return;
      dx.setZero();
      const std::uint32_t* arg = s.argmax.data();
      Scalar* d = dx.data();
      const Scalar* g = dy.data();
      for (Eigen::Index o = 0; o < dy.size(); ++o) d[arg[o]] += g[o];
    }
  };
};

/// The mean of each PoolH x PoolW window, per channel (stride = pool size, Keras' floor).
template <std::size_t PoolH, std::size_t PoolW>
struct AveragePool2D {
  static constexpr std::string_view name = "AveragePool2D";
  using base = detail::pool_shape<PoolH, PoolW>;

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 3, "ctnn::AveragePool2D needs an image input, shape<height, width, channels>");
    static_assert(PoolH > 0 && PoolW > 0, "ctnn::AveragePool2D needs a pool of at least 1x1");
    if constexpr (In::rank == 3) {
      static_assert(PoolH <= In::dims[0] && PoolW <= In::dims[1],
                    "ctnn::AveragePool2D: the pool is larger than its input");
      return PoolH > 0 && PoolW > 0 && PoolH <= In::dims[0] && PoolW <= In::dims[1];
    } else {
      return false;
    }
  }
  template <Shape In>
  using output_shape = typename base::template output_shape<In>;

  template <Shape In, class Scalar>
  struct bind : parameterless<In, output_shape<In>> {
    static constexpr Scalar scale = Scalar(1) / static_cast<Scalar>(PoolH * PoolW);

    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      const Scalar* in = x.data();
      Scalar* out = y.data();
      base::template for_each_window<In>(x.cols(), [&](std::size_t o, std::size_t corner) {
        Scalar sum = 0;
        for (std::size_t ph = 0; ph < PoolH; ++ph)
          for (std::size_t pw = 0; pw < PoolW; ++pw) sum += in[corner + base::template offset<In>(ph, pw)];
        out[o] = sum * scale;
      });
    }
    // Each input of a window contributed 1 / (PoolH PoolW) of its output.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X& x, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, context<Scalar>&) noexcept {
      if (!need_dx) return;
      dx.setZero();
      Scalar* d = dx.data();
      const Scalar* g = dy.data();
      base::template for_each_window<In>(x.cols(), [&](std::size_t o, std::size_t corner) {
        for (std::size_t ph = 0; ph < PoolH; ++ph)
          for (std::size_t pw = 0; pw < PoolW; ++pw)
            d[corner + base::template offset<In>(ph, pw)] += g[o] * scale;
      });
    }
  };
};

/// The mean over all positions, per channel: shape<H, W, C> to shape<C>.
struct GlobalAveragePool2D {
  static constexpr std::string_view name = "GlobalAveragePool2D";

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 3,
                  "ctnn::GlobalAveragePool2D needs an image input, shape<height, width, channels>");
    return In::rank == 3;
  }
  template <Shape In>
  using output_shape = shape<In::dims[In::rank - 1]>;

  template <Shape In, class Scalar>
  struct bind : parameterless<In, output_shape<In>> {
    static constexpr std::size_t C = In::dims[2], positions = In::dims[0] * In::dims[1];

    // A sample's column viewed as C x positions: y is the mean of each row.
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      for (Eigen::Index j = 0; j < x.cols(); ++j) y.col(j) = image(x.data(), j).rowwise().mean();
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X& x, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, context<Scalar>&) noexcept {
      if (!need_dx) return;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        image(dx.data(), j).colwise() = dy.col(j) / static_cast<Scalar>(positions);
    }

   private:
    template <class S>
    static auto image(S* data, Eigen::Index j) noexcept {
      using M =
          std::conditional_t<std::is_const_v<S>,
                             const Eigen::Matrix<Scalar, static_cast<int>(C), static_cast<int>(positions)>,
                             Eigen::Matrix<Scalar, static_cast<int>(C), static_cast<int>(positions)>>;
      return Eigen::Map<M>(data + static_cast<std::size_t>(j) * In::size);
    }
  };
};

}  // namespace ctnn
