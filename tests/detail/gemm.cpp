// Tests for ctnn/detail/gemm.hpp: the product every layer relies on, against Eigen's own, in every
// transpose combination, at sizes that take both the coefficient-wise and the blocked path.
#define BOOST_TEST_MODULE gemm
#include <boost/test/unit_test.hpp>
#include <ctnn/detail/gemm.hpp>
#include <limits>

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
  const Eigen::Index sizes[][3] = {{3, 5, 7}, {64, 33, 17}, {300, 128, 200}, {129, 70, 511}};
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
