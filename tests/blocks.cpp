// Tests for ctnn/blocks.hpp: values by hand, gradients against finite differences (double), shapes and
// parameter counts, the fused SGD step, files, summaries and training through blocks.
#define BOOST_TEST_MODULE blocks
#include <ctnn/ctnn.hpp>
#include <filesystem>
#include <memory>
#include <sstream>

#include "support/check.hpp"

using namespace ctnn;

// Shapes and parameter counts, as Keras' functional API gives them for the same graphs.
static_assert(std::is_same_v<Residual<Dense<5>>::output_shape<shape<5>>, shape<5>>);
static_assert(std::is_same_v<Concat<Branch<Dense<3>>, Branch<>>::output_shape<shape<4>>, shape<7>>);
static_assert(std::is_same_v<Concat<Branch<Conv2D<2, 3, 3, Padding::same>>, Branch<>,
                                    Branch<MaxPool2D<1, 1>>>::output_shape<shape<6, 5, 3>>,
                             shape<6, 5, 8>>);
static_assert(std::is_same_v<
              Multiply<Branch<Dense<4>, Tanh>, Branch<Dense<4>, Sigmoid>>::output_shape<shape<9>>, shape<4>>);
// Keras: a block of two 3x3 convolutions of 16 channels on 16 channels has 2 * (3*3*16*16 + 16) = 4640.
static_assert(Sequential<Input<8, 8, 16>, Residual<Conv2D<16, 3, 3, Padding::same>, ReLU,
                                                   Conv2D<16, 3, 3, Padding::same>>>::parameter_count ==
              4640);
// A strided stage with a 1x1 projection shortcut: 16 -> 32 channels, 8x8 -> 4x4.
using Projection = Add<Branch<Conv2D<32, 1, 1, Padding::valid, 2>>,
                       Branch<Conv2D<32, 3, 3, Padding::same, 2>, ReLU, Conv2D<32, 3, 3, Padding::same>>>;
static_assert(std::is_same_v<Projection::output_shape<shape<8, 8, 16>>, shape<4, 4, 32>>);
static_assert(Sequential<Input<8, 8, 16>, Projection>::parameter_count ==
              (16 * 32 + 32) + (9 * 16 * 32 + 32) + (9 * 32 * 32 + 32));

BOOST_AUTO_TEST_CASE(residual_adds_its_input) {
  using Net = Sequential<Input<2>, Residual<Dense<2>>>;
  Net net;
  net.parameters().setZero();
  net.layer<0>().parameters()[0] = 2;  // W = [[2, 0], [0, 3]], b = [1, -1]
  net.layer<0>().parameters()[3] = 3;
  constexpr std::size_t bias = Net::layer_type<0>::chain_at<1>::layer_type<0>::b_offset;
  net.layer<0>().parameters()[bias] = 1;
  net.layer<0>().parameters()[bias + 1] = -1;
  const Eigen::Vector2f y = net.predict(Eigen::Vector2f(1, 2));
  BOOST_TEST(y[0] == 1 + 2 * 1 + 1);
  BOOST_TEST(y[1] == 2 + 3 * 2 - 1);
}

BOOST_AUTO_TEST_CASE(concat_joins_channels_pixel_by_pixel) {
  // A 1x2 image of two channels; branch 2 scales it by 10 (a 1x1 convolution of one output channel
  // that reads channel 0). The output's channels are, per pixel: the input's two, then branch 2's.
  using Net = Sequential<Input<1, 2, 2>, Concat<Branch<>, Branch<Conv2D<1, 1, 1>>>>;
  Net net;
  net.parameters().setZero();
  net.parameters()[0] = 10;
  Eigen::Matrix<float, 4, 1> x;
  x << 1, 2, 3, 4;  // pixel 0: (1, 2), pixel 1: (3, 4)
  const Eigen::Matrix<float, 6, 1> y = net.predict(x);
  const Eigen::Matrix<float, 6, 1> want = (Eigen::Matrix<float, 6, 1>() << 1, 2, 10, 3, 4, 30).finished();
  BOOST_TEST((y.array() == want.array()).all());
}

BOOST_AUTO_TEST_CASE(multiply_gates_element_by_element) {
  using Net = Sequential<Input<3>, Multiply<Branch<>, Branch<Linear>, Branch<Tanh>>>;
  Net net;
  const Eigen::Vector3f x(0.5f, -1, 2);
  const Eigen::Vector3f y = net.predict(x);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(y[i] == x[i] * x[i] * std::tanh(x[i]), boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(gradients_of_every_block) {
  using testing::check_layer_gradients;
  CTNN_CHECK_GRADIENTS(
      (check_layer_gradients<Add<Branch<Dense<4>, Tanh>, Branch<Dense<4>>, Branch<Dense<4>, Sigmoid>>,
                             shape<5>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Residual<Dense<5>, Tanh>, shape<5>, 3>()));
  CTNN_CHECK_GRADIENTS(
      (check_layer_gradients<Residual<Dense<5>, Tanh, Dense<5>>, shape<5>, 1>()));  // one sample
  CTNN_CHECK_GRADIENTS(
      (check_layer_gradients<Residual<Conv2D<3, 3, 3, Padding::same>, Tanh, Conv2D<3, 3, 3, Padding::same>>,
                             shape<5, 4, 3>, 2>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Concat<Branch<Dense<3>>, Branch<Tanh>>, shape<4>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Concat<Branch<Conv2D<2, 3, 3, Padding::same>>, Branch<>,
                                                     Branch<AveragePool2D<1, 1>, Conv2D<1, 1, 1>>>,
                                              shape<4, 3, 3>, 2>()));
  CTNN_CHECK_GRADIENTS(
      (check_layer_gradients<Multiply<Branch<Dense<4>, Tanh>, Branch<Dense<4>, Sigmoid>>, shape<3>, 3>()));
  CTNN_CHECK_GRADIENTS(
      (check_layer_gradients<Multiply<Branch<>, Branch<Dense<3>>, Branch<Tanh>>, shape<3>, 2>()));
  // Dropout inside a branch, with its mask fixed.
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Residual<Dropout<0.3>, Dense<6>>, shape<6>, 4>()));
}

BOOST_AUTO_TEST_CASE(gradients_of_nested_blocks) {
  using testing::check_layer_gradients;
  using Nested = Add<Branch<Residual<Dense<4>, Tanh>, Concat<Branch<Dense<2>>, Branch<Dense<2>, Tanh>>>,
                     Branch<Dense<4>, Multiply<Branch<>, Branch<Sigmoid>>>>;
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Nested, shape<4>, 3>()));
  CTNN_CHECK_GRADIENTS((check_layer_gradients<Nested, shape<4>, 1>()));
}

BOOST_AUTO_TEST_CASE(gradients_of_a_residual_cnn_with_its_loss) {
  using Net = Sequential<
      Input<6, 6, 2>, Conv2D<3, 3, 3, Padding::same>, Tanh,
      Residual<Conv2D<3, 3, 3, Padding::same>, Tanh, Conv2D<3, 3, 3, Padding::same>>,
      Add<Branch<Conv2D<4, 1, 1, Padding::valid, 2>>, Branch<Conv2D<4, 3, 3, Padding::same, 2>, Tanh>>,
      GlobalAveragePool2D, Dense<3>, Softmax>::rebind<double>;
  auto net = std::make_unique<Net>(3);
  random_engine rng(4);
  for (Eigen::Index i = 0; i < net->parameters().size(); ++i)
    net->parameters()[i] += 0.1 * rng.uniform(-1, 1);
  Eigen::Matrix<double, 72, Eigen::Dynamic> x(72, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  const std::vector<int> y{0, 2, 1};
  CTNN_CHECK_GRADIENTS(
      (testing::check_network_gradients<Net, 3>(*net, x, SparseCategoricalCrossEntropy{}, y)));
}

BOOST_AUTO_TEST_CASE(fused_sgd_equals_the_separate_step) {
  using Net = Sequential<Input<8>, Dense<6>, Tanh, Residual<Dense<6>, Tanh>,
                         Concat<Branch<Dense<3>>, Branch<Dense<2>, Sigmoid>>, Dense<3>, Softmax>;
  auto a = std::make_unique<Net>(5), b = std::make_unique<Net>(5);
  auto wa = std::make_unique<Net::workspace<4>>(), wb = std::make_unique<Net::workspace<4>>();
  const Eigen::Matrix<float, 8, 4> x = Eigen::Matrix<float, 8, 4>::Random();
  const std::vector<int> y{0, 1, 2, 1};
  optimizer<Net, SGD> sgd(SGD{.learning_rate = 0.1});
  for (int i = 0; i < 3; ++i) {
    a->forward(*wa, x, mode::training);
    sgd.backward_step(*a, *wa, SparseCategoricalCrossEntropy{}, y);  // fused
    b->forward(*wb, x, mode::training);
    b->zero_gradients();
    b->backward(*wb, SparseCategoricalCrossEntropy{}, y);
    sgd.step(*b);
  }
  BOOST_TEST((a->parameters() - b->parameters()).norm() < 1e-6f * b->parameters().norm());
  BOOST_TEST((a->parameters() - Net(5).parameters()).norm() > 0.0f);
}

namespace {
struct scratch {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ctnn_blocks_test_" + std::to_string(::getpid()));
  scratch() { std::filesystem::create_directories(dir); }
  ~scratch() { std::filesystem::remove_all(dir); }
};
template <class Net>
std::string load_message(Net& net, const std::filesystem::path& p) {
  try {
    load(net, p);
  } catch (const load_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(files_hold_blocks_and_refuse_another_split) {
  using Net = Sequential<Input<4>, Add<Branch<Dense<3>, Tanh>, Branch<Dense<3>>>, Residual<Dense<3>>>;
  using Swapped = Sequential<Input<4>, Add<Branch<Dense<3>>, Branch<Dense<3>, Tanh>>, Residual<Dense<3>>>;
  scratch s;
  Net a(1), b(2);
  save(a, s.dir / "blocks.ctnn");
  BOOST_TEST((a.parameters() - b.parameters()).norm() > 0.0f);
  load(b, s.dir / "blocks.ctnn");
  BOOST_TEST((a.parameters().array() == b.parameters().array()).all());
  const Eigen::Vector4f x(1, -2, 0.5f, 3);
  BOOST_TEST((a.predict(x).array() == b.predict(x).array()).all());
  // Same layers, same parameter count, another structure: the first record that differs is named.
  Swapped c;
  const std::string m = load_message(c, s.dir / "blocks.ctnn");
  BOOST_TEST_INFO(m);
  BOOST_TEST(m.find("layer 2 is b1/Tanh (3,) -> (3,), 0 parameters in the file but b2/Dense (4,) -> (3,)") !=
             std::string::npos);
  const auto records = architecture<Net>();
  BOOST_TEST(records.size() == 6u);  // Add, b1/Dense, b1/Tanh, b2/Dense, Residual, b2/Dense
  BOOST_TEST(records[4].name == "Residual");
  BOOST_TEST(records[5].name == "b2/Dense");
}

BOOST_AUTO_TEST_CASE(summary_indents_the_layers_of_a_block) {
  using Net = Sequential<Input<8, 8, 16>,
                         Residual<Conv2D<16, 3, 3, Padding::same>, ReLU, Conv2D<16, 3, 3, Padding::same>>,
                         GlobalAveragePool2D, Dense<10>>;
  std::ostringstream os;
  summary<Net>(os);
  const std::string s = os.str();
  BOOST_TEST_MESSAGE(s);
  const auto row = s.find(" residual (Residual) ");
  BOOST_TEST(row != std::string::npos);
  const std::string line = s.substr(row, s.find('\n', row) - row);
  BOOST_TEST(line.find("(None, 8, 8, 16)") != std::string::npos);
  BOOST_TEST(line.find("4,640") != std::string::npos);
  BOOST_TEST(s.find("   2: conv2d (Conv2D)") != std::string::npos);
  BOOST_TEST(s.find("   2: conv2d_1 (Conv2D)") != std::string::npos);
  BOOST_TEST(s.find("Total params: 4,810") != std::string::npos);  // 4640 + 16 * 10 + 10
}

BOOST_AUTO_TEST_CASE(a_residual_network_learns_and_threads_agree) {
  // y = class of the largest of three sums of inputs: a residual MLP learns it, one thread or two.
  using Net = Sequential<Input<12>, Dense<16>, Tanh, Residual<Dense<16>, Tanh, Dense<16>>, Tanh,
                         Concat<Branch<Dense<8>>, Branch<Dense<8>, Tanh>>, Dense<3>, Softmax>;
  random_engine rng(9);
  Eigen::Matrix<float, 12, Eigen::Dynamic> x(12, 1200);
  std::vector<int> y(1200);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < 12; ++i) x(i, j) = static_cast<float>(rng.uniform(-1, 1));
    Eigen::Index k;
    Eigen::Vector3f(x.col(j).segment<4>(0).sum(), x.col(j).segment<4>(4).sum(), x.col(j).segment<4>(8).sum())
        .maxCoeff(&k);
    y[static_cast<std::size_t>(j)] = static_cast<int>(k);
  }
  auto train = [&](std::size_t threads) {
    auto net = std::make_unique<Net>(3);
    trainer t(*net, SparseCategoricalCrossEntropy{}, Adam{});
    t.fit(x, y, fit_options{.epochs = 8, .batch_size = 32, .verbose = 0, .threads = threads});
    return std::make_pair(t.evaluate(x, y).accuracy(), Eigen::VectorXf(net->parameters()));
  };
  const auto one = train(1), two = train(2);
  BOOST_TEST(one.first > 0.9);
  BOOST_TEST((one.second - two.second).norm() < 1e-3f * one.second.norm());
}
