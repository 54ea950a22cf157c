// Tests for ctnn/core.hpp: a network with blocks trains a step and predicts with the core alone, and
// the core brings none of the trainer's threads, files or printing.
#define BOOST_TEST_MODULE core
#include <ctnn/core.hpp>

// Checked before Boost.Test's own includes, which bring <iostream>. libstdc++'s include guards.
#ifdef __GLIBCXX__
#if defined(_GLIBCXX_THREAD) || defined(_GLIBCXX_IOSTREAM) || defined(_GLIBCXX_FSTREAM) || \
    defined(_GLIBCXX_FILESYSTEM) || defined(_GLIBCXX_MUTEX) || defined(_GLIBCXX_CONDITION_VARIABLE)
#error "ctnn/core.hpp must not include <thread>, <iostream>, <fstream>, <filesystem> or <mutex>"
#endif
#endif

#include <boost/test/unit_test.hpp>
#include <memory>
#include <vector>

using namespace ctnn;

BOOST_AUTO_TEST_CASE(a_block_network_learns_a_step_and_predicts_with_the_core_alone) {
  using Net = Sequential<Input<6>, Dense<8>, Tanh, Residual<Dense<8>, Tanh>, Dense<2>, Softmax>;
  auto net = std::make_unique<Net>(1);
  auto ws = std::make_unique<Net::workspace<4>>();
  const Eigen::Matrix<float, 6, 4> x = Eigen::Matrix<float, 6, 4>::Random();
  const std::vector<int> y{0, 1, 1, 0};
  net->forward(*ws, x, mode::training);
  const float before = net->loss(*ws, SparseCategoricalCrossEntropy{}, y);
  for (int i = 0; i < 20; ++i) {
    net->forward(*ws, x, mode::training);
    net->backward_sgd(*ws, SparseCategoricalCrossEntropy{}, y, 0.5f);
  }
  net->forward(*ws, x);
  BOOST_TEST(net->loss(*ws, SparseCategoricalCrossEntropy{}, y) < before);
  const Net& shared = *net;
  Net::workspace<1> one;
  BOOST_TEST((shared.predict(Eigen::Matrix<float, 6, 1>(x.col(2)), one) - ws->output().col(2)).norm() <
             1e-6f);
}
