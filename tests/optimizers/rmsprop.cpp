// Tests for ctnn/optimizers/rmsprop.hpp.
#define BOOST_TEST_MODULE rmsprop
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/optimizers/rmsprop.hpp>
#include <stdexcept>

#include "optimizers/support.hpp"

using boost::test_tools::tolerance;

BOOST_AUTO_TEST_CASE(first_step_by_hand) {
  // a = 0.1 g^2, so the step is lr g / sqrt(0.1 g^2 + eps) = lr / sqrt(0.1) sign(g), nearly.
  const auto w = run_steps(ctnn::RMSprop{.learning_rate = 0.01}, {1, -2, 3}, {{0.5, -0.25, 0.0}});
  BOOST_TEST(w[0][0] == 1 - 0.01 * 0.5 / std::sqrt(0.1 * 0.25 + 1e-7), tolerance(1e-12));
  BOOST_TEST(w[0][0] == 1 - 0.0316228, tolerance(1e-5));
  BOOST_TEST(w[0][1] == -2 + 0.0316228, tolerance(1e-5));
  BOOST_TEST(w[0][2] == 3.0);
}

BOOST_AUTO_TEST_CASE(three_steps_against_a_scalar_reference) {
  const ctnn::RMSprop spec{.learning_rate = 0.02, .rho = 0.8, .epsilon = 1e-4, .weight_decay = 0.1};
  const std::vector<std::array<double, 3>> grads{{0.5, -0.25, 1.0}, {-0.1, 0.3, 2.0}, {0.2, 0.2, -1.0}};
  const auto w = run_steps(spec, {1, -2, 3}, grads);
  double ref[3] = {1, -2, 3}, a[3] = {};
  for (std::size_t t = 0; t < 3; ++t)
    for (int i = 0; i < 3; ++i) {
      const double g = grads[t][i] + 0.1 * ref[i];
      a[i] = 0.8 * a[i] + 0.2 * g * g;
      ref[i] -= 0.02 * g / std::sqrt(a[i] + 1e-4);
      BOOST_TEST(w[t][i] == ref[i], tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(keras_defaults) {
  const ctnn::RMSprop r;
  BOOST_TEST(r.learning_rate == 0.001);
  BOOST_TEST(r.rho == 0.9);
  BOOST_TEST(r.epsilon == 1e-7);
}
