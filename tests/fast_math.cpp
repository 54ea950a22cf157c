// Tests for ctnn/detail/fast_math.hpp (Activations::fast): tanh within 5.5e-6 and the logistic within
// 2.8e-6 of the exact values (the approximation's 5.0e-6 and 2.5e-6, and float rounding), over a dense grid
// of floats and the extremes, both through Eigen's packets (the reciprocal estimate and its Newton step) and
// the scalar tail.
#define BOOST_TEST_MODULE fast_math
#include <cmath>
#include <ctnn/detail/fast_math.hpp>
#include <limits>

#include <boost/test/unit_test.hpp>

namespace {

// The largest |f(x) - exact(x)| over x in [-20, 20] every 1e-4 and at the extremes, evaluated as
// one Eigen array (whole packets, then a tail of fewer than a packet's values).
template <class Op, class Exact>
double worst_error(Exact exact) {
  constexpr int n = 400001;
  Eigen::ArrayXf x(n + 6);
  for (int i = 0; i < n; ++i) x[i] = -20.0f + 1e-4f * static_cast<float>(i);
  const float big = std::numeric_limits<float>::max(), inf = std::numeric_limits<float>::infinity();
  x.tail(6) << big, -big, inf, -inf, std::numeric_limits<float>::denorm_min(), 0.0f;
  const Eigen::ArrayXf y = x.unaryExpr(Op{});
  double worst = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double e = std::abs(double(y[i]) - exact(double(x[i])));
    worst = std::isfinite(e) && worst >= e ? worst : e;
  }
  // every value once more alone: the scalar path
  for (Eigen::Index i = 0; i < x.size(); i += 7) {
    const double e = std::abs(double(Op{}(x[i])) - exact(double(x[i])));
    worst = std::isfinite(e) && worst >= e ? worst : e;
  }
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fast_tanh_is_within_its_bound) {
  const double worst = worst_error<ctnn::detail::fast_tanh_op<float>>([](double x) { return std::tanh(x); });
  BOOST_TEST_MESSAGE("fast tanh: largest error " << worst);
  BOOST_TEST(worst <= 5.5e-6);
}

BOOST_AUTO_TEST_CASE(fast_sigmoid_is_within_its_bound) {
  const double worst =
      worst_error<ctnn::detail::fast_sigmoid_op<float>>([](double x) { return 1 / (1 + std::exp(-x)); });
  BOOST_TEST_MESSAGE("fast sigmoid: largest error " << worst);
  BOOST_TEST(worst <= 2.8e-6);
}

BOOST_AUTO_TEST_CASE(fast_tanh_is_odd_monotone_and_bounded) {
  float previous = -2;
  for (float x = -8; x <= 8; x += 1e-3f) {
    const float y = ctnn::detail::fast::tanh(x);
    BOOST_TEST(std::abs(y) <= 1.0f);
    BOOST_TEST(y >= previous - 5e-7f);  // never falls by more than rounding
    BOOST_TEST(ctnn::detail::fast::tanh(-x) == -y);
    previous = y;
  }
}

BOOST_AUTO_TEST_CASE(double_is_within_the_same_bound) {
  double worst = 0;
  for (double x = -12; x <= 12; x += 1e-4)
    worst = std::max(worst, std::abs(ctnn::detail::fast::tanh(x) - std::tanh(x)));
  BOOST_TEST(worst <= 5.5e-6);
}
