/// @file Defines `ctnn::Adadelta`.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include "optimizer.hpp"

namespace ctnn {

/// Adadelta as Keras computes it: a = rho a + (1 - rho) g^2; d = -sqrt(u + eps) / sqrt(a + eps) g;
/// u = rho u + (1 - rho) d^2; w += lr d. Defaults are classic Keras' (learning rate 1.0, rho 0.95,
/// epsilon 1e-7), the values the MNIST CNN recipe was tuned with; Keras 2.3+ changed the default
/// learning rate to 0.001, which makes Adadelta crawl. `weight_decay`: g += weight_decay w.
struct Adadelta {
  static constexpr std::string_view name = "Adadelta";
  double learning_rate = 1.0;
  double rho = 0.95;
  double epsilon = 1e-7;
  double weight_decay = 0.0;

  template <class Scalar, std::size_t N>
  struct state {
    detail::aligned_array<Scalar, N> grad_accumulator, delta_accumulator;

    /// Every slot of the state, for checkpoints: f(name, scalars, count) and f(name, counter).
    template <class F>
    void visit(F&& f) {
      f("grad_accumulator", grad_accumulator.data(), N);
      f("delta_accumulator", delta_accumulator.data(), N);
    }

    void step(const Adadelta& s, Scalar* w_ptr, const Scalar* g_ptr) noexcept {
      auto w = detail::flat(w_ptr, N);
      auto g0 = detail::flat(g_ptr, N);
      auto a = detail::flat(grad_accumulator.data(), N);
      auto u = detail::flat(delta_accumulator.data(), N);
      const Scalar lr = static_cast<Scalar>(s.learning_rate), rho = static_cast<Scalar>(s.rho),
                   eps = static_cast<Scalar>(s.epsilon), wd = static_cast<Scalar>(s.weight_decay);
      if (wd == Scalar(0)) {
        // Vectorised: d^2 = (u + eps) / (a + eps) g^2, and each line reads u before it is replaced,
        // element by element, so the old u is the one used.
        a = rho * a + (Scalar(1) - rho) * g0.square();
        w -= lr * (u + eps).sqrt() / (a + eps).sqrt() * g0;
        u = rho * u + (Scalar(1) - rho) * (u + eps) / (a + eps) * g0.square();
        return;
      }
      for (Eigen::Index i = 0; i < w.size(); ++i) {
        const Scalar g = g0[i] + wd * w[i];
        a[i] = rho * a[i] + (Scalar(1) - rho) * g * g;
        const Scalar d = -std::sqrt(u[i] + eps) / std::sqrt(a[i] + eps) * g;
        u[i] = rho * u[i] + (Scalar(1) - rho) * d * d;
        w[i] += lr * d;
      }
    }
  };
};

}  // namespace ctnn
