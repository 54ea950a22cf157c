// Tests for ctnn/layers/prelu.hpp.
#define BOOST_TEST_MODULE prelu
#include <ctnn/ctnn.hpp>
#include <ctnn/testing/gradient_check.hpp>
#include <filesystem>
#include <sstream>
#include <vector>

#include "support/check.hpp"

using namespace ctnn;

// Keras' counts: PReLU() on 8 x 8 x 4 has 256 slopes, PReLU(shared_axes=[1, 2]) 4; PyTorch's PReLU() 1.
static_assert(PReLU<>::bind<shape<8, 8, 4>, float>::parameter_count == 256);
static_assert(PReLU<Slopes::per_channel>::bind<shape<8, 8, 4>, float>::parameter_count == 4);
static_assert(PReLU<Slopes::per_channel>::bind<shape<10, 3>, float>::parameter_count == 3);
static_assert(PReLU<Slopes::per_channel>::bind<shape<6>, float>::parameter_count == 6);
static_assert(PReLU<Slopes::one>::bind<shape<8, 8, 4>, float>::parameter_count == 1);
static_assert(std::is_same_v<PReLU<>::output_shape<shape<3, 5>>, shape<3, 5>>);

// The slopes of every layer, in the file's order, set to `a`.
template <class Net>
void set_slopes(Net& net, const std::vector<float>& a) {
  BOOST_TEST_REQUIRE(static_cast<std::size_t>(net.parameters().size()) >= a.size());
  std::size_t k = 0;
  net.for_each_tensor([&](std::size_t, std::string_view, const tensor_info& t, float* v, float*) {
    for (std::size_t i = 0; i < t.rows * t.cols; ++i) v[i] = a[k++];
  });
}

BOOST_AUTO_TEST_CASE(negative_values_take_their_slope_positive_ones_pass) {
  using Net = Sequential<Input<2, 3>, PReLU<Slopes::per_channel>>;  // a slope per feature
  Net net;
  set_slopes(net, {0.5f, -2.0f, 0.0f});
  Eigen::Matrix<float, 6, 1> x;
  x << -1, -1, -1, 3, 4, -5;  // step 0: features -1 -1 -1; step 1: 3 4 -5
  Eigen::Matrix<float, 6, 1> want;
  want << -0.5f, 2.0f, 0.0f, 3.0f, 4.0f, -0.0f;
  BOOST_TEST((net.predict(x) - want).norm() < 1e-7);

  using One = Sequential<Input<4>, PReLU<Slopes::one>>;
  One one;
  set_slopes(one, {0.25f});
  const Eigen::Matrix<float, 4, 1> v(-4, 0, 2, -1);
  BOOST_TEST((one.predict(v) - Eigen::Matrix<float, 4, 1>(-1, 0, 2, -0.25f)).norm() < 1e-7);

  using Each = Sequential<Input<3>, PReLU<>>;  // Keras' default: a slope per value, zeros at first
  Each each;
  BOOST_TEST((each.predict(Eigen::Matrix<float, 3, 1>(-1, 2, -3)) - Eigen::Matrix<float, 3, 1>(0, 2, 0)).norm() ==
             0.0f);
}

BOOST_AUTO_TEST_CASE(an_image_s_slopes_are_per_channel_over_its_positions) {
  using Net = Sequential<Input<2, 2, 3>, PReLU<Slopes::per_channel>>;
  Net net;
  set_slopes(net, {0.1f, 0.2f, 0.3f});
  const Eigen::Matrix<float, 12, 1> x = -Eigen::Matrix<float, 12, 1>::Ones();
  const auto y = net.predict(x);
  for (Eigen::Index i = 0; i < 12; ++i) BOOST_TEST(y[i] == -0.1f * float(i % 3 + 1), boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<PReLU<>, shape<7>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<PReLU<Slopes::per_channel>, shape<4, 4, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<PReLU<Slopes::per_channel>, shape<5, 2>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<PReLU<Slopes::one>, shape<3, 3, 2>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<PReLU<Slopes::per_value, Ones>, shape<2, 2, 2>, 4>()));
}

BOOST_AUTO_TEST_CASE(trains_saves_and_summarises) {
  using Net = Sequential<Input<4, 4, 2>, Conv2D<3, 3, 3>, PReLU<Slopes::per_channel>, Flatten, Dense<2>, PReLU<>>;
  Net net(5);
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(32, 64);
  Eigen::MatrixXf y(2, 64);
  y.row(0) = x.colwise().sum();
  y.row(1) = -x.row(0);
  trainer t(net, MeanSquaredError{}, Adam{.learning_rate = 0.01});
  const history h = t.fit(x, y, fit_options{.epochs = 30, .batch_size = 16, .verbose = 0});
  BOOST_TEST(h["loss"].back() < 0.5 * h["loss"].front());
  float moved = 0;  // the output layer's slopes, zeros at first
  net.for_each_tensor([&](std::size_t layer, std::string_view, const tensor_info& t, float* v, float*) {
    if (layer == 4)
      for (std::size_t i = 0; i < t.size(); ++i) moved = std::max(moved, std::abs(v[i]));
  });
  BOOST_TEST(moved > 0.0f);

  const std::string path = (std::filesystem::temp_directory_path() / "ctnn_prelu_test.ctnn").string();
  save(net, path);
  Net back;
  load(back, path);
  BOOST_TEST((back.parameters() - net.parameters()).norm() == 0.0f);
  std::filesystem::remove(path);

  std::ostringstream os;
  summary<Net>(os);
  BOOST_TEST(os.str().find("p_re_lu (PReLU)") != std::string::npos);
  BOOST_TEST(os.str().find("p_re_lu_1 (PReLU)") != std::string::npos);
}
