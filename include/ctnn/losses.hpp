/// @file Defines the losses: MeanSquaredError, BinaryCrossEntropy, CategoricalCrossEntropy,
/// SparseCategoricalCrossEntropy; each gives the mean loss over a batch and its gradient.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "activations.hpp"
#include "config.hpp"
#include "error.hpp"
#include "shape.hpp"

namespace ctnn {

namespace detail {
template <class T>
concept eigen_dense = requires {
  T::RowsAtCompileTime;
  T::ColsAtCompileTime;
  typename T::Scalar;
};

/// Keras' clipping constant for losses computed on probabilities.
template <class S>
inline constexpr S loss_epsilon = S(1e-7);

/// Rules shared by every loss whose target is one column of `Out::size` values per sample.
template <Shape Out, class Target>
constexpr bool dense_target_rules() {
  if constexpr (!eigen_dense<Target>) {
    static_assert(always_false<Target>,
                  "ctnn: this loss takes its targets as an Eigen matrix with one column per sample");
    return false;
  } else {
    static_assert(Target::RowsAtCompileTime == static_cast<int>(Out::size),
                  "ctnn: the target must have one row per network output (Net::output_shape::size rows, "
                  "fixed at compile time) and one column per sample");
    return Target::RowsAtCompileTime == static_cast<int>(Out::size);
  }
}

template <class Z>
auto log_sum_exp(const Z& z) {  // z: one column
  const auto m = z.maxCoeff();
  return m + std::log((z.array() - m).exp().sum());
}
}  // namespace detail

/// Integer class labels, one per sample: what SparseCategoricalCrossEntropy takes.
using labels = std::span<const int>;

namespace detail {
/// A target as the losses take it: labels (from a vector or span of int), else the matrix itself.
template <class Target>
decltype(auto) target_view(const Target& t) noexcept {
  if constexpr (std::is_convertible_v<const Target&, labels> && !eigen_dense<Target>)
    return labels(t);
  else
    return (t);
}
}  // namespace detail

/// mean((p - t)^2) over every output of every sample (Keras' "mse").
struct MeanSquaredError {
  static constexpr std::string_view name = "MeanSquaredError";
  template <class Last>
  static constexpr bool fuses_with = false;

  template <Shape Out, class Target>
  static constexpr bool check() {
    return detail::dense_target_rules<Out, Target>();
  }
  template <class S, class P, class T>
  static S value(const P& p, const T& t) noexcept {
    return (p - t).squaredNorm() / static_cast<S>(p.size());
  }
  template <class S, class P, class T, class G>
  static S value_and_gradient(const P& p, const T& t, G&& g) noexcept {
    g = (p - t) * (S(2) / static_cast<S>(p.size()));
    return value<S>(p, t);
  }
};

/// -mean(t log p + (1 - t) log(1 - p)) over every output (Keras' "binary_crossentropy").
/// After a Sigmoid it is computed from the logits z: mean(max(z, 0) - z t + log(1 + exp(-|z|))), with
/// gradient (sigmoid(z) - t) / count, finite for any z.
struct BinaryCrossEntropy {
  static constexpr std::string_view name = "BinaryCrossEntropy";
  template <class Last>
  static constexpr bool fuses_with = std::is_same_v<Last, Sigmoid>;

  template <Shape Out, class Target>
  static constexpr bool check() {
    return detail::dense_target_rules<Out, Target>();
  }
  template <class S, class P, class T>
  static S value(const P& p, const T& t) noexcept {
    constexpr S eps = detail::loss_epsilon<S>;
    const auto pc = p.array().cwiseMax(eps).cwiseMin(S(1) - eps);
    return -(t.array() * pc.log() + (S(1) - t.array()) * (S(1) - pc).log()).sum() / static_cast<S>(p.size());
  }
  template <class S, class P, class T, class G>
  static S value_and_gradient(const P& p, const T& t, G&& g) noexcept {
    constexpr S eps = detail::loss_epsilon<S>;
    const S count = static_cast<S>(p.size());
    const auto pa = p.array();
    const auto inside = (pa > eps && pa < S(1) - eps);
    g.array() = inside.select((pa - t.array()) / (pa * (S(1) - pa) * count), S(0));
    return value<S>(p, t);
  }
  template <class S, class Z, class T>
  static S logits_value(const Z& z, const T& t) noexcept {
    const auto za = z.array();
    return (za.cwiseMax(S(0)) - za * t.array() + (-za.abs()).exp().log1p()).sum() / static_cast<S>(z.size());
  }
  template <class S, class Z, class P, class T, class G>
  static S logits_value_and_gradient(const Z& z, const P& p, const T& t, G&& g) noexcept {
    g = (p - t) / static_cast<S>(p.size());
    return logits_value<S>(z, t);
  }
};

/// -sum_c t_c log p_c per sample, mean over samples; one-hot (or soft) targets (Keras'
/// "categorical_crossentropy"). After a Softmax it is computed from the logits z: log-sum-exp(z) sum(t) -
/// t.z, with gradient (softmax(z) sum(t) - t) / samples.
struct CategoricalCrossEntropy {
  static constexpr std::string_view name = "CategoricalCrossEntropy";
  template <class Last>
  static constexpr bool fuses_with = std::is_same_v<Last, Softmax>;

  template <Shape Out, class Target>
  static constexpr bool check() {
    static_assert(Out::rank == 1 && Out::size >= 2,
                  "ctnn::CategoricalCrossEntropy needs a rank-1 output with one unit per class (at least 2); "
                  "for a single unit use BinaryCrossEntropy");
    if constexpr (Out::rank == 1 && Out::size >= 2)
      return detail::dense_target_rules<Out, Target>();
    else
      return false;
  }
  template <class S, class P, class T>
  static S value(const P& p, const T& t) noexcept {
    constexpr S eps = detail::loss_epsilon<S>;
    return -(t.array() * p.array().cwiseMax(eps).cwiseMin(S(1) - eps).log()).sum() / static_cast<S>(p.cols());
  }
  template <class S, class P, class T, class G>
  static S value_and_gradient(const P& p, const T& t, G&& g) noexcept {
    constexpr S eps = detail::loss_epsilon<S>;
    const auto pa = p.array();
    g.array() = (pa > eps && pa < S(1) - eps).select(-t.array() / (pa * static_cast<S>(p.cols())), S(0));
    return value<S>(p, t);
  }
  template <class S, class Z, class T>
  static S logits_value(const Z& z, const T& t) noexcept {
    S total = 0;
    for (Eigen::Index j = 0; j < z.cols(); ++j)
      total += detail::log_sum_exp(z.col(j)) * t.col(j).sum() - t.col(j).dot(z.col(j));
    return total / static_cast<S>(z.cols());
  }
  template <class S, class Z, class P, class T, class G>
  static S logits_value_and_gradient(const Z& z, const P& p, const T& t, G&& g) noexcept {
    const S n = static_cast<S>(p.cols());
    for (Eigen::Index j = 0; j < p.cols(); ++j) g.col(j) = (p.col(j) * t.col(j).sum() - t.col(j)) / n;
    return logits_value<S>(z, t);
  }
};

/// CategoricalCrossEntropy with integer labels instead of one-hot targets (Keras'
/// "sparse_categorical_crossentropy"). Labels must lie in [0, classes); the trainer checks them when
/// data is loaded, since the hot path cannot report an error.
struct SparseCategoricalCrossEntropy {
  static constexpr std::string_view name = "SparseCategoricalCrossEntropy";
  template <class Last>
  static constexpr bool fuses_with = std::is_same_v<Last, Softmax>;

  template <Shape Out, class Target>
  static constexpr bool check() {
    constexpr bool classes = Out::rank == 1 && Out::size >= 2;
    constexpr bool integer_labels = std::is_convertible_v<const Target&, labels>;
    static_assert(
        classes,
        "ctnn::SparseCategoricalCrossEntropy needs a rank-1 output with one unit per class (at least "
        "2); for a single unit use BinaryCrossEntropy");
    static_assert(!classes || integer_labels,
                  "ctnn::SparseCategoricalCrossEntropy takes integer labels (std::span<const int>, "
                  "std::vector<int>, ...); for one-hot targets use CategoricalCrossEntropy");
    return classes && integer_labels;
  }
  /// The labels' preconditions (CTNN_EXPECTS): one per sample, each a class in [0, classes).
  template <class M>
  static void expect_labels([[maybe_unused]] const M& m, [[maybe_unused]] labels t) noexcept {
    CTNN_EXPECTS(static_cast<Eigen::Index>(t.size()) == m.cols(),
                 "SparseCategoricalCrossEntropy needs one label per sample (as many as the batch's columns)");
#if defined(CTNN_CHECKS) || !defined(NDEBUG)
    for (int label : t)
      CTNN_EXPECTS(label >= 0 && label < m.rows(),
                   "a sparse label is outside [0, classes) (Net::output_shape::size classes)");
#endif
  }
  template <class S, class P>
  static S value(const P& p, labels t) noexcept {
    expect_labels(p, t);
    constexpr S eps = detail::loss_epsilon<S>;
    S total = 0;
    for (Eigen::Index j = 0; j < p.cols(); ++j) total -= std::log(std::clamp(p(t[j], j), eps, S(1) - eps));
    return total / static_cast<S>(p.cols());
  }
  template <class S, class P, class G>
  static S value_and_gradient(const P& p, labels t, G&& g) noexcept {
    expect_labels(p, t);
    constexpr S eps = detail::loss_epsilon<S>;
    const S n = static_cast<S>(p.cols());
    g.setZero();
    for (Eigen::Index j = 0; j < p.cols(); ++j) {
      const S pj = p(t[j], j);
      if (pj > eps && pj < S(1) - eps) g(t[j], j) = -S(1) / (pj * n);
    }
    return value<S>(p, t);
  }
  template <class S, class Z>
  static S logits_value(const Z& z, labels t) noexcept {
    expect_labels(z, t);
    S total = 0;
    for (Eigen::Index j = 0; j < z.cols(); ++j) total += detail::log_sum_exp(z.col(j)) - z(t[j], j);
    return total / static_cast<S>(z.cols());
  }
  template <class S, class Z, class P, class G>
  static S logits_value_and_gradient(const Z& z, const P& p, labels t, G&& g) noexcept {
    expect_labels(p, t);
    const S n = static_cast<S>(p.cols());
    g = p / n;
    for (Eigen::Index j = 0; j < p.cols(); ++j) g(t[j], j) -= S(1) / n;
    return logits_value<S>(z, t);
  }
};

/// A loss: a name, its fit rules, and value/gradient functions (see docs/concepts.md).
template <class T>
concept Loss = requires {
  { T::name } -> std::convertible_to<std::string_view>;
  { T::template fuses_with<void> } -> std::convertible_to<bool>;
};

/// A Graph's losses, one per output in Outputs<...>'s order, with their weights (Keras' loss_weights, 1
/// each unless given): what trainer takes for a Graph, whose training loss is the weighted sum.
///
///     ctnn::trainer t(net, ctnn::losses{SparseCategoricalCrossEntropy{}, MeanSquaredError{}}.weighted({1,
///     0.5}),
///                     ctnn::Adam{});
template <Loss... L>
struct losses {
  static_assert(sizeof...(L) >= 1, "ctnn::losses takes one loss per output of the Graph");
  std::tuple<L...> each{};
  std::array<double, sizeof...(L)> weights = [] {
    std::array<double, sizeof...(L)> w{};
    for (auto& v : w) v = 1.0;
    return w;
  }();
  constexpr losses() = default;
  constexpr explicit losses(L... l) : each(l...) {}
  /// A copy with these weights (output 0's first).
  constexpr losses weighted(const std::array<double, sizeof...(L)>& w) const {
    losses copy = *this;
    copy.weights = w;
    return copy;
  }
};

namespace error {
template <class L, class OutputShape, class Target>
struct at_loss {
  static constexpr bool ok = L::template check<OutputShape, Target>();
};
}  // namespace error

}  // namespace ctnn
