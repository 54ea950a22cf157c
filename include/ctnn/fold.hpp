/// @file Defines `ctnn::folded<Net>` and `ctnn::fold_batch_norm`: the deployment form of a network
/// trained with BatchNormalization, each BatchNormalization that follows a Dense or a Conv2D folded
/// into that layer's weights, so that inference pays nothing for it.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "blocks.hpp"
#include "chain.hpp"
#include "fraction.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "sequential.hpp"

namespace ctnn {

namespace detail {

template <class Spec>
inline constexpr bool folds_batch_norm = false;  // a layer whose output channels are its kernel's rows
template <std::size_t Units, class Init>
inline constexpr bool folds_batch_norm<Dense<Units, Init>> = true;
template <std::size_t F, std::size_t KH, std::size_t KW, Padding P, std::size_t S, class Init>
inline constexpr bool folds_batch_norm<Conv2D<F, KH, KW, P, S, Init>> = true;

template <class Spec>
inline constexpr bool is_batch_norm = false;
template <fraction M, fraction E, bool C, bool S>
inline constexpr bool is_batch_norm<BatchNormalization<M, E, C, S>> = true;

template <class Spec>
struct fold_spec {
  using type = Spec;
};
template <class Done, class... Rest>
struct fold_list;
template <class... Done>
struct fold_list<type_list<Done...>> {
  using type = type_list<Done...>;
};
template <class... Done, class S, class... Rest>
struct fold_list<type_list<Done...>, S, Rest...> {
  static constexpr bool drop = [] {
    if constexpr (sizeof...(Done) == 0 || !is_batch_norm<S>)
      return false;
    else
      return folds_batch_norm<typename last_or_void<type_list<Done...>>::type>;
  }();
  using next = std::conditional_t<drop, type_list<Done...>, type_list<Done..., typename fold_spec<S>::type>>;
  using type = typename fold_list<next, Rest...>::type;
};
template <template <class...> class To, class List>
struct apply_list;
template <template <class...> class To, class... T>
struct apply_list<To, type_list<T...>> {
  using type = To<T...>;
};
template <class... Specs>
using folded_specs = typename fold_list<type_list<>, Specs...>::type;

template <class... Specs>
struct fold_spec<Branch<Specs...>> {
  using type = typename apply_list<Branch, folded_specs<Specs...>>::type;
};
template <class... Specs>
struct fold_spec<Residual<Specs...>> {
  using type = typename apply_list<Residual, folded_specs<Specs...>>::type;
};
template <class... B>
struct fold_spec<Add<B...>> {
  using type = Add<typename fold_spec<B>::type...>;
};
template <class... B>
struct fold_spec<Concat<B...>> {
  using type = Concat<typename fold_spec<B>::type...>;
};
template <class... B>
struct fold_spec<Multiply<B...>> {
  using type = Multiply<typename fold_spec<B>::type...>;
};

template <class Net>
struct folded_net;
template <class... Elements>
struct folded_net<Sequential<Elements...>> {
  template <class First, class... Specs>
  static auto make(type_list<First, Specs...>) ->
      typename apply_list<Sequential, folded_specs<First, Specs...>>::type;
  using type = decltype(make(type_list<Elements...>{}));
};
template <class Scalar, class First, class... Specs>
struct folded_net<basic_sequential<Scalar, First, Specs...>> {
  template <class... E>
  using over = basic_sequential<Scalar, E...>;
  using type = typename apply_list<over, folded_specs<First, Specs...>>::type;
};

// One layer of the network being folded, as the walk meets it (blocks and their branches too).
template <class Scalar>
struct fold_record {
  std::size_t level, branch, offset, storage, buffer_offset, buffer_storage;
  bool folds = false;  // a Dense or Conv2D
  // The BatchNormalization right after it, if any: its per-channel scale and shift.
  bool normalised = false;
  std::vector<double> scale, shift;
};
}  // namespace detail

/// The deployment type of `Net` (a Sequential): every BatchNormalization that directly follows a
/// Dense or a Conv2D (in the network or in any block's branch) removed; everything else as it was.
template <class Net>
using folded = typename detail::folded_net<Net>::type;

/// Writes `from`'s weights, each BatchNormalization folded into the Dense or Conv2D before it, into
/// `to`. In inference BatchNormalization is y = a (x - mean) + beta with a = gamma / sqrt(variance +
/// epsilon), per channel; after W x + b that is (a W) x + a (b - mean) + beta, so row c of the kernel
/// is scaled by a_c and the bias becomes a_c (b_c - mean_c) + beta_c (computed in double). `to`
/// predicts what `from` predicts in inference mode, up to rounding, without the normalisation's pass.
/// Fold again after the moving statistics or the weights change.
template <class Net>
void fold_batch_norm(const Net& from, folded<Net>& to) {
  using Scalar = typename Net::scalar;
  using To = folded<Net>;
  static_assert(std::is_same_v<typename To::scalar, Scalar>);
  std::vector<detail::fold_record<Scalar>> records;
  const Scalar* params = from.parameters().data();
  const Scalar* buffers = from.buffers().data();
  std::size_t index = 0;
  auto read = [&]<class Spec, class Bound, class In>(std::size_t, std::size_t level, std::size_t branch,
                                                     std::size_t offset, std::size_t buffer_offset) {
    if constexpr (detail::is_batch_norm<Spec>) {
      if (!records.empty() && records.back().folds && !records.back().normalised &&
          records.back().level == level && records.back().branch == branch) {
        auto& r = records.back();
        r.normalised = true;
        constexpr std::size_t channels = Bound::channels;
        r.scale.resize(channels);
        r.shift.resize(channels);
        for (std::size_t c = 0; c < channels; ++c) {
          const double mean = static_cast<double>(buffers[buffer_offset + c]);
          const double variance = static_cast<double>(buffers[buffer_offset + Bound::step + c]);
          double gamma = 1, beta = 0;
          Bound::for_each_tensor([&](tensor_info t) {
            const double v = static_cast<double>(params[offset + t.offset + c]);
            (t.name == "gamma" ? gamma : beta) = v;
          });
          r.scale[c] = gamma / std::sqrt(variance + Bound::epsilon);
          r.shift[c] = beta - r.scale[c] * mean;
        }
        return;
      }
    }
    records.push_back({level,
                       branch,
                       offset,
                       Bound::storage_size,
                       buffer_offset,
                       detail::buffer_size_of<Bound>(),
                       detail::folds_batch_norm<Spec>,
                       false,
                       {},
                       {}});
  };
  detail::walk_layers<typename Net::chain>(read, index);

  Scalar* out = to.parameters().data();
  Scalar* out_buffers = to.buffers().data();
  std::size_t k = 0;
  index = 0;
  auto write = [&]<class Spec, class Bound, class In>(std::size_t, std::size_t, std::size_t,
                                                      std::size_t offset, std::size_t buffer_offset) {
    const auto& r = records[k++];
    // Layer by layer: a block's span holds its branches' layers, which differ where one was folded.
    if constexpr (requires { typename Bound::chains; }) return;
    std::copy(params + r.offset, params + r.offset + r.storage, out + offset);
    std::copy(buffers + r.buffer_offset, buffers + r.buffer_offset + r.buffer_storage,
              out_buffers + buffer_offset);
    if constexpr (detail::folds_batch_norm<Spec>) {
      if (!r.normalised) return;
      auto W = Bound::W(out + offset);
      auto b = Bound::b(out + offset);
      for (Eigen::Index c = 0; c < W.rows(); ++c) {
        const auto cc = static_cast<std::size_t>(c);
        W.row(c) = (W.row(c).template cast<double>() * r.scale[cc]).template cast<Scalar>();
        b(c) = static_cast<Scalar>(r.scale[cc] * static_cast<double>(b(c)) + r.shift[cc]);
      }
    }
  };
  detail::walk_layers<typename To::chain>(write, index);
}

}  // namespace ctnn
