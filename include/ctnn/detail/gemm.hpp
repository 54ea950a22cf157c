/// @file Defines `detail::gemm`, the one matrix product every layer uses, and its preallocated scratch.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "../config.hpp"
#include "storage.hpp"

#ifdef CTNN_USE_OPENBLAS
#include <cblas.h>

#include <cctype>
#include <string>
#endif

namespace ctnn::detail {

#ifdef CTNN_USE_OPENBLAS
/// Whether OpenBLAS's kernel beats Eigen's here. OpenBLAS picks its kernel when it loads (or from
/// OPENBLAS_CORETYPE); on an AVX-512 build only its AVX-512 kernels are faster than Eigen's (measured
/// on Zen 5 with bench/kernels.cpp: SkylakeX 191-215 GFLOP/s, Eigen 3.4 144-158, OpenBLAS's Haswell
/// kernel 108-113), so any other choice falls back to Eigen's kernel. Decided once per process.
inline bool openblas_is_faster() noexcept {
  static const bool faster = [] {
#ifdef __AVX512F__
    std::string core = openblas_get_corename();
    for (char& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return core.find("skylakex") != std::string::npos || core.find("cooperlake") != std::string::npos ||
           core.find("sapphirerapids") != std::string::npos;
#else
    return true;
#endif
  }();
  return faster;
}
#endif

/// Packing buffers for Eigen's blocked matrix product, sized once for the largest product a
/// workspace will run. Eigen's own product allocates these (about 400 KB for a 512x784 by 784x128
/// product) on every call when the sizes are dynamic, and puts whole-matrix copies on the stack when
/// they are fixed; ctnn calls Eigen's kernel with these buffers instead, so a product never allocates.
template <class Scalar>
class gemm_scratch {
 public:
  using Index = Eigen::Index;

  /// Makes room for `C(m x n) += A(m x k) B(k x n)`. Called by workspaces at construction only.
  void reserve(Index m, Index n, Index k) {
    Index kc = k, mc = m, nc = n;
    Eigen::internal::computeProductBlockingSizes<Scalar, Scalar, 1>(kc, mc, nc, Index(1));
    grow(a_, a_capacity_, kc * mc);
    grow(b_, b_capacity_, kc * nc);
  }

  Scalar* a() noexcept { return a_.get(); }
  Scalar* b() noexcept { return b_.get(); }
  Index a_capacity() const noexcept { return a_capacity_; }
  Index b_capacity() const noexcept { return b_capacity_; }

  gemm_scratch() = default;
  gemm_scratch(gemm_scratch&&) noexcept = default;
  gemm_scratch& operator=(gemm_scratch&&) noexcept = default;
  gemm_scratch(const gemm_scratch& other) { *this = other; }
  gemm_scratch& operator=(const gemm_scratch& other) {
    if (this != &other) {
      a_.reset();
      b_.reset();
      a_capacity_ = b_capacity_ = 0;
      grow(a_, a_capacity_, other.a_capacity_);
      grow(b_, b_capacity_, other.b_capacity_);
    }
    return *this;
  }

 private:
  struct deleter {
    void operator()(Scalar* p) const noexcept { free_aligned(p); }
  };
  static void grow(std::unique_ptr<Scalar[], deleter>& buffer, Index& capacity, Index wanted) {
    if (wanted <= capacity) return;
    buffer.reset(allocate_aligned<Scalar>(static_cast<std::size_t>(wanted)));
    capacity = wanted;
  }
  std::unique_ptr<Scalar[], deleter> a_, b_;
  Index a_capacity_ = 0, b_capacity_ = 0;
};

/// Eigen's blocking descriptor, pointed at buffers we own.
template <class Scalar>
class borrowed_blocking : public Eigen::internal::level3_blocking<Scalar, Scalar> {
 public:
  borrowed_blocking(Scalar* a, Scalar* b, Eigen::Index kc, Eigen::Index mc, Eigen::Index nc) noexcept {
    this->m_blockA = a;
    this->m_blockB = b;
    this->m_kc = kc;
    this->m_mc = mc;
    this->m_nc = nc;
  }
};

/// Below this many multiply-adds a product is computed coefficient by coefficient (Eigen's lazy
/// product, unrolled for fixed sizes); above it, by Eigen's packed, register-blocked kernel.
inline constexpr Eigen::Index lazy_product_limit = 16 * 1024;

template <bool Transpose, class M>
decltype(auto) op(const M& m) {
  if constexpr (Transpose)
    return m.transpose();
  else
    return (m);
}

/// `c = alpha * op(a) * op(b) + beta * c` for beta 1 (accumulate, the default) or 0 (overwrite: what
/// `c` held is ignored, even NaN), where op transposes when asked. `a`, `b`, `c` are column-major
/// with unit inner stride (plain matrices or maps). Never allocates: large products use `scratch`,
/// which the caller reserved for these sizes. With CTNN_USE_OPENBLAS defined (CMake: CTNN_OPENBLAS),
/// large products go to OpenBLAS's sgemm/dgemm when its kernel is the faster one
/// (openblas_is_faster); OpenBLAS keeps its own buffers, allocated once when it starts.
template <bool TransA, bool TransB, class C, class A, class B, class Scalar>
void gemm(C&& c, const A& a, const B& b, Scalar alpha, gemm_scratch<Scalar>& scratch,
          Scalar beta = Scalar(1)) noexcept {
  using Index = Eigen::Index;
  using CT = std::remove_cvref_t<C>;
  const Index m = c.rows(), n = c.cols(), k = TransA ? a.rows() : a.cols();
  eigen_assert((beta == Scalar(0) || beta == Scalar(1)) && "ctnn: gemm's beta is 0 or 1");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == Scalar(0)) c.setZero();
    return;
  }
  // OpenBLAS scales c itself; Eigen's kernels only accumulate, so an overwrite clears c first.
  auto clear_unless_blas = [&] {
    if (beta == Scalar(0)) c.setZero();
  };

  if constexpr (CT::ColsAtCompileTime == 1) {
    // One sample: a matrix-vector product. Eigen's fixed-size kernels neither allocate nor need scratch.
    constexpr Index rows = CT::RowsAtCompileTime;
    constexpr Index depth = TransA ? Index{A::RowsAtCompileTime} : Index{A::ColsAtCompileTime};
    clear_unless_blas();
    if constexpr (rows != Eigen::Dynamic && depth != Eigen::Dynamic && rows * depth <= lazy_product_limit)
      c.noalias() += alpha * op<TransA>(a).lazyProduct(op<TransB>(b));
    else
      c.noalias() += alpha * op<TransA>(a) * op<TransB>(b);
  } else {
    // Only destinations that can be small at run time take the coefficient-wise path (Eigen's cost
    // model for unrolling overflows on large fixed sizes, and it would be slow there anyway).
    constexpr Index size = CT::SizeAtCompileTime;
    constexpr bool may_be_small = size == Eigen::Dynamic || size <= lazy_product_limit;
    if constexpr (may_be_small) {
      if (m * n * k <= lazy_product_limit) {
        clear_unless_blas();
        c.noalias() += alpha * op<TransA>(a).lazyProduct(op<TransB>(b));
        return;
      }
    }
#ifdef CTNN_USE_OPENBLAS
    // OpenBLAS 0.3.21's single-threaded sgemm allocates on every call for untransposed products of
    // at most 24 rows (and depth 36 or more: measured over m 1-64, n 1-4096, k 4-784, every
    // transpose); products with fewer than 32 rows stay on Eigen's kernel, which never allocates.
    if (m >= 32 && openblas_is_faster()) {
      constexpr auto ta = TransA ? CblasTrans : CblasNoTrans;
      constexpr auto tb = TransB ? CblasTrans : CblasNoTrans;
      const auto mi = static_cast<blasint>(m), ni = static_cast<blasint>(n), ki = static_cast<blasint>(k);
      const auto lda = static_cast<blasint>(a.outerStride()), ldb = static_cast<blasint>(b.outerStride()),
                 ldc = static_cast<blasint>(c.outerStride());
      if constexpr (std::is_same_v<Scalar, float>) {
        cblas_sgemm(CblasColMajor, ta, tb, mi, ni, ki, alpha, a.data(), lda, b.data(), ldb, beta, c.data(),
                    ldc);
        return;
      } else if constexpr (std::is_same_v<Scalar, double>) {
        cblas_dgemm(CblasColMajor, ta, tb, mi, ni, ki, alpha, a.data(), lda, b.data(), ldb, beta, c.data(),
                    ldc);
        return;
      }
    }
#endif
    clear_unless_blas();
    Index kc = k, mc = m, nc = n;
    Eigen::internal::computeProductBlockingSizes<Scalar, Scalar, 1>(kc, mc, nc, Index(1));
    // A workspace reserved scratch for its layers' largest products; blocks never exceed it. A layer
    // that forgot to reserve (its `reserve<MaxB>`) is a bug in that layer, caught here in debug builds.
    eigen_assert(scratch.a_capacity() > 0 && scratch.b_capacity() > 0 && "ctnn: gemm scratch not reserved");
    kc = std::max<Index>(1, std::min({kc, scratch.a_capacity(), scratch.b_capacity()}));
    mc = std::max<Index>(1, std::min(mc, scratch.a_capacity() / kc));
    nc = std::max<Index>(1, std::min(nc, scratch.b_capacity() / kc));
    borrowed_blocking<Scalar> blocking(scratch.a(), scratch.b(), kc, mc, nc);
    constexpr int lhs_order = TransA ? Eigen::RowMajor : Eigen::ColMajor;
    constexpr int rhs_order = TransB ? Eigen::RowMajor : Eigen::ColMajor;
    Eigen::internal::general_matrix_matrix_product<Index, Scalar, lhs_order, false, Scalar, rhs_order, false,
                                                   Eigen::ColMajor, 1>::run(m, n, k, a.data(),
                                                                            a.outerStride(), b.data(),
                                                                            b.outerStride(), c.data(), 1,
                                                                            c.outerStride(), alpha, blocking,
                                                                            nullptr);
  }
}

}  // namespace ctnn::detail
