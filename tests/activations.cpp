// Tests for ctnn/activations.hpp.
#define BOOST_TEST_MODULE activations
#include <cmath>
#include <ctnn/ctnn.hpp>

#include "support/check.hpp"

using namespace ctnn;

namespace {
template <class Act>
Eigen::Matrix<double, 7, 1> apply(const Eigen::Matrix<double, 7, 1>& x) {
  typename Sequential<Input<7>, Act>::template rebind<double> net;
  return net.predict(x);
}
const Eigen::Matrix<double, 7, 1> probe =
    (Eigen::Matrix<double, 7, 1>() << -3, -1, -0.2, 0.0, 0.3, 1, 4).finished();
}  // namespace

BOOST_AUTO_TEST_CASE(values_match_their_definitions) {
  const auto relu = apply<ReLU>(probe), leaky = apply<LeakyReLU<0.1>>(probe),
             leaky_default = apply<LeakyReLU<>>(probe);
  const auto elu = apply<ELU<>>(probe), elu_half = apply<ELU<0.5>>(probe);
  const auto sig = apply<Sigmoid>(probe), th = apply<Tanh>(probe), lin = apply<Linear>(probe);
  for (int i = 0; i < 7; ++i) {
    const double x = probe[i];
    BOOST_TEST(relu[i] == std::max(x, 0.0));
    BOOST_TEST(leaky[i] == (x > 0 ? x : 0.1 * x), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(leaky_default[i] == (x > 0 ? x : 0.3 * x), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(elu[i] == (x > 0 ? x : std::expm1(x)), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(elu_half[i] == (x > 0 ? x : 0.5 * std::expm1(x)), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(sig[i] == 1 / (1 + std::exp(-x)), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(th[i] == std::tanh(x), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(lin[i] == x);
  }
}

BOOST_AUTO_TEST_CASE(softmax_is_a_distribution_even_for_huge_logits) {
  Sequential<Input<4>, Softmax> net;
  Eigen::Matrix<float, 4, 1> x(1e4f, -1e4f, 0.0f, 9999.0f);
  const auto p = net.predict(x);
  BOOST_TEST(p.allFinite());
  BOOST_TEST(p.sum() == 1.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(p[0] == 1.0f / (1.0f + std::exp(-1.0f)), boost::test_tools::tolerance(1e-5f));
  Eigen::Matrix<float, 4, 1> small(0.1f, 0.2f, 0.3f, 0.4f);
  const auto q = net.predict(small);
  const double denom = std::exp(0.1) + std::exp(0.2) + std::exp(0.3) + std::exp(0.4);
  BOOST_TEST(q[3] == std::exp(0.4) / denom, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(gradients_of_every_activation) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<ReLU, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<LeakyReLU<0.2>, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<ELU<>, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Sigmoid, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Tanh, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Linear, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Softmax, shape<5>, 4>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Softmax, shape<1>, 2>()));
  // Element-wise activations work on any rank.
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Tanh, shape<2, 3, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<ReLU, shape<3, 3>, 1>()));
}
