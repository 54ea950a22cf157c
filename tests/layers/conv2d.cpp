// Tests for ctnn/layers/conv2d.hpp: Keras' output shapes and parameter counts, forward against a
// direct convolution written out loop by loop, and gradient checks.
#define BOOST_TEST_MODULE conv2d
#include <ctnn/ctnn.hpp>
#include <memory>

#include "support/check.hpp"

using namespace ctnn;

// Keras' shapes: valid floor((H - K) / S) + 1, same ceil(H / S).
static_assert(std::is_same_v<Conv2D<32, 3, 3>::output_shape<shape<28, 28, 1>>, shape<26, 26, 32>>);
static_assert(
    std::is_same_v<Conv2D<8, 3, 3, Padding::same>::output_shape<shape<32, 32, 3>>, shape<32, 32, 8>>);
static_assert(
    std::is_same_v<Conv2D<4, 3, 3, Padding::valid, 2>::output_shape<shape<7, 8, 2>>, shape<3, 3, 4>>);
static_assert(
    std::is_same_v<Conv2D<4, 3, 2, Padding::same, 2>::output_shape<shape<7, 5, 2>>, shape<4, 3, 4>>);
static_assert(Conv2D<32, 3, 3>::bind<shape<28, 28, 1>, float>::parameter_count == 320);
static_assert(Conv2D<64, 3, 3>::bind<shape<26, 26, 32>, float>::parameter_count == 18'496);

// The MNIST and CIFAR-10 CNNs of the seed recipes, without their Dropout layers, as Keras counts them.
using MnistCnn = Sequential<Input<28, 28, 1>, Conv2D<32, 3, 3>, ReLU, Conv2D<64, 3, 3>, ReLU, MaxPool2D<2, 2>,
                            Flatten, Dense<128>, ReLU, Dense<10>, Softmax>;
using CifarCnn = Sequential<Input<32, 32, 3>, Conv2D<32, 3, 3, Padding::same>, ReLU, Conv2D<32, 3, 3>, ReLU,
                            MaxPool2D<2, 2>, Conv2D<64, 3, 3, Padding::same>, ReLU, Conv2D<64, 3, 3>, ReLU,
                            MaxPool2D<2, 2>, Flatten, Dense<512>, ReLU, Dense<10>, Softmax>;
static_assert(MnistCnn::parameter_count == 1'199'882);
static_assert(CifarCnn::parameter_count == 1'250'858);
static_assert(std::is_same_v<MnistCnn::shape_at<5>, shape<12, 12, 64>>);
static_assert(std::is_same_v<CifarCnn::shape_at<10>, shape<6, 6, 64>>);

namespace {
// y(oh, ow, f) = b(f) + sum W(f, (kh, kw, c)) x(oh S - pad + kh, ow S - pad + kw, c), zero outside.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH, std::size_t KW,
          Padding P, std::size_t S>
Eigen::VectorXd direct(const Eigen::MatrixXd& w, const Eigen::VectorXd& b, const Eigen::VectorXd& x) {
  using B = typename Conv2D<F, KH, KW, P, S>::template bind<shape<H, W, C>, double>;
  Eigen::VectorXd y(B::output_shape::size);
  for (std::size_t oh = 0; oh < B::OH; ++oh)
    for (std::size_t ow = 0; ow < B::OW; ++ow)
      for (std::size_t f = 0; f < F; ++f) {
        double sum = b[static_cast<Eigen::Index>(f)];
        for (std::size_t kh = 0; kh < KH; ++kh)
          for (std::size_t kw = 0; kw < KW; ++kw)
            for (std::size_t c = 0; c < C; ++c) {
              const long ih = static_cast<long>(oh * S + kh) - static_cast<long>(B::rows::pad_before);
              const long iw = static_cast<long>(ow * S + kw) - static_cast<long>(B::cols::pad_before);
              if (ih < 0 || iw < 0 || ih >= static_cast<long>(H) || iw >= static_cast<long>(W)) continue;
              sum += w(static_cast<Eigen::Index>(f), static_cast<Eigen::Index>((kh * KW + kw) * C + c)) *
                     x[static_cast<Eigen::Index>(
                         (static_cast<std::size_t>(ih) * W + static_cast<std::size_t>(iw)) * C + c)];
            }
        y[static_cast<Eigen::Index>((oh * B::OW + ow) * F + f)] = sum;
      }
  return y;
}

template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH, std::size_t KW,
          Padding P, std::size_t S>
double forward_error() {
  using Net = basic_sequential<double, Input<H, W, C>, Conv2D<F, KH, KW, P, S>>;
  auto net = std::make_unique<Net>(3);
  net->template layer<0>().bias().setRandom();
  auto ws = std::make_unique<typename Net::template workspace<3>>();
  const Eigen::Matrix<double, Net::input_shape::size, Eigen::Dynamic> x =
      Eigen::Matrix<double, Net::input_shape::size, Eigen::Dynamic>::Random(Net::input_shape::size, 3);
  const Eigen::MatrixXd y = net->forward(*ws, x);
  const Eigen::MatrixXd w = net->template layer<0>().weights();
  const Eigen::VectorXd b = net->template layer<0>().bias();
  double worst = 0;
  for (Eigen::Index j = 0; j < 3; ++j) {
    worst =
        std::max(worst, (y.col(j) - direct<H, W, C, F, KH, KW, P, S>(w, b, x.col(j))).cwiseAbs().maxCoeff());
    const Eigen::Matrix<double, Net::input_shape::size, 1> sample = x.col(j);
    worst = std::max(worst, (net->predict(sample) - y.col(j)).cwiseAbs().maxCoeff());  // batch 1 too
  }
  return worst;
}
}  // namespace

BOOST_AUTO_TEST_CASE(forward_equals_a_direct_convolution) {
  BOOST_TEST((forward_error<5, 6, 2, 3, 3, 3, Padding::valid, 1>() < 1e-12));
  BOOST_TEST((forward_error<6, 6, 1, 2, 3, 3, Padding::same, 1>() < 1e-12));
  BOOST_TEST((forward_error<7, 5, 3, 4, 3, 2, Padding::same, 2>() < 1e-12));
  BOOST_TEST((forward_error<8, 7, 2, 2, 2, 3, Padding::valid, 2>() < 1e-12));
  BOOST_TEST((forward_error<4, 4, 3, 5, 4, 4, Padding::same, 3>() < 1e-12));
}

BOOST_AUTO_TEST_CASE(gradients_stride_padding_odd_sizes_one_and_many_channels) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<3, 3, 3>, shape<5, 6, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<2, 3, 3>, shape<7, 7, 1>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<4, 3, 3, Padding::same>, shape<5, 5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<2, 3, 2, Padding::same, 2>, shape<7, 5, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<3, 2, 2, Padding::valid, 2>, shape<9, 8, 4>, 1>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Conv2D<1, 1, 1>, shape<3, 3, 5>, 2>()));
}

BOOST_AUTO_TEST_CASE(a_small_cnn_with_its_loss) {
  using Net =
      basic_sequential<double, Input<8, 8, 2>, Conv2D<3, 3, 3, Padding::same>, ReLU,
                       Conv2D<4, 3, 3, Padding::valid, 2>, Tanh, MaxPool2D<2, 2>, Flatten, Dense<5>, Softmax>;
  Net net(4);
  const Eigen::Matrix<double, 128, Eigen::Dynamic> x =
      Eigen::Matrix<double, 128, Eigen::Dynamic>::Random(128, 3);
  const std::vector<int> y{1, 4, 0};
  CTNN_CHECK_GRADIENTS(
      (testing::check_network_gradients<Net, 3>(net, x, SparseCategoricalCrossEntropy{}, y)));
}
