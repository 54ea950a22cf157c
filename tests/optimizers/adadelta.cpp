// Tests for ctnn/optimizers/adadelta.hpp: the vectorised path and the weight-decay path, each against
// a scalar reference, and the first step by hand.
#define BOOST_TEST_MODULE adadelta
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/optimizers/adadelta.hpp>
#include <stdexcept>

#include "optimizers/support.hpp"

using boost::test_tools::tolerance;

BOOST_AUTO_TEST_CASE(first_step_by_hand) {
  // a = 0.05 g^2, d = -sqrt(eps) / sqrt(a + eps) g, w += d.
  const auto w = run_steps(ctnn::Adadelta{}, {1, -2, 3}, {{0.5, -0.25, 0.0}});
  BOOST_TEST(w[0][0] == 1 - std::sqrt(1e-7) / std::sqrt(0.05 * 0.25 + 1e-7) * 0.5, tolerance(1e-12));
  BOOST_TEST(w[0][0] == 1 - 0.00141421, tolerance(1e-6));
  BOOST_TEST(w[0][2] == 3.0);
}

void against_reference(double decay) {
  const ctnn::Adadelta spec{.learning_rate = 0.5, .rho = 0.9, .epsilon = 1e-3, .weight_decay = decay};
  const std::vector<std::array<double, 3>> grads{{0.5, -0.25, 1.0}, {-0.1, 0.3, 2.0}, {0.2, 0.2, -1.0}};
  const auto w = run_steps(spec, {1, -2, 3}, grads);
  double ref[3] = {1, -2, 3}, a[3] = {}, u[3] = {};
  for (std::size_t t = 0; t < 3; ++t)
    for (int i = 0; i < 3; ++i) {
      const double g = grads[t][i] + decay * ref[i];
      a[i] = 0.9 * a[i] + 0.1 * g * g;
      const double d = -std::sqrt(u[i] + 1e-3) / std::sqrt(a[i] + 1e-3) * g;
      u[i] = 0.9 * u[i] + 0.1 * d * d;
      ref[i] += 0.5 * d;
      BOOST_TEST(w[t][i] == ref[i], tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(three_steps_against_a_scalar_reference) {
  against_reference(0.0);
}
BOOST_AUTO_TEST_CASE(three_steps_with_weight_decay) {
  against_reference(0.1);
}

BOOST_AUTO_TEST_CASE(classic_keras_defaults) {
  const ctnn::Adadelta a;
  BOOST_TEST(a.learning_rate == 1.0);
  BOOST_TEST(a.rho == 0.95);
  BOOST_TEST(a.epsilon == 1e-7);
}
