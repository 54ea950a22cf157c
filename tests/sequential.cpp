// Tests for ctnn/sequential.hpp: the public API, batches against single samples, whole-network
// gradients, seeds, copies and partial batches.
#define BOOST_TEST_MODULE sequential
#include <ctnn/ctnn.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "support/check.hpp"

using namespace ctnn;

// The contract from the core issue, verbatim.
using Net = Sequential<Input<16>, Dense<32>, Tanh, Dense<32>, Sigmoid, Dense<4>>;
static_assert(Net::parameter_count == 1732);
static_assert(Net::input_shape::size == 16 && Net::output_shape::size == 4);
static_assert(Net::input_shape::rank == 1 && Net::output_shape::rank == 1);
static_assert(Net::depth == 5 && Net::valid);
static_assert(std::is_same_v<Net::layer_type<0>, Dense<32>::bind<shape<16>, float>>);
static_assert(std::is_same_v<Net::spec_type<4>, Dense<4>>);
static_assert(std::is_same_v<Net::rebind<double>::scalar, double>);

using Mlp = Sequential<Input<784>, Dense<512>, ReLU, Dense<512>, ReLU, Dense<10>, Softmax>;
static_assert(Mlp::parameter_count == 669'706);

BOOST_AUTO_TEST_CASE(predict_is_noexcept_and_returns_a_fixed_vector) {
  Net net;
  Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::Random();
  static_assert(noexcept(net.predict(x)));
  auto y = net.predict(x);
  static_assert(std::is_same_v<decltype(y), Eigen::Matrix<float, 4, 1>>);
  BOOST_TEST(y.allFinite());
}

BOOST_AUTO_TEST_CASE(threads_share_one_const_network_with_their_own_workspaces) {
  const auto net = std::make_unique<const Net>(4);
  Eigen::Matrix<float, 16, Eigen::Dynamic> x = Eigen::Matrix<float, 16, Eigen::Dynamic>::Random(16, 200);
  Net::workspace<1> mine;
  const Eigen::Matrix<float, 16, 1> first = x.col(0);
  static_assert(noexcept(net->predict(first, mine)));
  Eigen::Matrix<float, 4, Eigen::Dynamic> want(4, 200), got[2] = {want, want};
  for (Eigen::Index j = 0; j < 200; ++j)
    want.col(j) = net->predict(Eigen::Matrix<float, 16, 1>(x.col(j)), mine);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      auto ws = std::make_unique<Net::workspace<1>>();
      for (Eigen::Index j = 0; j < 200; ++j)
        got[t].col(j) = net->predict(Eigen::Matrix<float, 16, 1>(x.col(j)), *ws);
    });
  for (auto& th : threads) th.join();
  BOOST_TEST((got[0].array() == want.array()).all());
  BOOST_TEST((got[1].array() == want.array()).all());
  // Any capacity: the sample is the first column (a batch's product, so equal up to rounding).
  auto batch = std::make_unique<Net::workspace<8>>();
  BOOST_TEST((net->predict(first, *batch) - want.col(0)).norm() < 1e-5f);
  Net copy = *net;  // the member-workspace predict agrees
  BOOST_TEST((copy.predict(Eigen::Matrix<float, 16, 1>(x.col(7))) - want.col(7)).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(predict_equals_the_layers_composed_by_hand) {
  Net net(5);
  const Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::Random();
  const Eigen::Matrix<float, 32, 1> h1 =
      (net.layer<0>().weights() * x + net.layer<0>().bias()).array().tanh();
  const Eigen::Matrix<float, 32, 1> h2 =
      (net.layer<2>().weights() * h1 + net.layer<2>().bias()).array().logistic();
  const Eigen::Matrix<float, 4, 1> expected = net.layer<4>().weights() * h2 + net.layer<4>().bias();
  BOOST_TEST((net.predict(x) - expected).norm() < 1e-5);
}

BOOST_AUTO_TEST_CASE(editing_weights_through_layer_changes_the_output) {
  Net net;
  const Eigen::Matrix<float, 16, 1> x = Eigen::Matrix<float, 16, 1>::Ones();
  const Eigen::Matrix<float, 4, 1> before = net.predict(x);
  net.layer<4>().bias().array() += 1.0f;
  BOOST_TEST((net.predict(x) - before - Eigen::Matrix<float, 4, 1>::Ones()).norm() < 1e-5);
}

BOOST_AUTO_TEST_CASE(batches_full_and_partial_equal_single_samples) {
  auto mlp = std::make_unique<Mlp>(3);
  auto ws = std::make_unique<Mlp::workspace<32>>();
  for (Eigen::Index n : {32, 5, 1}) {
    Eigen::Matrix<float, 784, Eigen::Dynamic> x = Eigen::Matrix<float, 784, Eigen::Dynamic>::Random(784, n);
    Eigen::MatrixXf y = mlp->forward(*ws, x);
    BOOST_TEST(ws->batch_size() == static_cast<std::size_t>(n));
    BOOST_TEST(y.cols() == n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const Eigen::Matrix<float, 784, 1> column = x.col(j);
      BOOST_TEST((y.col(j) - mlp->predict(column)).norm() < 1e-5);
    }
  }
}

BOOST_AUTO_TEST_CASE(whole_network_gradients_non_square_and_batched) {
  using N = Net::rebind<double>;
  N net(8);
  const Eigen::Matrix<double, 16, Eigen::Dynamic> x =
      Eigen::Matrix<double, 16, Eigen::Dynamic>::Random(16, 5);
  const Eigen::Matrix<double, 4, 5> t = Eigen::Matrix<double, 4, 5>::Random();
  CTNN_CHECK_GRADIENTS((testing::check_network_gradients<N, 5>(net, x, MeanSquaredError{}, t)));

  using Classifier = basic_sequential<double, Input<3, 4>, Flatten, Dense<9>, ELU<>, Dense<7>, LeakyReLU<0.1>,
                                      Dense<5>, Softmax>;
  Classifier c(2);
  const Eigen::Matrix<double, 12, Eigen::Dynamic> xc =
      Eigen::Matrix<double, 12, Eigen::Dynamic>::Random(12, 4);
  const std::vector<int> y{4, 0, 2, 2};
  CTNN_CHECK_GRADIENTS(
      (testing::check_network_gradients<Classifier, 6>(c, xc, SparseCategoricalCrossEntropy{}, y)));
}

BOOST_AUTO_TEST_CASE(seeds_decide_the_initial_parameters) {
  Net a(1), b(1), c(2);
  BOOST_TEST((a.parameters() - b.parameters()).norm() == 0.0f);
  BOOST_TEST((a.parameters() - c.parameters()).norm() > 0.0f);
  a.initialize(2);
  BOOST_TEST((a.parameters() - c.parameters()).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_independent) {
  auto a = std::make_unique<Mlp>(4);
  auto b = std::make_unique<Mlp>(*a);
  const Eigen::Matrix<float, 784, 1> x = Eigen::Matrix<float, 784, 1>::Random();
  BOOST_TEST((a->predict(x) - b->predict(x)).norm() == 0.0f);
  b->layer<4>().bias().setConstant(3.0f);
  BOOST_TEST((a->predict(x) - b->predict(x)).norm() > 0.0f);
  Net small(1), other(2);
  other = small;
  BOOST_TEST((other.parameters() - small.parameters()).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(alignment_padding_stays_zero_and_tensors_are_listed_in_order) {
  Net net(6);
  std::size_t covered = 0, count = 0;
  std::vector<std::string> names;
  net.for_each_tensor([&](std::size_t layer, std::string_view spec, tensor_info t, float*, float*) {
    // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict, a false positive, GCC bug 105651) on
    // operator+ of two temporary strings.
    std::string name = std::to_string(layer);
    name += spec;
    name += t.name;
    names.push_back(name);
    covered += t.size();
    ++count;
  });
  BOOST_TEST(covered == Net::parameter_count);
  BOOST_TEST(count == 6u);
  BOOST_TEST(names.front() == "0Densekernel");
  BOOST_TEST(names.back() == "4Densebias");
  // Everything outside the tensors is padding and must be zero.
  Eigen::VectorXf mask = Eigen::VectorXf::Ones(Net::storage_size);
  net.for_each_tensor([&](std::size_t, std::string_view, tensor_info t, float*, float*) {
    mask.segment(static_cast<Eigen::Index>(t.offset), static_cast<Eigen::Index>(t.size())).setZero();
  });
  BOOST_TEST(net.parameters().cwiseProduct(mask).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(works_in_double) {
  Net::rebind<double> net;
  const Eigen::Matrix<double, 16, 1> x = Eigen::Matrix<double, 16, 1>::Random();
  BOOST_TEST(net.predict(x).allFinite());
}
