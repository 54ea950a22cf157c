// Tests for ctnn/testing/gradient_check.hpp, through a layer written outside ctnn: a user's layer
// that follows the contract in docs/concepts.md works in a Sequential, and the checker passes it when
// its backward is right and fails it when its backward is wrong.
#define BOOST_TEST_MODULE gradient_check
#include <ctnn/ctnn.hpp>

#include "support/check.hpp"

namespace {
/// y = x^2 element-wise; with Wrong, backward forgets the factor 2.
template <bool Wrong>
struct Square {
  static constexpr std::string_view name = "Square";
  template <ctnn::Shape In>
  static constexpr bool check() {
    return true;
  }
  template <ctnn::Shape In>
  using output_shape = In;
  template <ctnn::Shape In, class Scalar>
  struct bind : ctnn::parameterless<In> {
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, ctnn::context<Scalar>&) noexcept {
      y = x.cwiseProduct(x);
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X& x, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, ctnn::context<Scalar>&) noexcept {
      if (need_dx) dx = (Wrong ? 1 : 2) * dy.cwiseProduct(x);
    }
  };
};
}  // namespace

static_assert(ctnn::LayerSpec<Square<false>>);

BOOST_AUTO_TEST_CASE(a_right_custom_layer_passes) {
  CTNN_CHECK_GRADIENTS((ctnn::testing::check_layer_gradients<Square<false>, ctnn::shape<6>, 3>()));
}

BOOST_AUTO_TEST_CASE(a_wrong_backward_is_caught) {
  const auto report = ctnn::testing::check_layer_gradients<Square<true>, ctnn::shape<6>, 3>();
  BOOST_TEST(report.input > 0.1);
}

BOOST_AUTO_TEST_CASE(a_wrong_parameter_gradient_is_caught_through_a_network) {
  // The custom layer before a Dense: the Dense's parameter gradients are right, the input gradient
  // is wrong because it flows back through the wrong layer.
  using Net = ctnn::basic_sequential<double, ctnn::Input<4>, Square<true>, ctnn::Dense<3>>;
  Net net(1);
  const Eigen::Matrix<double, 4, Eigen::Dynamic> x = Eigen::Matrix<double, 4, Eigen::Dynamic>::Random(4, 2);
  const Eigen::Matrix<double, 3, 2> t = Eigen::Matrix<double, 3, 2>::Random();
  const auto report = ctnn::testing::check_network_gradients<Net, 2>(net, x, ctnn::MeanSquaredError{}, t);
  BOOST_TEST(report.parameters < gradient_tolerance);
  BOOST_TEST(report.input > 0.1);
}
