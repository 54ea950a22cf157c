// Tests for ctnn/optimizers/adam.hpp: the first step by hand, three steps against a scalar reference.
#define BOOST_TEST_MODULE adam
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/optimizers/adam.hpp>
#include <stdexcept>

#include "optimizers/support.hpp"

using boost::test_tools::tolerance;

BOOST_AUTO_TEST_CASE(first_step_moves_each_weight_by_about_the_learning_rate) {
  // m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1: the step is lr * sign(g) (up to epsilon).
  const auto w = run_steps(ctnn::Adam{.learning_rate = 0.1}, {1, -2, 3}, {{0.5, -0.25, 0.0}});
  BOOST_TEST(w[0][0] == 0.9, tolerance(1e-5));
  BOOST_TEST(w[0][1] == -1.9, tolerance(1e-5));
  BOOST_TEST(w[0][2] == 3.0);
}

BOOST_AUTO_TEST_CASE(three_steps_against_a_scalar_reference) {
  const ctnn::Adam spec{
      .learning_rate = 0.01, .beta_1 = 0.8, .beta_2 = 0.99, .epsilon = 1e-3, .weight_decay = 0.05};
  const std::vector<std::array<double, 3>> grads{{0.5, -0.25, 1.0}, {-0.1, 0.3, 2.0}, {0.2, 0.2, -1.0}};
  const auto w = run_steps(spec, {1, -2, 3}, grads);
  double ref[3] = {1, -2, 3}, m[3] = {}, v[3] = {};
  for (std::size_t t = 1; t <= 3; ++t) {
    for (int i = 0; i < 3; ++i) {
      const double g = grads[t - 1][i] + 0.05 * ref[i];
      m[i] = 0.8 * m[i] + 0.2 * g;
      v[i] = 0.99 * v[i] + 0.01 * g * g;
      const double alpha = 0.01 * std::sqrt(1 - std::pow(0.99, t)) / (1 - std::pow(0.8, t));
      ref[i] -= alpha * m[i] / (std::sqrt(v[i]) + 1e-3);
      BOOST_TEST(w[t - 1][i] == ref[i], tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(keras_defaults) {
  const ctnn::Adam a;
  BOOST_TEST(a.learning_rate == 0.001);
  BOOST_TEST(a.beta_1 == 0.9);
  BOOST_TEST(a.beta_2 == 0.999);
  BOOST_TEST(a.epsilon == 1e-7);
}
