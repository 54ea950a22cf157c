/// @file Defines `ctnn::SGD`: stochastic gradient descent with optional momentum and Nesterov momentum.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "optimizer.hpp"

namespace ctnn {

/// Keras' SGD: without momentum w -= lr g; with it v = momentum v - lr g, then w += v, or with Nesterov
/// w += momentum v - lr g. `weight_decay` adds an L2 term: g += weight_decay w (as PyTorch's
/// weight_decay, on every parameter). Defaults are Keras': learning rate 0.01, no momentum.
struct SGD {
  static constexpr std::string_view name = "SGD";
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;

  /// Whether the update is plain, w -= lr g, which backward can apply itself
  /// (basic_sequential::backward_sgd, optimizer::backward_step).
  bool plain() const noexcept { return momentum == 0.0 && weight_decay == 0.0; }

  template <class Scalar, std::size_t N>
  struct state {
    detail::aligned_array<Scalar, N> velocity;

    /// Every slot of the state, for checkpoints: f(name, scalars, count) and f(name, counter).
    template <class F>
    void visit(F&& f) {
      f("velocity", velocity.data(), N);
    }

    void step(const SGD& s, Scalar* w_ptr, const Scalar* g_ptr) noexcept {
      auto w = detail::flat(w_ptr, N);
      auto g = detail::flat(g_ptr, N);
      auto v = detail::flat(velocity.data(), N);
      const Scalar lr = static_cast<Scalar>(s.learning_rate), mu = static_cast<Scalar>(s.momentum),
                   wd = static_cast<Scalar>(s.weight_decay);
      if (s.momentum == 0.0) {
        if (wd == Scalar(0))
          w -= lr * g;
        else
          w -= lr * (g + wd * w);
      } else {
        v = mu * v - lr * (g + wd * w);
        if (s.nesterov)
          w += mu * v - lr * (g + wd * w);
        else
          w += v;
      }
    }
  };
};

}  // namespace ctnn
