// Tests for ctnn/optimizers/optimizer.hpp: state sized from the network, steps on the real
// parameters, alignment padding untouched.
#define BOOST_TEST_MODULE optimizer
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>

using namespace ctnn;
using Net = Sequential<Input<3>, Dense<2>, Tanh, Dense<1>>;
static_assert(Net::storage_size > Net::parameter_count);  // there is padding to keep at zero

BOOST_AUTO_TEST_CASE(a_step_moves_every_parameter_against_its_gradient) {
  Net net(1);
  Net::workspace<4> ws;
  const Eigen::Matrix<float, 3, 4> x = Eigen::Matrix<float, 3, 4>::Random();
  const Eigen::Matrix<float, 1, 4> t = Eigen::Matrix<float, 1, 4>::Random();
  optimizer<Net, SGD> sgd(SGD{.learning_rate = 0.05});
  const Eigen::VectorXf before = net.parameters();
  net.forward(ws, x, mode::training);
  net.zero_gradients();
  const float loss_before = net.backward(ws, MeanSquaredError{}, t);
  const Eigen::VectorXf g = net.gradients();
  sgd.step(net);
  BOOST_TEST((Eigen::VectorXf(net.parameters()) - (before - 0.05f * g)).norm() < 1e-6f);
  net.forward(ws, x, mode::training);
  BOOST_TEST(net.loss(ws, MeanSquaredError{}, t) < loss_before);
  std::size_t covered = 0;
  net.for_each_tensor(
      [&](std::size_t, std::string_view, tensor_info info, float*, float*) { covered += info.size(); });
  BOOST_TEST(covered == Net::parameter_count);
  BOOST_TEST(sgd.settings().learning_rate == 0.05);
}
