/// @file Defines `detail::gemm`, the one matrix product every layer uses, and its preallocated scratch.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "../config.hpp"
#include "storage.hpp"

#include <cctype>
#include <string_view>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#ifdef CTNN_USE_OPENBLAS
#include <cblas.h>
#endif

namespace ctnn::detail {

/// The widest vector instructions Eigen's kernels were compiled for (the build's -m flags).
enum class simd_level { sse, avx2, avx512 };
#if defined(__AVX512F__)
inline constexpr simd_level eigen_simd = simd_level::avx512;
#elif defined(__AVX2__) && defined(__FMA__)
inline constexpr simd_level eigen_simd = simd_level::avx2;
#else
inline constexpr simd_level eigen_simd = simd_level::sse;
#endif

/// Whether this CPU runs AVX-512 on 256-bit units, two halves per instruction (AMD Zen 4: family
/// 0x19 with AVX-512), so that AVX-512 code gains nothing over AVX2 there. From cpuid; false elsewhere.
inline bool avx512_is_half_width() noexcept {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return false;
  const bool amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;  // "AuthenticAMD"
  if (!amd || !__get_cpuid(1, &a, &b, &c, &d)) return false;
  const unsigned family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
  return family == 0x19;
#else
  return false;
#endif
}

/// Whether OpenBLAS's kernel `core` (as openblas_get_corename() names it) runs the products faster
/// than Eigen's code compiled for `eigen`, on a CPU whose AVX-512 is half width or not. Measured with
/// bench/kernels.cpp on the MLP and CNN shapes (docs/performance.md, "Which kernel"): OpenBLAS's
/// kernels beat Eigen's SSE and AVX2 code everywhere; against Eigen's AVX-512 code, its AVX-512
/// kernels (SkylakeX, Cooperlake, Sapphire Rapids) win, and its AVX2 (Haswell, Zen) kernel wins only
/// where AVX-512 is half width (Zen 4: 85-106 GFLOP/s against Eigen's 74-85; on Zen 5 it loses,
/// 108-113 against 144-158).
inline bool openblas_kernel_is_faster(std::string_view core, simd_level eigen,
                                      bool half_width_avx512) noexcept {
  if (eigen != simd_level::avx512 || half_width_avx512) return true;
  auto has = [&](std::string_view name) {
    for (std::size_t at = 0; at + name.size() <= core.size(); ++at) {
      std::size_t i = 0;
      while (i < name.size() &&
             std::tolower(static_cast<unsigned char>(core[at + i])) == static_cast<unsigned char>(name[i]))
        ++i;
      if (i == name.size()) return true;
    }
    return false;
  };
  return has("skylakex") || has("cooperlake") || has("sapphirerapids");
}

#ifdef CTNN_USE_OPENBLAS
/// Whether OpenBLAS's kernel, chosen when it loaded (its detection, or OPENBLAS_CORETYPE), beats
/// Eigen's in this build. Decided once per process, so that the same seed and thread count give
/// bit-identical results within it.
inline bool openblas_is_faster() noexcept {
  static const bool faster = openblas_kernel_is_faster(
      openblas_get_corename(), eigen_simd, eigen_simd == simd_level::avx512 && avx512_is_half_width());
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
    if (m < 32) grow(t_, t_capacity_, m * n);  // gemm's transposed route for products with few rows
  }

  Scalar* a() noexcept { return a_.get(); }
  Scalar* b() noexcept { return b_.get(); }
  Scalar* t() noexcept { return t_.get(); }
  Index t_capacity() const noexcept { return t_capacity_; }
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
      t_.reset();
      a_capacity_ = b_capacity_ = t_capacity_ = 0;
      grow(a_, a_capacity_, other.a_capacity_);
      grow(b_, b_capacity_, other.b_capacity_);
      grow(t_, t_capacity_, other.t_capacity_);
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
  std::unique_ptr<Scalar[], deleter> a_, b_, t_;
  Index a_capacity_ = 0, b_capacity_ = 0, t_capacity_ = 0;
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

/// Below this many multiply-adds a product is computed coefficient by coefficient (small_matvec for
/// one column, Eigen's lazy product otherwise, unrolled for fixed sizes); above it, by a packed,
/// register-blocked kernel.
inline constexpr Eigen::Index lazy_product_limit = 16 * 1024;

/// Independent multiply-add chains that keep a core's FMA units busy: two units with a latency of
/// four cycles each, on current x86 cores.
inline constexpr Eigen::Index fma_chains = 8;

/// Sums `n` accumulators as a balanced tree: calls `add(p, p + Step)` for every pair of the round
/// with stride Step, then the next round, leaving the total in accumulator 0.
template <Eigen::Index Step, Eigen::Index N, class Add>
EIGEN_ALWAYS_INLINE void pairwise_sum(Add&& add) noexcept {
  if constexpr (Step < N) {
    [&]<Eigen::Index... P>(std::integer_sequence<Eigen::Index, P...>) {
      (add(P * 2 * Step, P * 2 * Step + Step), ...);
    }
    (std::make_integer_sequence<Eigen::Index, (N - Step + 2 * Step - 1) / (2 * Step)>{});
    pairwise_sum<2 * Step, N>(add);
  }
}

/// Rows [0, Packets * width + Tail) of `y = init + alpha * a x`, where `a` (depth columns, leading
/// dimension `ld`) starts at `w`: the kernel of small_matvec, for a panel of rows few enough to keep
/// every accumulator in a register.
template <class Packet, Eigen::Index Packets, Eigen::Index Tail, Eigen::Index Depth, class X, class Scalar>
EIGEN_ALWAYS_INLINE void matvec_panel(const Scalar* w, Eigen::Index ld, const X& x, Scalar* y,
                                      const Scalar* init, Scalar alpha) noexcept {
  namespace ei = Eigen::internal;
  using Index = Eigen::Index;
  constexpr Index width = ei::unpacket_traits<Packet>::size;
  constexpr Index lanes = Packets + Tail;  // chains per accumulator
  constexpr Index wanted = lanes >= fma_chains ? 1 : fma_chains / lanes;
  constexpr Index blocks = std::bit_floor(static_cast<std::size_t>(wanted < Depth ? wanted : Depth));
  constexpr Index full = Depth / blocks * blocks;

  Packet acc[blocks][Packets > 0 ? Packets : 1];
  Scalar tail_acc[blocks][Tail > 0 ? Tail : 1];
  CTNN_UNROLL
  for (Index p = 0; p < blocks; ++p) {
    CTNN_UNROLL
    for (Index r = 0; r < Packets; ++r) acc[p][r] = ei::pset1<Packet>(Scalar(0));
    CTNN_UNROLL
    for (Index r = 0; r < Tail; ++r) tail_acc[p][r] = Scalar(0);
  }
  // Column k into accumulator p.
  auto column = [&](Index k, Index p) CTNN_ALWAYS_INLINE_LAMBDA {
    const Scalar xk = x.coeff(k);
    const Packet xp = ei::pset1<Packet>(xk);
    const Scalar* col = w + k * ld;
    CTNN_UNROLL
    for (Index r = 0; r < Packets; ++r)
      acc[p][r] = ei::pmadd(ei::ploadu<Packet>(col + r * width), xp, acc[p][r]);
    CTNN_UNROLL
    for (Index r = 0; r < Tail; ++r) tail_acc[p][r] += col[Packets * width + r] * xk;
  };
  CTNN_UNROLL
  for (Index k = 0; k < full; k += blocks) {
    CTNN_UNROLL
    for (Index p = 0; p < blocks; ++p) column(k + p, p);
  }
  CTNN_UNROLL
  for (Index k = full; k < Depth; ++k) column(k, k - full);
  pairwise_sum<1, blocks>([&](Index p, Index q) CTNN_ALWAYS_INLINE_LAMBDA {
    CTNN_UNROLL
    for (Index r = 0; r < Packets; ++r) acc[p][r] = ei::padd(acc[p][r], acc[q][r]);
    CTNN_UNROLL
    for (Index r = 0; r < Tail; ++r) tail_acc[p][r] += tail_acc[q][r];
  });
  const Packet alpha_p = ei::pset1<Packet>(alpha);
  CTNN_UNROLL
  for (Index r = 0; r < Packets; ++r)
    ei::pstoreu(y + r * width, ei::pmadd(alpha_p, acc[0][r], ei::ploadu<Packet>(init + r * width)));
  CTNN_UNROLL
  for (Index r = 0; r < Tail; ++r)
    y[Packets * width + r] = init[Packets * width + r] + alpha * tail_acc[0][r];
}

/// `y = init + alpha * a x` for a small fixed-size, column-major `a` (unit inner stride) and one
/// column `x`; `y` and `init` are contiguous and may be the same. Unrolled for the fixed sizes.
///
/// Eigen's lazy product accumulates each packet of rows over the whole depth in one chain of
/// dependent multiply-adds, so a 4 x 32 product waits for 32 FMA latencies in a row while the units
/// idle: small networks are latency bound. Here column k goes to accumulator k mod `blocks`, with
/// enough accumulators to fill the FMA units (fma_chains), summed as a balanced tree at the end; rows
/// go in panels of at most `panel_packets` packets, so the accumulators stay in registers.
template <class A, class X, class Scalar>
EIGEN_ALWAYS_INLINE void small_matvec(const A& a, const X& x, Scalar* y, const Scalar* init,
                                      Scalar alpha = Scalar(1)) noexcept {
  namespace ei = Eigen::internal;
  using Index = Eigen::Index;
  constexpr Index rows = A::RowsAtCompileTime, depth = A::ColsAtCompileTime;
  static_assert(rows != Eigen::Dynamic && depth != Eigen::Dynamic && (!A::IsRowMajor || rows == 1),
                "ctnn: small_matvec takes a fixed-size, column-major matrix (or one row)");
  using packet = typename ei::find_best_packet<Scalar, rows>::type;
  constexpr Index width = ei::unpacket_traits<packet>::size;
  constexpr Index packets = rows / width, tail = rows - packets * width;
  constexpr Index panel_packets = 8, panels = packets / panel_packets, rest = packets % panel_packets;
  const Scalar* w = a.data();
  const Index ld = a.colStride();  // Eigen stores a 1 x K matrix row-major: its columns are adjacent
  [&]<Index... P>(std::integer_sequence<Index, P...>) CTNN_ALWAYS_INLINE_LAMBDA {
    (matvec_panel<packet, panel_packets, 0, depth>(w + P * panel_packets * width, ld, x,
                                                   y + P * panel_packets * width,
                                                   init + P * panel_packets * width, alpha),
     ...);
  }
  (std::make_integer_sequence<Index, panels>{});
  constexpr Index done = panels * panel_packets * width;
  if constexpr (rest + tail > 0)
    matvec_panel<packet, rest, tail, depth>(w + done, ld, x, y + done, init + done, alpha);
}

/// Rows [0, Packets * width) of `y = init + a x`, where `a` (Depth columns, leading dimension `ld`)
/// starts at `w`, the depth cut into two halves, each summed in its own chain and the two added at
/// the end; `reverse` reads the second half first. The sum is the same in either order.
template <class Packet, Eigen::Index Packets, Eigen::Index Depth, class X, class Scalar>
EIGEN_ALWAYS_INLINE void matvec_panel_halves(const Scalar* w, Eigen::Index ld, const X& x, Scalar* y,
                                             const Scalar* init, bool reverse) noexcept {
  namespace ei = Eigen::internal;
  using Index = Eigen::Index;
  constexpr Index width = ei::unpacket_traits<Packet>::size, half = Depth / 2;
  Packet acc[2][Packets];
  CTNN_UNROLL
  for (Index r = 0; r < Packets; ++r) acc[0][r] = acc[1][r] = ei::pset1<Packet>(Scalar(0));
  auto columns = [&]<Index S>() CTNN_ALWAYS_INLINE_LAMBDA {
    CTNN_UNROLL
    for (Index k = S * half; k < (S == 0 ? half : Depth); ++k) {
      const Packet xp = ei::pset1<Packet>(x.coeff(k));
      CTNN_UNROLL
      for (Index r = 0; r < Packets; ++r)
        acc[S][r] = ei::pmadd(ei::ploadu<Packet>(w + k * ld + r * width), xp, acc[S][r]);
    }
  };
  if (reverse) {
    columns.template operator()<1>();
    columns.template operator()<0>();
  } else {
    columns.template operator()<0>();
    columns.template operator()<1>();
  }
  CTNN_UNROLL
  for (Index r = 0; r < Packets; ++r)
    ei::pstoreu(y + r * width,
                ei::padd(ei::padd(acc[0][r], acc[1][r]), ei::ploadu<Packet>(init + r * width)));
}

/// The L1 data cache this kernel plans for: 32 KiB or more on current x86 and ARM cores.
inline constexpr std::size_t l1_data_bytes = 32 * 1024;

/// `y = init + a x`, as small_matvec, for a product run on every call of a loop (a recurrent layer's
/// streaming step), with its reads in reverse order when `reverse` is set. A caller that alternates
/// `reverse` from call to call starts each product on the lines the last one read last, which are
/// still in the L1 data cache when the whole matrix is not (LSTM<64>'s recurrent kernel is 64 KiB):
/// read the same way every time, a matrix larger than the cache misses on nearly every line.
///
/// For a matrix larger than l1_data_bytes, the rows go in equal panels of at most 8 packets (the
/// panels in reverse order when `reverse`) and each panel's depth in two halves summed apart
/// (matvec_panel_halves). Each output's sum is the same in either order, so the result does not
/// depend on `reverse`; it may differ from small_matvec's in the last bit. A smaller matrix, or one
/// whose rows do not split evenly, is small_matvec's.
template <class A, class X, class Scalar>
EIGEN_ALWAYS_INLINE void small_matvec_alternating(const A& a, const X& x, Scalar* y, const Scalar* init,
                                                  bool reverse) noexcept {
  namespace ei = Eigen::internal;
  using Index = Eigen::Index;
  constexpr Index rows = A::RowsAtCompileTime, depth = A::ColsAtCompileTime;
  using packet = typename ei::find_best_packet<Scalar, rows>::type;
  constexpr Index width = ei::unpacket_traits<packet>::size;
  constexpr Index packets = rows / width, tail = rows - packets * width;
  constexpr Index panels = (packets + 7) / 8;
  constexpr bool large = std::size_t(rows) * std::size_t(depth) * sizeof(Scalar) > l1_data_bytes;
  if constexpr (A::IsRowMajor || !large || depth < 2 || tail != 0 || packets % panels != 0) {
    small_matvec(a, x, y, init);
  } else {
    constexpr Index panel_rows = packets / panels * width;
    const Scalar* w = a.data();
    const Index ld = a.colStride();
    for (Index i = 0; i < panels; ++i) {
      const Index at = (reverse ? panels - 1 - i : i) * panel_rows;
      matvec_panel_halves<packet, packets / panels, depth>(w + at, ld, x, y + at, init + at, reverse);
    }
  }
}

template <bool Transpose, class M>
decltype(auto) op(const M& m) {
  if constexpr (Transpose)
    return m.transpose();
  else
    return (m);
}

#ifdef CTNN_USE_OPENBLAS
/// cblas_sgemm or cblas_dgemm on column-major operands.
template <bool TransA, bool TransB, class Scalar>
void blas_gemm(Eigen::Index m, Eigen::Index n, Eigen::Index k, Scalar alpha, const Scalar* a,
               Eigen::Index lda, const Scalar* b, Eigen::Index ldb, Scalar beta, Scalar* c,
               Eigen::Index ldc) noexcept {
  constexpr auto ta = TransA ? CblasTrans : CblasNoTrans;
  constexpr auto tb = TransB ? CblasTrans : CblasNoTrans;
  auto i = [](Eigen::Index v) { return static_cast<blasint>(v); };
  if constexpr (std::is_same_v<Scalar, float>)
    cblas_sgemm(CblasColMajor, ta, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
  else if constexpr (std::is_same_v<Scalar, double>)
    cblas_dgemm(CblasColMajor, ta, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
}
#endif

/// The leading dimension of `x` read as a column-major matrix. Eigen stores a matrix with one row at
/// compile time row-major (Dense<1>'s weights, its output over a batch), where its outer stride is its
/// length; read column-major, its columns are adjacent, a stride of 1. Any other operand is
/// column-major already.
template <class X>
Eigen::Index leading_dimension(const X& x) noexcept {
  if constexpr (X::IsRowMajor) {
    static_assert(X::RowsAtCompileTime == 1, "ctnn::detail::gemm takes column-major operands (or one row)");
    return 1;
  } else {
    return x.outerStride();
  }
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
    constexpr bool small =
        rows != Eigen::Dynamic && depth != Eigen::Dynamic && rows * depth <= lazy_product_limit;
    constexpr bool columns_adjacent = A::RowsAtCompileTime != Eigen::Dynamic &&
                                      A::ColsAtCompileTime != Eigen::Dynamic &&
                                      (!A::IsRowMajor || A::RowsAtCompileTime == 1);
    if constexpr (small && !TransA && columns_adjacent)
      small_matvec(a, op<TransB>(b), c.data(), c.data(), alpha);
    else if constexpr (small)
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
    // transpose), so a product goes to OpenBLAS only with at least 32 rows. One with fewer rows but
    // many columns (a 10-class Dense layer over a batch) goes as its transpose, c' = op(b)' op(a)',
    // into scratch that the workspace reserved, then back into c: Eigen's kernel wastes most of its
    // register block on so few rows (10 x 128 x 512: 21 us in Eigen's kernel, 11 us this way).
    constexpr bool blas_scalar = std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>;
    if (blas_scalar && openblas_is_faster()) {
      if (m >= 32) {
        blas_gemm<TransA, TransB>(m, n, k, alpha, a.data(), leading_dimension(a), b.data(),
                                  leading_dimension(b), beta, c.data(), leading_dimension(c));
        return;
      }
      if (n >= 32 && scratch.t_capacity() >= m * n) {
        blas_gemm<!TransB, !TransA>(n, m, k, alpha, b.data(), leading_dimension(b), a.data(),
                                    leading_dimension(a), Scalar(0), scratch.t(), n);
        const auto t =
            Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(scratch.t(), n, m);
        if (beta == Scalar(0))
          c = t.transpose();
        else
          c += t.transpose();
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
                                                                            leading_dimension(a), b.data(),
                                                                            leading_dimension(b), c.data(), 1,
                                                                            leading_dimension(c), alpha,
                                                                            blocking, nullptr);
  }
}

}  // namespace ctnn::detail
