/// @file Defines `ctnn::RMSprop`.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "optimizer.hpp"

namespace ctnn {

/// Keras' RMSprop (Keras 3 form): a = rho a + (1 - rho) g^2; w -= lr g / sqrt(a + epsilon).
/// Defaults are Keras': learning rate 0.001, rho 0.9, epsilon 1e-7. `weight_decay`: g += weight_decay w.
struct RMSprop {
  static constexpr std::string_view name = "RMSprop";
  double learning_rate = 0.001;
  double rho = 0.9;
  double epsilon = 1e-7;
  double weight_decay = 0.0;

  template <class Scalar, std::size_t N>
  struct state {
    detail::aligned_array<Scalar, N> accumulator;

    /// Every slot of the state, for checkpoints: f(name, scalars, count) and f(name, counter).
    template <class F>
    void visit(F&& f) {
      f("accumulator", accumulator.data(), N);
    }

    void step(const RMSprop& s, Scalar* w_ptr, const Scalar* g_ptr) noexcept {
      auto w = detail::flat(w_ptr, N);
      auto g = detail::flat(g_ptr, N);
      auto a = detail::flat(accumulator.data(), N);
      const Scalar lr = static_cast<Scalar>(s.learning_rate), rho = static_cast<Scalar>(s.rho),
                   eps = static_cast<Scalar>(s.epsilon), wd = static_cast<Scalar>(s.weight_decay);
      if (wd == Scalar(0)) {
        a = rho * a + (Scalar(1) - rho) * g.square();
        w -= lr * g / (a + eps).sqrt();
      } else {
        a = rho * a + (Scalar(1) - rho) * (g + wd * w).square();
        w -= lr * (g + wd * w) / (a + eps).sqrt();
      }
    }
  };
};

}  // namespace ctnn
