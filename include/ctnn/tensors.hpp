/// @file Defines `ctnn::tensor` and `ctnn::tensors`: a layer declares its parameter tensors (or its
/// buffers) once, each with its name, shape and initialiser, and gets their offsets, sizes, maps,
/// initialisation and `for_each_tensor` from the declaration.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "concepts.hpp"
#include "config.hpp"
#include "detail/storage.hpp"
#include "initializers.hpp"
#include "name.hpp"
#include "random.hpp"

namespace ctnn {

/// One tensor of a layer: its name (Keras': "kernel", "bias", "gamma", "moving_mean", ...), a
/// column-major Rows x Cols matrix, drawn by `Init` with the fans `FanIn` and `FanOut` (what Glorot and
/// He scale by). `Present` false declares a tensor the layer leaves out (BatchNormalization without
/// scale): it takes no room and is never visited.
template <node_name Name, std::size_t Rows, std::size_t Cols, class Init = Zeros,
          std::size_t FanIn = Rows* Cols, std::size_t FanOut = Rows* Cols, bool Present = true>
struct tensor {
  static constexpr node_name name = Name;
  static constexpr std::size_t rows = Rows, cols = Cols, fan_in = FanIn, fan_out = FanOut;
  static constexpr std::size_t size = Present ? Rows * Cols : 0;
  static constexpr bool present = Present;
  using initializer = Init;
};

/// A layer's tensors, laid out one after the other in a block of `Scalar`s, each starting on a
/// 64-byte boundary (vectorised loads need no peeling):
///
///     using weights = tensors<Scalar, tensor<"kernel", Units, In, GlorotUniform, In, Units>,
///                                     tensor<"bias", Units, 1>>;
///     static auto W(const Scalar* p) { return weights::template map<0>(p); }
template <class Scalar, class... T>
struct tensors {
  static constexpr std::size_t count = sizeof...(T);
  /// Where tensor K starts, counted from the block's start.
  static constexpr std::array<std::size_t, count + 1> offsets = [] {
    std::array<std::size_t, count + 1> out{};
    std::size_t at = 0, k = 0;
    ((out[k++] = at, at += detail::align_up<Scalar>(T::size)), ...);
    out[count] = at;
    return out;
  }();
  /// Scalars the tensors hold (what Keras counts), and the room they take with padding.
  static constexpr std::size_t scalar_count = (std::size_t{0} + ... + T::size);
  static constexpr std::size_t storage_size = offsets[count];

  template <std::size_t K>
  using at = std::tuple_element_t<K, std::tuple<T...>>;
  /// Tensor K of the block at `p`, as a fixed-size Eigen map (a vector when it has one column).
  template <std::size_t K, class P>
  static auto map(P* p) noexcept {
    using t = at<K>;
    if constexpr (t::cols == 1)
      return vector_map<P, t::rows>(p + offsets[K]);
    else
      return matrix_map<P, t::rows, t::cols>(p + offsets[K]);
  }
  /// f(tensor_info) for every present tensor, in declaration order (the order of files).
  template <class F>
  static void for_each_tensor(F&& f) {
    std::size_t k = 0;
    (
        [&] {
          if constexpr (T::present) f(tensor_info{T::name.view(), offsets[k], T::rows, T::cols});
          ++k;
        }(),
        ...);
  }
  /// Every present tensor drawn by its initialiser, in declaration order (one stream: the order is
  /// part of what a seed means).
  static void initialize(Scalar* p, random_engine& rng) {
    std::size_t k = 0;
    (
        [&] {
          if constexpr (!T::present) {
          } else if constexpr (requires { T::initializer::fill_matrix(p, T::rows, T::cols, rng); }) {
            T::initializer::fill_matrix(p + offsets[k], T::rows, T::cols, rng);  // shape-aware (Orthogonal)
          } else {
            T::initializer::fill(p + offsets[k], T::size, T::fan_in, T::fan_out, rng);
          }
          ++k;
        }(),
        ...);
  }
};

}  // namespace ctnn
