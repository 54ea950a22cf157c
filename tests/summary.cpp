// Tests for ctnn/summary.hpp.
#define BOOST_TEST_MODULE summary
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>
#include <sstream>

using namespace ctnn;
using Mlp = Sequential<Input<784>, Dense<512>, ReLU, Dense<512>, ReLU, Dense<10>, Softmax>;

BOOST_AUTO_TEST_CASE(mnist_mlp_as_keras_prints_it) {
  std::ostringstream os;
  summary<Mlp>(os);
  const std::string s = os.str();
  BOOST_TEST_MESSAGE(s);
  BOOST_TEST(s.find("Total params: 669,706 (2.55 MB)") != std::string::npos);
  BOOST_TEST(s.find("dense (Dense)") != std::string::npos);
  BOOST_TEST(s.find("(None, 512)") != std::string::npos);
  BOOST_TEST(s.find("401,920") != std::string::npos);
  BOOST_TEST(s.find("262,656") != std::string::npos);
  BOOST_TEST(s.find("5,130") != std::string::npos);
  BOOST_TEST(s.find("dense_2 (Dense)") != std::string::npos);
  BOOST_TEST(s.find("softmax (Softmax)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(image_shapes_print_with_every_dimension) {
  std::ostringstream os;
  summary<Sequential<Input<28, 28, 1>, Flatten, Dense<10>>>(os);
  BOOST_TEST(os.str().find("(None, 784)") != std::string::npos);
  BOOST_TEST(os.str().find("Total params: 7,850") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_graph_prints_as_keras_functional_summary) {
  // Keras' functional table: a row per input and per node, named as the node, with what it reads; a
  // block's layers indented under it. The counts are Keras' (BatchNormalization: 4 per channel).
  using Net =
      Graph<Inputs<In<"image", 8, 8, 1>, In<"meta", 4>>, Node<"conv", Conv2D<4, 3, 3>, "image">,
            Node<"bn", BatchNormalization<>, "conv">,
            Node<"res", Residual<Conv2D<4, 3, 3, Padding::same>, ReLU>, "bn">, Node<"flat", Flatten, "res">,
            Node<"both", Concat<>, "flat", "meta">, Node<"class", Dense<3>, "both">,
            Node<"value", Dense<1>, "both">, Outputs<"class", "value">>;
  std::ostringstream os;
  summary<Net>(os);
  const std::string rule(92, '_'), double_rule(92, '=');
  const std::string want =
      "Model: \"functional\"\n" + rule +
      "\n"
      " Layer (type)                     Output Shape               Param #       Connected to\n" +
      double_rule +
      "\n"
      " image (InputLayer)               (None, 8, 8, 1)            0             -\n"
      " meta (InputLayer)                (None, 4)                  0             -\n"
      " conv (Conv2D)                    (None, 6, 6, 4)            40            image\n"
      " bn (BatchNormalization)          (None, 6, 6, 4)            16            conv\n"
      " res (Residual)                   (None, 6, 6, 4)            148           bn\n"
      "   2: conv2d (Conv2D)             (None, 6, 6, 4)            148\n"
      "   2: re_lu (ReLU)                (None, 6, 6, 4)            0\n"
      " flat (Flatten)                   (None, 144)                0             res\n"
      " both (Concat)                    (None, 148)                0             flat, meta\n"
      " class (Dense)                    (None, 3)                  447           both\n"
      " value (Dense)                    (None, 1)                  149           both\n" +
      double_rule +
      "\n"
      "Total params: 800 (3.12 KB)\n"
      "Trainable params: 792 (3.09 KB)\n"
      "Non-trainable params: 8 (32 B)\n" +
      rule + "\n";
  BOOST_TEST(os.str() == want);
}
