// Tests for ctnn/concepts.hpp: which types are layer specs and losses.
#define BOOST_TEST_MODULE concepts
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>

using namespace ctnn;

struct not_a_layer {};
static_assert(LayerSpec<Dense<3>> && LayerSpec<ReLU> && LayerSpec<Softmax> && LayerSpec<Flatten>);
static_assert(LayerSpec<Dropout<0.5>> && LayerSpec<LeakyReLU<0.1>>);
static_assert(!LayerSpec<int> && !LayerSpec<not_a_layer> && !LayerSpec<Input<3>>);
static_assert(Loss<MeanSquaredError> && Loss<CategoricalCrossEntropy> && !Loss<Dense<3>>);
static_assert(std::is_same_v<detail::state_of<Dense<3>::bind<shape<4>, float>, 8>::type, detail::no_state>);
static_assert(
    !std::is_same_v<detail::state_of<Dropout<0.5>::bind<shape<4>, float>, 8>::type, detail::no_state>);

BOOST_AUTO_TEST_CASE(tensor_info_size) {
  BOOST_TEST((tensor_info{"kernel", 0, 3, 4}.size() == 12u));
}
