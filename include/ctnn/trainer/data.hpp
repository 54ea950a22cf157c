/// @file What the trainer needs of a network (detail::fit_traits: a Sequential's one input and output,
/// a Graph's several) and the compile-time rules for the data handed to fit, evaluate and predict.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <ranges>
#include <span>
#include <type_traits>

#include "../chain.hpp"
#include "../config.hpp"
#include "../error.hpp"
#include "../losses.hpp"

namespace ctnn {

namespace detail {
/// A range of numbers that is not an Eigen matrix (std::vector<int>, std::vector<float>, ...).
template <class T>
concept number_range = !eigen_dense<T> && std::ranges::range<const T&> &&
                       std::is_arithmetic_v<std::remove_cvref_t<std::ranges::range_reference_t<const T&>>>;
template <class T>
concept integer_labels = std::is_convertible_v<const T&, std::span<const int>>;
/// What the trainer needs of a network: a Sequential has one input and one output, trained with loss L.
template <class Net, class L>
struct fit_traits {
  static constexpr bool graph = false;
  static constexpr std::size_t input_count = 1, output_count = 1;
  template <std::size_t>
  static constexpr std::size_t input_size = Net::input_shape::size;
  template <std::size_t>
  static constexpr std::size_t output_size = Net::output_shape::size;
  template <std::size_t>
  using loss = L;
};
/// A Graph: its inputs and outputs, trained with ctnn::losses<...>, one loss per output.
template <class Net, class... L>
requires requires {
  Net::node_count;
}
struct fit_traits<Net, losses<L...>> {
  static_assert(
      sizeof...(L) == Net::output_count,
      "ctnn::trainer: a Graph takes one loss per output in ctnn::losses<...>, in Outputs<...>'s order");
  static constexpr bool graph = true;
  static constexpr std::size_t input_count = Net::input_count, output_count = Net::output_count;
  template <std::size_t I>
  static constexpr std::size_t input_size = Net::template source_size<I>;
  template <std::size_t O>
  static constexpr std::size_t output_size = Net::template source_size<Net::output_sources[O]>;
  template <std::size_t O>
  using loss = typename type_at < O<sizeof...(L) ? O : 0, type_list<L...>>::type;
};
template <class Net, class L>
requires requires {
  Net::node_count;
}
struct fit_traits<Net, L> : fit_traits<Net, losses<L>> {
  static_assert(
      always_false<L>,
      "ctnn::trainer: a Graph trains with ctnn::losses<...>, one loss per output (Keras' loss list), "
      "weighted with .weighted({...})");
};

template <class T>
constexpr int rows_of() {
  if constexpr (eigen_dense<T>)
    return T::RowsAtCompileTime;
  else
    return -1;
}
}  // namespace detail

namespace error {
template <class Entry, std::size_t NetworkRows, int DataRows, class NetworkScalar, class DataScalar>
struct at_samples {
  static constexpr bool check() {
    if constexpr (!std::is_same_v<NetworkScalar, DataScalar>) {
      static_assert(detail::always_false<DataScalar>,
                    "ctnn::trainer: the samples' scalar type is not the network's (double data for a float "
                    "network?): pass x.cast<float>(), or train Net::rebind<double>");
      return false;
    } else if constexpr (DataRows != Eigen::Dynamic && DataRows != static_cast<int>(NetworkRows)) {
      static_assert(detail::always_false<DataScalar>,
                    "ctnn::trainer: each sample (a column) must have Net::input_shape::size rows; "
                    "error::at_samples<entry, network's rows, data's rows, ...> gives both");
      return false;
    } else {
      return true;
    }
  }
  static constexpr bool ok = check();
};

template <class Entry, class Loss, std::size_t NetworkRows, int TargetRows, class Target>
struct at_targets {
  static constexpr bool check() {
    constexpr bool sparse = std::is_same_v<Loss, SparseCategoricalCrossEntropy>;
    if constexpr (sparse) {
      if constexpr (detail::integer_labels<Target>) {
        return true;
      } else {
        static_assert(detail::always_false<Target>,
                      "ctnn::trainer: SparseCategoricalCrossEntropy takes integer class labels, one per "
                      "sample (std::vector<int> or std::span<const int>); for one-hot or floating-point "
                      "targets use CategoricalCrossEntropy");
        return false;
      }
    } else if constexpr (detail::integer_labels<Target> || detail::number_range<Target>) {
      static_assert(detail::always_false<Target>,
                    "ctnn::trainer: this loss takes targets as an Eigen matrix with one column per sample, "
                    "not a list of labels: use ctnn::data::one_hot<classes>(labels), or "
                    "SparseCategoricalCrossEntropy for integer labels");
      return false;
    } else if constexpr (!detail::eigen_dense<Target>) {
      static_assert(detail::always_false<Target>,
                    "ctnn::trainer: the targets must be an Eigen matrix with one column per sample");
      return false;
    } else if constexpr (TargetRows != Eigen::Dynamic && TargetRows != static_cast<int>(NetworkRows)) {
      static_assert(detail::always_false<Target>,
                    "ctnn::trainer: the targets must have one row per network output "
                    "(Net::output_shape::size); error::at_targets<entry, loss, network's outputs, targets' "
                    "rows, ...> gives both");
      return false;
    } else {
      return true;
    }
  }
  static constexpr bool ok = check();
};
/// Data given by name names input (output) `Name` of the Graph `Times` times; it must be once.
template <class Name, std::size_t Times>
struct named_once {
  static constexpr bool check() {
    static_assert(
        Times == 1,
        "ctnn::trainer: data by name needs every input (for targets: every output) of the Graph named "
        "exactly once; ctnn::error::named_once<name, times named> gives the one missing or repeated");
    return Times == 1;
  }
  static constexpr bool ok = check();
};
}  // namespace error

}  // namespace ctnn
