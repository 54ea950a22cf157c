/// @file Defines the activations: ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Linear, Softmax.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "concepts.hpp"
#include "error.hpp"
#include "fraction.hpp"

namespace ctnn {

namespace detail {
/// The shared body of activations applied to each scalar on its own: no parameters, same shape out.
/// `F` supplies `apply(x, y)` and `derive(x, y, dy, dx)` on Eigen arrays.
template <class F>
struct elementwise {
  template <Shape In>
  static constexpr bool check() {
    return true;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind : parameterless<In> {
    // Flattened: Eigen's vectorised tanh, logistic and exp are functions of their own, which g++
    // stops inlining in a large translation unit, and a call per packet costs W1 (16-32-32-4 tanh)
    // 53 -> 69 ns. Flattening inlines every call in this body, whatever the unit's size.
    template <class X, class Y, class State>
    CTNN_FLATTEN static void forward(const Scalar*, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      F::template apply<Scalar>(x.array(), y.array());
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X& x, const Y& y, const DY& dy, DX&& dx, bool need_dx,
                         State&, context<Scalar>&) noexcept {
      if (need_dx) F::template derive<Scalar>(x.array(), y.array(), dy.array(), dx.array());
    }
  };
};
}  // namespace detail

/// max(x, 0).
struct ReLU : detail::elementwise<ReLU> {
  static constexpr std::string_view name = "ReLU";
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = x.cwiseMax(S(0));
  }
  // A per-coefficient lambda rather than Eigen's select: both compilers vectorise its loop, while
  // clang++ turns select into a branch per coefficient (16x slower on random signs, 512 x 128: 231 us
  // against 4.5 us; g++ 14.6 us against 4.4 us).
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X& x, const Y&, const DY& dy, DX&& dx) noexcept {
    dx = dy.binaryExpr(x, [](S d, S v) { return v > S(0) ? d : S(0); });
  }
};

/// x for x > 0, Slope * x otherwise. \tparam Slope  a fraction, `LeakyReLU<0.1>` (Keras' default 0.3).
template <fraction Slope = 0.3>
struct LeakyReLU : detail::elementwise<LeakyReLU<Slope>> {
  static constexpr std::string_view name = "LeakyReLU";
  // As Keras 3: a negative slope is refused (it would make the activation non-monotonic).
  template <Shape In>
  static constexpr bool check() {
    static_assert(!Slope.negative(),
                  "ctnn::LeakyReLU: the slope must not be negative (Keras' negative_slope >= 0)");
    return !Slope.negative();
  }
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = x.unaryExpr([](S v) { return v > S(0) ? v : Slope.template as<S>() * v; });  // see ReLU::derive
  }
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X& x, const Y&, const DY& dy, DX&& dx) noexcept {
    dx = dy.binaryExpr(x, [](S d, S v) { return v > S(0) ? d : Slope.template as<S>() * d; });
  }
};

/// x for x > 0, Alpha * (exp(x) - 1) otherwise. \tparam Alpha  Keras' default 1.
template <fraction Alpha = 1.0>
struct ELU : detail::elementwise<ELU<Alpha>> {
  static constexpr std::string_view name = "ELU";
  // A negative alpha turns the negative side upwards (non-monotonic): refused.
  template <Shape In>
  static constexpr bool check() {
    static_assert(!Alpha.negative(), "ctnn::ELU: alpha must not be negative");
    return !Alpha.negative();
  }
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = (x > S(0)).select(x, Alpha.template as<S>() * (x.exp() - S(1)));
  }
  // for x <= 0: d/dx Alpha (exp(x) - 1) = Alpha exp(x) = y + Alpha.
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X& x, const Y& y, const DY& dy, DX&& dx) noexcept {
    dx = (x > S(0)).select(dy, dy * (y + Alpha.template as<S>()));
  }
};

/// 1 / (1 + exp(-x)). Followed by BinaryCrossEntropy, the pair trains from logits (see losses.hpp).
struct Sigmoid : detail::elementwise<Sigmoid> {
  static constexpr std::string_view name = "Sigmoid";
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = x.logistic();
  }
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X&, const Y& y, const DY& dy, DX&& dx) noexcept {
    dx = dy * y * (S(1) - y);
  }
};

/// tanh(x).
struct Tanh : detail::elementwise<Tanh> {
  static constexpr std::string_view name = "Tanh";
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = x.tanh();
  }
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X&, const Y& y, const DY& dy, DX&& dx) noexcept {
    dx = dy * (S(1) - y.square());
  }
};

/// The identity (Keras' "linear" activation).
struct Linear : detail::elementwise<Linear> {
  static constexpr std::string_view name = "Linear";
  template <class S, class X, class Y>
  static void apply(const X& x, Y&& y) noexcept {
    y = x;
  }
  template <class S, class X, class Y, class DY, class DX>
  static void derive(const X&, const Y&, const DY& dy, DX&& dx) noexcept {
    dx = dy;
  }
};

/// exp(x_i) / sum_j exp(x_j) over each sample. Needs a rank-1 input. Followed by a categorical
/// cross-entropy, the pair trains from logits with the fused gradient (see losses.hpp).
struct Softmax {
  static constexpr std::string_view name = "Softmax";

  template <Shape In>
  static constexpr bool check() {
    static_assert(In::rank == 1, "ctnn::Softmax needs a rank-1 input; add ctnn::Flatten before it");
    return In::rank == 1;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind : parameterless<In> {
    // Shifting by the column's maximum keeps exp() finite whatever the logits.
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const Scalar m = x.col(j).maxCoeff();
        y.col(j) = (x.col(j).array() - m).exp();
        y.col(j) /= y.col(j).sum();
      }
    }
    // dx_i = y_i (dy_i - sum_k dy_k y_k), per sample.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y& y, const DY& dy, DX&& dx, bool need_dx,
                         State&, context<Scalar>&) noexcept {
      if (!need_dx) return;
      for (Eigen::Index j = 0; j < y.cols(); ++j) {
        const Scalar s = dy.col(j).dot(y.col(j));
        dx.col(j) = y.col(j).cwiseProduct((dy.col(j).array() - s).matrix());
      }
    }
  };
};

}  // namespace ctnn
