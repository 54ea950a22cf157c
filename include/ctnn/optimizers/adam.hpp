/// @file Defines `ctnn::Adam`.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "optimizer.hpp"

namespace ctnn {

/// Keras' Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + epsilon). Defaults are Keras': 0.001, 0.9,
/// 0.999, 1e-7. `weight_decay` adds g += weight_decay w (L2, as PyTorch's Adam).
struct Adam {
  static constexpr std::string_view name = "Adam";
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  double weight_decay = 0.0;

  template <class Scalar, std::size_t N>
  struct state {
    detail::aligned_array<Scalar, N> m, v;
    std::int64_t iterations = 0;

    /// Every slot of the state, for checkpoints: f(name, scalars, count) and f(name, counter).
    template <class F>
    void visit(F&& f) {
      f("m", m.data(), N);
      f("v", v.data(), N);
      f("iterations", iterations);
    }

    void step(const Adam& s, Scalar* w_ptr, const Scalar* g_ptr) noexcept {
      ++iterations;
      auto w = detail::flat(w_ptr, N);
      auto g = detail::flat(g_ptr, N);
      auto ma = detail::flat(m.data(), N);
      auto va = detail::flat(v.data(), N);
      const double t = static_cast<double>(iterations);
      const Scalar alpha = static_cast<Scalar>(s.learning_rate * std::sqrt(1.0 - std::pow(s.beta_2, t)) /
                                               (1.0 - std::pow(s.beta_1, t)));
      const Scalar b1 = static_cast<Scalar>(s.beta_1), b2 = static_cast<Scalar>(s.beta_2),
                   eps = static_cast<Scalar>(s.epsilon), wd = static_cast<Scalar>(s.weight_decay);
      if (wd == Scalar(0)) {
        ma = b1 * ma + (Scalar(1) - b1) * g;
        va = b2 * va + (Scalar(1) - b2) * g.square();
      } else {
        ma = b1 * ma + (Scalar(1) - b1) * (g + wd * w);
        va = b2 * va + (Scalar(1) - b2) * (g + wd * w).square();
      }
      w -= alpha * ma / (va.sqrt() + eps);
    }
  };
};

}  // namespace ctnn
