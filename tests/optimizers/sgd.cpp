// Tests for ctnn/optimizers/sgd.hpp against values computed by hand.
#define BOOST_TEST_MODULE sgd
#include <boost/test/unit_test.hpp>
#include <ctnn/optimizers/sgd.hpp>
#include <stdexcept>

#include "optimizers/support.hpp"

using boost::test_tools::tolerance;
const std::vector<std::array<double, 3>> grads{{0.5, 0.25, 0.0}, {0.5, 0.25, 0.0}};

BOOST_AUTO_TEST_CASE(plain) {
  const auto w = run_steps(ctnn::SGD{.learning_rate = 0.1}, {1, -2, 3}, grads);
  BOOST_TEST(w[0][0] == 0.95, tolerance(1e-12));
  BOOST_TEST(w[0][1] == -2.025, tolerance(1e-12));
  BOOST_TEST(w[1][0] == 0.9, tolerance(1e-12));
  BOOST_TEST(w[1][1] == -2.05, tolerance(1e-12));
  BOOST_TEST(w[1][2] == 3.0);
}

BOOST_AUTO_TEST_CASE(momentum) {  // v = 0.9 v - 0.1 g; w += v
  const auto w = run_steps(ctnn::SGD{.learning_rate = 0.1, .momentum = 0.9}, {1, -2, 3}, grads);
  BOOST_TEST(w[0][0] == 0.95, tolerance(1e-12));
  BOOST_TEST(w[1][0] == 0.855, tolerance(1e-12));
  BOOST_TEST(w[1][1] == -2.0725, tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(nesterov) {  // w += 0.9 v - 0.1 g
  const auto w =
      run_steps(ctnn::SGD{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}, {1, -2, 3}, grads);
  BOOST_TEST(w[0][0] == 0.905, tolerance(1e-12));
  BOOST_TEST(w[0][1] == -2.0475, tolerance(1e-12));
  BOOST_TEST(w[1][0] == 0.7695, tolerance(1e-12));
  BOOST_TEST(w[1][1] == -2.11525, tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(weight_decay) {  // g += 0.1 w
  const auto w = run_steps(ctnn::SGD{.learning_rate = 0.1, .weight_decay = 0.1}, {1, -2, 3}, grads);
  BOOST_TEST(w[0][0] == 0.94, tolerance(1e-12));
  BOOST_TEST(w[0][1] == -2.005, tolerance(1e-12));
  BOOST_TEST(w[0][2] == 2.97, tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(keras_defaults) {
  const ctnn::SGD s;
  BOOST_TEST(s.learning_rate == 0.01);
  BOOST_TEST(s.momentum == 0.0);
  BOOST_TEST(!s.nesterov);
}
