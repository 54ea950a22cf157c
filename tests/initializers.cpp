// Tests for ctnn/initializers.hpp.
#define BOOST_TEST_MODULE initializers
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/initializers.hpp>
#include <vector>

namespace {
struct moments {
  double mean = 0, var = 0, max_abs = 0;
};
template <class Init>
moments draw(std::size_t fan_in, std::size_t fan_out, std::uint64_t seed = 5) {
  std::vector<double> w(fan_in * fan_out);
  ctnn::random_engine rng(seed);
  Init::fill(w.data(), w.size(), fan_in, fan_out, rng);
  moments m;
  for (double x : w) m.mean += x / static_cast<double>(w.size());
  for (double x : w) {
    m.var += (x - m.mean) * (x - m.mean) / static_cast<double>(w.size());
    m.max_abs = std::max(m.max_abs, std::abs(x));
  }
  return m;
}
}  // namespace

BOOST_AUTO_TEST_CASE(glorot_uniform_limit_and_variance) {
  const auto m = draw<ctnn::GlorotUniform>(784, 512);
  const double limit = std::sqrt(6.0 / (784 + 512));
  BOOST_TEST(m.max_abs <= limit);
  BOOST_TEST(m.max_abs > 0.99 * limit);
  BOOST_TEST(m.var == limit * limit / 3, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(he_normal_is_truncated_with_the_asked_deviation) {
  const auto m = draw<ctnn::HeNormal>(784, 128);
  const double sd = std::sqrt(2.0 / 784);
  BOOST_TEST(std::sqrt(m.var) == sd, boost::test_tools::tolerance(0.02));
  BOOST_TEST(m.max_abs <= 2 * sd / 0.87962566103423978 + 1e-12);
}

BOOST_AUTO_TEST_CASE(he_uniform_and_glorot_normal_variances) {
  BOOST_TEST(draw<ctnn::HeUniform>(300, 100).var == 2.0 / 300, boost::test_tools::tolerance(0.03));
  BOOST_TEST(draw<ctnn::GlorotNormal>(300, 100).var == 2.0 / 400, boost::test_tools::tolerance(0.03));
}

BOOST_AUTO_TEST_CASE(deterministic_from_the_seed) {
  std::vector<float> a(100), b(100), c(100);
  ctnn::random_engine r1(9), r2(9), r3(10);
  ctnn::GlorotUniform::fill(a.data(), a.size(), 10, 10, r1);
  ctnn::GlorotUniform::fill(b.data(), b.size(), 10, 10, r2);
  ctnn::GlorotUniform::fill(c.data(), c.size(), 10, 10, r3);
  BOOST_TEST(a == b);
  BOOST_TEST(a != c);
}
