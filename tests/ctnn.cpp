// Tests for ctnn/ctnn.hpp: the umbrella header alone gives every public name the docs list.
#define BOOST_TEST_MODULE ctnn
#include <ctnn/ctnn.hpp>

#include <boost/test/unit_test.hpp>

using Everything =
    ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::Conv2D<2, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
                     ctnn::MaxPool2D<2, 2>, ctnn::AveragePool2D<1, 1>, ctnn::Flatten,
                     ctnn::Dense<6, ctnn::HeNormal>, ctnn::LeakyReLU<0.1>, ctnn::ELU<>, ctnn::Tanh,
                     ctnn::Sigmoid, ctnn::Linear, ctnn::Dropout<0.1>, ctnn::Dense<3>, ctnn::Softmax>;
static_assert(Everything::valid);

BOOST_AUTO_TEST_CASE(every_public_name_is_reachable) {
  Everything net;
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::RMSprop{});
  ctnn::optimizer<Everything, ctnn::SGD> sgd;
  ctnn::optimizer<Everything, ctnn::Adam> adam;
  ctnn::optimizer<Everything, ctnn::Adadelta> adadelta;
  ctnn::history h;
  ctnn::confusion_matrix cm(3);
  BOOST_TEST(net.predict(Eigen::Matrix<float, 64, 1>::Ones()).allFinite());
  BOOST_TEST((std::is_same_v<ctnn::labels, std::span<const int>>));
  BOOST_TEST(cm.classes() == 3u);
}
