/// @file Defines `ctnn::optimizer<Net, Spec>`: an optimiser's settings plus its state, sized from the
/// network type, stepping every parameter of the network in one vectorised pass.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../config.hpp"
#include "../detail/storage.hpp"

namespace ctnn {

namespace detail {
/// A flat view of n scalars as an Eigen array.
template <class Scalar>
auto flat(Scalar* p, std::size_t n) noexcept {
  return Eigen::Map<Eigen::Array<std::remove_const_t<Scalar>, Eigen::Dynamic, 1>, Eigen::Aligned64>(
      const_cast<std::remove_const_t<Scalar>*>(p), static_cast<Eigen::Index>(n));
}
}  // namespace detail

/// The settings `Spec` (SGD, Adam, RMSprop, Adadelta) bound to network type `Net`: its state (moments,
/// accumulators) holds `Net::storage_size` scalars per slot, allocated here, once. `step(net)` applies
/// one update from the gradients the network accumulated; it allocates nothing and cannot fail.
template <class Net, class Spec>
class optimizer {
 public:
  using scalar = typename Net::scalar;
  using spec_type = Spec;
  using state_type = typename Spec::template state<scalar, Net::storage_size>;

  explicit optimizer(const Spec& spec = {}) : spec_(spec) {}

  void step(Net& net) noexcept { state_.step(spec_, net.parameters().data(), net.gradients().data()); }

  /// After net.forward(ws, mode::training): the gradient of `loss` against `target` and one update, in
  /// one call; returns the loss. A plain SGD update (no momentum, no weight decay) is fused into the
  /// backward pass (net.backward_sgd: no pass over the whole gradient buffer, and none to clear it);
  /// any other is net.zero_gradients(), net.backward() and step(). A loss that is not finite updates
  /// nothing, so a diverging run stops with the weights it had.
  template <class Workspace, class L, class Target>
  scalar backward_step(Net& net, Workspace& ws, const L& loss, const Target& target) noexcept {
    if constexpr (requires { spec_.plain(); }) {
      if (spec_.plain()) return net.backward_sgd(ws, loss, target, static_cast<scalar>(spec_.learning_rate));
    }
    net.zero_gradients();
    const scalar value = net.backward(ws, loss, target);
    if (std::isfinite(static_cast<double>(value))) step(net);
    return value;
  }
  Spec& settings() noexcept { return spec_; }
  const Spec& settings() const noexcept { return spec_; }
  state_type& state() noexcept { return state_; }
  const state_type& state() const noexcept { return state_; }

 private:
  Spec spec_;
  state_type state_;
};

}  // namespace ctnn
