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
