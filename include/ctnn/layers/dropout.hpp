/// @file Defines `ctnn::Dropout`: inverted dropout in training, the identity in inference.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/storage.hpp"
#include "../fraction.hpp"

namespace ctnn {

/// Sets each input to zero with probability Rate while training and scales the rest by 1/(1 - Rate),
/// so inference needs no scaling (Keras' Dropout). Masks come from the workspace's random engine:
/// the same seed gives the same masks. \tparam Rate  in [0, 1): `Dropout<0.5>`.
template <fraction Rate>
struct Dropout {
  static constexpr std::string_view name = "Dropout";

  template <Shape In>
  static constexpr bool check() {
    static_assert(Rate.den > 0 && Rate.num >= 0 && Rate.num < Rate.den,
                  "ctnn::Dropout needs a rate in [0, 1), as in Dropout<0.5>");
    return Rate.den > 0 && Rate.num >= 0 && Rate.num < Rate.den;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind : parameterless<In> {
    static constexpr double rate = Rate.template as<double>();

    template <std::size_t MaxB>
    struct state {
      detail::aligned_array<Scalar, In::size * MaxB> mask;  // 0 or 1/(1 - rate), per input
      bool active = false;                                  // whether the last forward dropped
    };

    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      s.active = ctx.mode == mode::training && rate > 0;
      if (!s.active) {
        y = x;
        return;
      }
      // Two 32-bit draws per 64-bit number; an input survives when its draw is at or above rate * 2^32.
      const auto threshold = static_cast<std::uint64_t>(rate * 4294967296.0);
      const Scalar keep = static_cast<Scalar>(1.0 / (1.0 - rate));
      Scalar* m = s.mask.data();
      const auto count = static_cast<std::size_t>(x.size());
      for (std::size_t i = 0; i < count; i += 2) {
        const std::uint64_t r = ctx.rng();
        m[i] = (r & 0xffffffffu) >= threshold ? keep : Scalar(0);
        if (i + 1 < count) m[i + 1] = (r >> 32) >= threshold ? keep : Scalar(0);
      }
      y = x.cwiseProduct(mask_view(s, x));
    }

    // forward was y = x * mask, so dx = dy * mask.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X& x, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State& s, context<Scalar>&) noexcept {
      if (!need_dx) return;
      if (s.active)
        dx = dy.cwiseProduct(mask_view(s, x));
      else
        dx = dy;
    }

   private:
    template <class State, class X>
    static auto mask_view(State& s, const X& x) noexcept {
      using plain =
          Eigen::Matrix<Scalar, static_cast<int>(In::size), std::remove_cvref_t<X>::ColsAtCompileTime>;
      return Eigen::Map<const plain, Eigen::Aligned64>(s.mask.data(), x.rows(), x.cols());
    }
  };
};

}  // namespace ctnn
