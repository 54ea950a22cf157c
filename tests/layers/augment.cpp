// Tests for ctnn/layers/augment.hpp: RandomFlip and RandomTranslation.
#define BOOST_TEST_MODULE augment
#include <algorithm>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <set>

#include "support/check.hpp"

using namespace ctnn;

namespace {
// A 4x5 image with 2 channels whose every value says where it is: 100 h + 10 w + c.
Eigen::Matrix<float, 40, 1> coded_image() {
  Eigen::Matrix<float, 40, 1> x;
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 5; ++w)
      for (int c = 0; c < 2; ++c) x((h * 5 + w) * 2 + c) = static_cast<float>(100 * h + 10 * w + c);
  return x;
}
float at(const Eigen::Ref<const Eigen::VectorXf>& v, int h, int w, int c) {
  return v((h * 5 + w) * 2 + c);
}
}  // namespace

BOOST_AUTO_TEST_CASE(identity_in_inference) {
  using Net = Sequential<Input<4, 5, 2>, RandomFlip, RandomTranslation<0.5>>;
  Net net;
  const auto x = coded_image();
  BOOST_TEST((net.predict(x) - x).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(flip_mirrors_about_half_the_images_left_to_right) {
  using Net = Sequential<Input<4, 5, 2>, RandomFlip>;
  Net net;
  auto ws = std::make_unique<Net::workspace<64>>(7);
  Eigen::Matrix<float, 40, 64> x = coded_image().replicate<1, 64>();
  const Eigen::MatrixXf y = net.forward(*ws, x, mode::training);
  int flipped = 0;
  for (int j = 0; j < 64; ++j) {
    const bool same = (y.col(j) - x.col(j)).norm() == 0.0f;
    bool mirrored = true;
    for (int h = 0; h < 4; ++h)
      for (int w = 0; w < 5; ++w)
        for (int c = 0; c < 2; ++c) mirrored &= at(y.col(j), h, w, c) == at(x.col(j), h, 4 - w, c);
    BOOST_TEST((same != mirrored));
    flipped += mirrored;
  }
  BOOST_TEST(flipped > 16);
  BOOST_TEST(flipped < 48);
}

BOOST_AUTO_TEST_CASE(translation_shifts_within_its_range_and_repeats_the_edges) {
  using Net = Sequential<Input<4, 5, 2>, RandomTranslation<0.25, 0.4>>;  // up to 1 row, 2 columns
  Net net;
  auto ws = std::make_unique<Net::workspace<200>>(11);
  Eigen::Matrix<float, 40, 200> x = coded_image().replicate<1, 200>();
  const Eigen::MatrixXf y = net.forward(*ws, x, mode::training);
  std::set<std::pair<int, int>> seen;
  for (int j = 0; j < 200; ++j) {
    // The output's corner (0, 0) came from (clamp(-dy), clamp(-dx)); find the shift from the middle.
    const int src_h = static_cast<int>(at(y.col(j), 2, 2, 0)) / 100;
    const int src_w = static_cast<int>(at(y.col(j), 2, 2, 0)) % 100 / 10;
    const int dy = 2 - src_h, dx = 2 - src_w;
    BOOST_TEST(std::abs(dy) <= 1);
    BOOST_TEST(std::abs(dx) <= 2);
    seen.insert({dy, dx});
    for (int h = 0; h < 4; ++h)
      for (int w = 0; w < 5; ++w)
        for (int c = 0; c < 2; ++c) {
          const int sh = std::clamp(h - dy, 0, 3), sw = std::clamp(w - dx, 0, 4);
          BOOST_TEST(at(y.col(j), h, w, c) == at(x.col(j), sh, sw, c));
        }
  }
  BOOST_TEST(seen.size() == 15u);  // every shift in [-1, 1] x [-2, 2] occurs
}

BOOST_AUTO_TEST_CASE(gradients) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<RandomFlip, shape<3, 4, 2>, 6>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<RandomFlip, shape<3, 4, 2>, 2>(1, 1e-5, mode::inference)));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<RandomTranslation<0.4, 0.3>, shape<5, 7, 3>, 6>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<RandomTranslation<0.5>, shape<4, 4, 1>, 5>(3)));
  using Cnn = basic_sequential<double, Input<6, 6, 2>, RandomFlip, RandomTranslation<0.2>, Conv2D<3, 3, 3>,
                               ReLU, Flatten, Dense<4>, Softmax>;
  Cnn net(5);
  const Eigen::Matrix<double, 72, Eigen::Dynamic> x = Eigen::Matrix<double, 72, 3>::Random();
  Eigen::Matrix<double, 4, 3> t = Eigen::Matrix<double, 4, 3>::Zero();
  t(0, 0) = t(2, 1) = t(3, 2) = 1;
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<Cnn, 3>(net, x, CategoricalCrossEntropy{}, t)));
}
