// Tests for ctnn/detail/gemm.hpp: the product every layer relies on, against Eigen's own, in every
// transpose combination, at sizes that take both the coefficient-wise and the blocked path.
#define BOOST_TEST_MODULE gemm
#include <boost/test/unit_test.hpp>
#include <ctnn/detail/gemm.hpp>
#include <limits>
#include <memory>

namespace {
template <bool TA, bool TB>
double max_error(Eigen::Index m, Eigen::Index n, Eigen::Index k, bool reserve_full, bool overwrite = false) {
  ctnn::detail::gemm_scratch<double> scratch;
  if (reserve_full)
    scratch.reserve(m, n, k);
  else
    scratch.reserve(m, n / 2 + 1, k);  // reserved for a smaller batch: blocks must be clamped
  Eigen::MatrixXd a = TA ? Eigen::MatrixXd::Random(k, m) : Eigen::MatrixXd::Random(m, k);
  Eigen::MatrixXd b = TB ? Eigen::MatrixXd::Random(n, k) : Eigen::MatrixXd::Random(k, n);
  Eigen::MatrixXd c = Eigen::MatrixXd::Random(m, n);
  Eigen::MatrixXd expected = c;
  if (overwrite) {  // beta 0: what c held must not matter, not even NaN
    c.setConstant(std::numeric_limits<double>::quiet_NaN());
    expected.setZero();
  }
  Eigen::MatrixXd opa = TA ? Eigen::MatrixXd(a.transpose()) : a;
  Eigen::MatrixXd opb = TB ? Eigen::MatrixXd(b.transpose()) : b;
  expected += 0.5 * opa * opb;
  ctnn::detail::gemm<TA, TB>(c, a, b, 0.5, scratch, overwrite ? 0.0 : 1.0);
  return (c - expected).cwiseAbs().maxCoeff();
}
}  // namespace

BOOST_AUTO_TEST_CASE(matches_eigen_in_every_transpose_and_size) {
  // {10, 128, 512} and {5, 300, 40}: few rows, many columns, which OpenBLAS runs as the transpose.
  const Eigen::Index sizes[][3] = {{3, 5, 7},      {64, 33, 17},   {300, 128, 200},
                                   {129, 70, 511}, {10, 128, 512}, {5, 300, 40}};
  for (auto& s : sizes) {
    for (bool full : {true, false}) {
      BOOST_TEST((max_error<false, false>(s[0], s[1], s[2], full) < 1e-10));
      BOOST_TEST((max_error<false, true>(s[0], s[1], s[2], full) < 1e-10));
      BOOST_TEST((max_error<true, false>(s[0], s[1], s[2], full) < 1e-10));
      BOOST_TEST((max_error<true, true>(s[0], s[1], s[2], full) < 1e-10));
      BOOST_TEST((max_error<false, false>(s[0], s[1], s[2], full, true) < 1e-10));
      BOOST_TEST((max_error<true, false>(s[0], s[1], s[2], full, true) < 1e-10));
    }
  }
}

BOOST_AUTO_TEST_CASE(fixed_size_vector_path) {
  ctnn::detail::gemm_scratch<float> scratch;
  Eigen::Matrix<float, 8, 5> a = Eigen::Matrix<float, 8, 5>::Random();
  Eigen::Matrix<float, 5, 1> x = Eigen::Matrix<float, 5, 1>::Random();
  Eigen::Matrix<float, 8, 1> y = Eigen::Matrix<float, 8, 1>::Ones();
  Eigen::Matrix<float, 8, 1> expected = y + a * x;
  ctnn::detail::gemm<false, false>(y, a, x, 1.0f, scratch);
  BOOST_TEST((y - expected).norm() < 1e-5);
  y.setConstant(std::numeric_limits<float>::quiet_NaN());
  ctnn::detail::gemm<false, false>(y, a, x, 1.0f, scratch, 0.0f);
  BOOST_TEST((y - a * x).norm() < 1e-5);
}

namespace {
// y = init + alpha a x through small_matvec, against Eigen's product in long double-free double
// arithmetic; returns the largest error relative to the largest |term| sum.
template <class Scalar, int Rows, int Depth>
double small_matvec_error(bool in_place) {
  using A = Eigen::Matrix<Scalar, Rows, Depth>;
  using V = Eigen::Matrix<Scalar, Rows, 1>;
  const A a = A::Random();
  const Eigen::Matrix<Scalar, Depth, 1> x = Eigen::Matrix<Scalar, Depth, 1>::Random();
  const V init = V::Random();
  V y = V::Constant(std::numeric_limits<Scalar>::quiet_NaN());
  const Scalar alpha = Scalar(0.75);
  if (in_place) {
    y = init;
    ctnn::detail::small_matvec(a, x, y.data(), y.data(), alpha);
  } else {
    ctnn::detail::small_matvec(a, x, y.data(), init.data(), alpha);
  }
  const Eigen::MatrixXd expected =
      init.template cast<double>() + 0.75 * a.template cast<double>() * x.template cast<double>();
  const double scale =
      1.0 + (a.template cast<double>().cwiseAbs() * x.template cast<double>().cwiseAbs()).maxCoeff();
  return (y.template cast<double>() - expected).cwiseAbs().maxCoeff() / scale;
}
}  // namespace

// small_matvec splits the depth over independent accumulators and the rows into packets, register
// panels and a scalar tail: sizes here reach each case (a tail only, one row, a depth that is not a
// multiple of the accumulator count or shorter than it, more rows than one panel).
BOOST_AUTO_TEST_CASE(small_matvec_matches_eigen_at_every_shape) {
  for (bool in_place : {false, true}) {
    BOOST_TEST((small_matvec_error<float, 1, 1>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 1, 16>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 3, 7>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 4, 32>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 10, 51>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 17, 5>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 32, 16>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<float, 200, 9>(in_place) < 1e-6));
    BOOST_TEST((small_matvec_error<double, 5, 13>(in_place) < 1e-14));
    BOOST_TEST((small_matvec_error<double, 64, 33>(in_place) < 1e-14));
    BOOST_TEST((small_matvec_error<double, 131, 3>(in_place) < 1e-14));
  }
}

namespace {
// small_matvec_alternating over a matrix larger than the L1 cache it plans for, both orders: the same
// bits either way (each output is the same sum), and Eigen's product to rounding.
template <class Scalar, int Rows, int Depth>
double alternating_error() {
  using A = Eigen::Matrix<Scalar, Rows, Depth>;
  using V = Eigen::Matrix<Scalar, Rows, 1>;
  static_assert(sizeof(A) > ctnn::detail::l1_data_bytes, "a matrix the alternating order is for");
  const auto a = std::make_unique<A>(A::Random());
  const Eigen::Matrix<Scalar, Depth, 1> x = Eigen::Matrix<Scalar, Depth, 1>::Random();
  const V init = V::Random();
  V forwards = V::Constant(std::numeric_limits<Scalar>::quiet_NaN()), backwards = forwards;
  ctnn::detail::small_matvec_alternating(*a, x, forwards.data(), init.data(), false);
  backwards = init;
  ctnn::detail::small_matvec_alternating(*a, x, backwards.data(), backwards.data(), true);
  BOOST_TEST((forwards.array() == backwards.array()).all());
  const Eigen::MatrixXd expected =
      init.template cast<double>() + a->template cast<double>() * x.template cast<double>();
  const double scale =
      1.0 + (a->template cast<double>().cwiseAbs() * x.template cast<double>().cwiseAbs()).maxCoeff();
  return (forwards.template cast<double>() - expected).cwiseAbs().maxCoeff() / scale;
}
}  // namespace

// LSTM<64>'s and GRU<64>'s recurrent kernels in float, a SimpleRNN<96>'s and an LSTM<64>'s in double.
BOOST_AUTO_TEST_CASE(the_alternating_product_is_the_same_in_either_order) {
  BOOST_TEST((alternating_error<float, 256, 64>() < 1e-6));
  BOOST_TEST((alternating_error<float, 192, 64>() < 1e-6));
  BOOST_TEST((alternating_error<double, 96, 96>() < 1e-14));
  BOOST_TEST((alternating_error<double, 256, 64>() < 1e-14));
}

// Which kernel runs the products: OpenBLAS's unless the build's Eigen code is AVX-512 and OpenBLAS's
// kernel is not (docs/performance.md, "Which kernel").
BOOST_AUTO_TEST_CASE(the_kernel_choice_follows_the_measurements) {
  using ctnn::detail::openblas_kernel_is_faster;
  using ctnn::detail::simd_level;
  for (bool half : {false, true}) {
    for (const char* core : {"Haswell", "Zen", "Nehalem", "SkylakeX", "COOPERLAKE", "sapphirerapids"}) {
      BOOST_TEST(openblas_kernel_is_faster(core, simd_level::sse, half));
      BOOST_TEST(openblas_kernel_is_faster(core, simd_level::avx2, half));
      BOOST_TEST(openblas_kernel_is_faster(core, simd_level::avx512, true));  // Zen 4: OpenBLAS's kernels win
    }
  }
  BOOST_TEST(openblas_kernel_is_faster("SkylakeX", simd_level::avx512, false));
  BOOST_TEST(openblas_kernel_is_faster("Cooperlake", simd_level::avx512, false));
  BOOST_TEST(openblas_kernel_is_faster("SapphireRapids", simd_level::avx512, false));
  BOOST_TEST(
      !openblas_kernel_is_faster("Haswell", simd_level::avx512, false));  // Zen 5: Eigen's AVX-512 wins
  BOOST_TEST(!openblas_kernel_is_faster("Zen", simd_level::avx512, false));
  BOOST_TEST(!openblas_kernel_is_faster("", simd_level::avx512, false));
  BOOST_TEST_MESSAGE("this CPU's AVX-512 is "
                     << (ctnn::detail::avx512_is_half_width() ? "half width" : "full width or absent"));
#ifdef CTNN_USE_OPENBLAS
  BOOST_TEST_MESSAGE("OpenBLAS kernel " << openblas_get_corename() << ", Eigen compiled for "
                                        << static_cast<int>(ctnn::detail::eigen_simd)
                                        << " (0 SSE, 1 AVX2, 2 AVX-512): "
                                        << (ctnn::detail::openblas_is_faster() ? "OpenBLAS" : "Eigen")
                                        << " runs the large products");
#endif
}
