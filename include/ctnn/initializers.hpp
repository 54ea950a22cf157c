/// @file Defines the weight initialisers: GlorotUniform (the default, as in Keras), GlorotNormal,
/// HeUniform, HeNormal, Orthogonal (recurrent kernels' default, as in Keras), Zeros, Ones.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "random.hpp"

namespace ctnn {

/// A weight initialiser: `T::fill(p, n, fan_in, fan_out, rng)` writes n starting values at p.
template <class T>
concept Initializer = requires(float* p, std::size_t n, random_engine& rng) {
  T::fill(p, n, n, n, rng);
};

namespace detail {
/// Whether `count` tensors' worth of `a * b + c` scalars, plus alignment slack, fits in std::size_t.
constexpr bool fits_in_size(std::size_t a, std::size_t b, std::size_t c = 0) noexcept {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max() / 2;  // room for offsets and bytes
  return b == 0 || (a <= max / b && a * b <= max - c);
}
}  // namespace detail

namespace detail {
// Keras' truncated normal: draws beyond two standard deviations are redrawn; the factor makes the
// truncated distribution's standard deviation the one asked for.
inline double truncated_normal(random_engine& rng) noexcept {
  for (;;) {
    const double z = rng.normal();
    if (std::abs(z) <= 2.0) return z / 0.87962566103423978;
  }
}
}  // namespace detail

/// U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
struct GlorotUniform {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t fan_in, std::size_t fan_out, random_engine& rng) {
    const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<Scalar>(rng.uniform(-limit, limit));
  }
};
/// Truncated normal, standard deviation sqrt(2 / (fan_in + fan_out)).
struct GlorotNormal {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t fan_in, std::size_t fan_out, random_engine& rng) {
    const double sd = std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<Scalar>(sd * detail::truncated_normal(rng));
  }
};
/// U(-l, l) with l = sqrt(6 / fan_in).
struct HeUniform {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t fan_in, std::size_t, random_engine& rng) {
    const double limit = std::sqrt(6.0 / static_cast<double>(fan_in));
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<Scalar>(rng.uniform(-limit, limit));
  }
};
/// Truncated normal, standard deviation sqrt(2 / fan_in).
struct HeNormal {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t fan_in, std::size_t, random_engine& rng) {
    const double sd = std::sqrt(2.0 / static_cast<double>(fan_in));
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<Scalar>(sd * detail::truncated_normal(rng));
  }
};
/// All zeros (the default for biases).
struct Zeros {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t, std::size_t, random_engine&) {
    for (std::size_t i = 0; i < n; ++i) p[i] = Scalar(0);
  }
};

/// All ones (BatchNormalization's gamma and moving variance).
struct Ones {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t, std::size_t, random_engine&) {
    for (std::size_t i = 0; i < n; ++i) p[i] = Scalar(1);
  }
};

/// A matrix with orthonormal columns (or rows, when it is wider than tall), as Keras' Orthogonal with
/// gain 1: a Gaussian matrix of max(rows, cols) x min(rows, cols) orthonormalised column by column
/// (Gram-Schmidt, twice over: the Q of its QR with R's diagonal made positive, Keras' sign correction).
/// `tensors` calls `fill_matrix` with the tensor's shape; `fill` treats n values as one column.
struct Orthogonal {
  template <class Scalar>
  static void fill_matrix(Scalar* p, std::size_t rows, std::size_t cols, random_engine& rng) {
    const std::size_t tall = rows >= cols ? rows : cols, narrow = rows >= cols ? cols : rows;
    std::vector<double> q(tall * narrow);  // column-major, tall x narrow
    for (double& v : q) v = rng.normal();
    for (std::size_t k = 0; k < narrow; ++k) {
      double* col = q.data() + k * tall;
      for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < k; ++i) {
          const double* other = q.data() + i * tall;
          double dot = 0;
          for (std::size_t r = 0; r < tall; ++r) dot += other[r] * col[r];
          for (std::size_t r = 0; r < tall; ++r) col[r] -= dot * other[r];
        }
      double norm = 0;
      for (std::size_t r = 0; r < tall; ++r) norm += col[r] * col[r];
      norm = std::sqrt(norm);
      for (std::size_t r = 0; r < tall; ++r) col[r] /= norm;
    }
    for (std::size_t c = 0; c < cols; ++c)
      for (std::size_t r = 0; r < rows; ++r)
        p[c * rows + r] = static_cast<Scalar>(rows >= cols ? q[c * tall + r] : q[r * tall + c]);
  }
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t, std::size_t, random_engine& rng) {
    fill_matrix(p, n, std::size_t{1}, rng);
  }
};

}  // namespace ctnn
