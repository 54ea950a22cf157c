/// @file Defines the default scalar, matrix aliases and storage limits: the one place Eigen is tuned.
// SPDX-License-Identifier: MIT
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <type_traits>

/// Inlines every call made in the function's body (not the function itself), for loops over
/// Eigen's packet functions that the compiler would otherwise call out of line.
/// CTNN_ALWAYS_INLINE_LAMBDA inlines a lambda's body into its caller (EIGEN_ALWAYS_INLINE is for
/// functions); CTNN_UNROLL asks for the next loop, of constant trip count, to be unrolled.
#if defined(__GNUC__) || defined(__clang__)
#define CTNN_FLATTEN __attribute__((flatten))
#define CTNN_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))
#define CTNN_UNROLL _Pragma("GCC unroll 128")
#else
#define CTNN_FLATTEN
#define CTNN_ALWAYS_INLINE_LAMBDA
#define CTNN_UNROLL
#endif

/// CTNN_EXPECTS(condition, message): the low-level API's preconditions (a batch larger than the
/// workspace, a sparse label outside the classes). They are checked where assertions are on: unless
/// NDEBUG is defined, or always with CTNN_CHECKS defined; a broken one prints ctnn's message with the
/// file and line on stderr and aborts. Elsewhere the hot path assumes them and checks nothing.
#if defined(CTNN_CHECKS) || !defined(NDEBUG)
#include <cstdio>
#include <cstdlib>
#define CTNN_EXPECTS(condition, message)                                                           \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      std::fprintf(stderr, "%s:%d: ctnn: precondition failed: %s\n", __FILE__, __LINE__, message); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)
#else
#define CTNN_EXPECTS(condition, message) static_cast<void>(0)
#endif

namespace ctnn {

/// The scalar a network uses unless told otherwise.
using default_scalar = float;

/// Alignment, in bytes, of every parameter tensor and batch buffer (one cache line, AVX-512 wide).
inline constexpr std::size_t alignment = 64;

/// Buffers up to this many bytes live inside their owner; larger ones on the heap (allocated once).
/// Far below Eigen's 128 KiB fixed-size limit, so that a network stays cheap to keep on a stack.
inline constexpr std::size_t inline_storage_limit = 16 * 1024;

/// Conv2D unfolds (im2col) at most this many bytes of patches at a time (but always one sample), a
/// chunk of samples that its products then read from cache; a larger chunk means fewer, larger
/// products. Define CTNN_CONV_PATCH_BYTES before including ctnn to change it.
#ifndef CTNN_CONV_PATCH_BYTES
#define CTNN_CONV_PATCH_BYTES (std::size_t{1} << 20)
#endif
inline constexpr std::size_t conv_patch_bytes = CTNN_CONV_PATCH_BYTES;

namespace detail {
/// `Eigen::Matrix<S, R, C>`, or `const Eigen::Matrix<S, R, C>` when S is const (Eigen's read-only maps).
template <class Scalar, int Rows, int Cols>
using plain_matrix =
    std::conditional_t<std::is_const_v<Scalar>, const Eigen::Matrix<std::remove_const_t<Scalar>, Rows, Cols>,
                       Eigen::Matrix<Scalar, Rows, Cols>>;
}  // namespace detail

/// A fixed-size, aligned view of `Rows x Cols` scalars: the one matrix type layers compute with.
/// `matrix_map<const float, R, C>` is read-only.
template <class Scalar, std::size_t Rows, std::size_t Cols>
using matrix_map = Eigen::Map<detail::plain_matrix<Scalar, static_cast<int>(Rows), static_cast<int>(Cols)>,
                              Eigen::Aligned64>;

/// A fixed-size, aligned view of a column of `Rows` scalars.
template <class Scalar, std::size_t Rows>
using vector_map = matrix_map<Scalar, Rows, 1>;

/// A batch: `Rows` scalars per sample, one sample per column, the count known at run time.
template <class Scalar, std::size_t Rows>
using batch_map =
    Eigen::Map<detail::plain_matrix<Scalar, static_cast<int>(Rows), Eigen::Dynamic>, Eigen::Aligned64>;

/// One sample as a value: what `predict` returns.
template <class Scalar, std::size_t Rows>
using vector = Eigen::Matrix<Scalar, static_cast<int>(Rows), 1>;

/// Whether a network computes a batch for training (Dropout active) or for inference.
enum class mode { inference, training };

}  // namespace ctnn
