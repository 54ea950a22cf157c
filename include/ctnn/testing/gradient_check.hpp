/// @file Defines `ctnn::testing::check_gradients`: compares a network's or a layer's backward pass
/// with central finite differences, in double precision.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "../layers/input.hpp"
#include "../sequential.hpp"

namespace ctnn::testing {

/// Normwise relative errors ||analytic - numeric|| / max(||analytic||, ||numeric||) (0 when both vanish).
struct gradient_report {
  double input = 0;       ///< d(objective)/d(input)
  double parameters = 0;  ///< d(objective)/d(every parameter)
  double worst() const { return std::max(input, parameters); }
};

namespace detail {
inline double relative_error(const Eigen::VectorXd& a, const Eigen::VectorXd& n) {
  const double scale = std::max(a.norm(), n.norm());
  return scale == 0 ? 0.0 : (a - n).norm() / scale;
}

/// The core: `objective(net, ws)` runs forward and returns a scalar; `backprop(net, ws)` runs backward
/// for that objective. Dropout masks are drawn from a generator reset before every forward, so the
/// same mask is used throughout (the "fixed mask" of a gradient check).
template <class Net, std::size_t B, class Objective, class Backprop>
gradient_report check(Net& net, typename Net::template workspace<B>& ws,
                      const Eigen::Matrix<double, Net::input_shape::size, Eigen::Dynamic>& x,
                      Objective objective, Backprop backprop, double h) {
  constexpr std::uint64_t mask_seed = 12345;
  auto eval = [&](const auto& input) {
    ws.rng().reseed(mask_seed);
    ws.input(static_cast<std::size_t>(input.cols())) = input;
    return objective(net, ws);
  };

  eval(x);
  net.zero_gradients();
  backprop(net, ws);
  const Eigen::VectorXd analytic_dx = Eigen::Map<const Eigen::VectorXd>(ws.input_gradient().data(), x.size());
  const Eigen::VectorXd analytic_dp = net.gradients();

  Eigen::Matrix<double, Net::input_shape::size, Eigen::Dynamic> xp = x;
  Eigen::VectorXd numeric_dx(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double keep = xp.data()[i];
    xp.data()[i] = keep + h;
    const double up = eval(xp);
    xp.data()[i] = keep - h;
    const double down = eval(xp);
    xp.data()[i] = keep;
    numeric_dx[i] = (up - down) / (2 * h);
  }
  Eigen::VectorXd numeric_dp = Eigen::VectorXd::Zero(analytic_dp.size());
  auto params = net.parameters();
  for (Eigen::Index i = 0; i < params.size(); ++i) {
    const double keep = params[i];
    params[i] = keep + h;
    const double up = eval(x);
    params[i] = keep - h;
    const double down = eval(x);
    params[i] = keep;
    numeric_dp[i] = (up - down) / (2 * h);
  }
  return {relative_error(analytic_dx, numeric_dx), relative_error(analytic_dp, numeric_dp)};
}

template <class S>
struct input_of;
template <std::size_t... D>
struct input_of<shape<D...>> {
  using type = Input<D...>;
};
}  // namespace detail

/// Checks one layer spec bound on `In`, batch of `B` samples, against the objective sum(r * y) for a
/// fixed random r. Inputs are uniform in [-1, 1] (seeded); parameters are the layer's initial ones,
/// biases moved off zero.
template <class Spec, Shape In, std::size_t B = 3>
gradient_report check_layer_gradients(std::uint64_t seed = 1, double h = 1e-5, mode m = mode::training) {
  using Net = basic_sequential<double, typename detail::input_of<In>::type, Spec>;
  auto net = std::make_unique<Net>(seed);
  random_engine rng(seed + 1);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += 0.1 * rng.uniform(-1, 1);
  auto ws = std::make_unique<typename Net::template workspace<B>>(seed);
  Eigen::Matrix<double, In::size, Eigen::Dynamic> x(In::size, static_cast<Eigen::Index>(B));
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  Eigen::Matrix<double, Net::output_shape::size, Eigen::Dynamic> r(Net::output_shape::size, x.cols());
  for (Eigen::Index i = 0; i < r.size(); ++i) r.data()[i] = rng.uniform(-1, 1);

  auto objective = [&](Net& n, auto& w) { return n.forward(w, m).cwiseProduct(r).sum(); };
  auto backprop = [&](Net& n, auto& w) {
    w.output_gradient() = r;
    n.backward(w, true);
  };
  return detail::check<Net, B>(*net, *ws, x, objective, backprop, h);
}

/// Checks a whole (double) network with a loss: d(loss)/d(input) and d(loss)/d(parameters).
template <class Net, std::size_t B, class L, class Target>
gradient_report check_network_gradients(
    Net& net, const Eigen::Matrix<double, Net::input_shape::size, Eigen::Dynamic>& x, const L& loss,
    const Target& target, double h = 1e-5, mode m = mode::training) {
  auto ws = std::make_unique<typename Net::template workspace<B>>(7);
  auto objective = [&](Net& n, auto& w) {
    n.forward(w, m);
    return static_cast<double>(n.loss(w, loss, target));
  };
  auto backprop = [&](Net& n, auto& w) { n.backward(w, loss, target, true); };
  return detail::check<Net, B>(net, *ws, x, objective, backprop, h);
}

}  // namespace ctnn::testing
