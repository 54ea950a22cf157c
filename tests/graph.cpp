// Tests for ctnn/graph.hpp: named nodes, two inputs and two outputs, nodes read by several others,
// merges; gradients against central differences in double, per-output losses and weights, training,
// and a graph that is a chain equal to the Sequential.
#define BOOST_TEST_MODULE graph
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#include <memory>
#include <tuple>
#include <vector>

using namespace ctnn;

namespace {
// An image and a vector in; a class and a value out. "both" feeds two heads, "value" feeds the gate
// twice and the sum once, so gradients meet at several places.
template <class Scalar>
using TwoHeads = basic_graph<Scalar, Inputs<In<"image", 6, 6, 1>, In<"meta", 4>>,
                             Node<"conv", Conv2D<2, 3, 3>, "image">,      //
                             Node<"act", Tanh, "conv">,                   //
                             Node<"flat", Flatten, "act">,                //
                             Node<"m", Dense<5>, "meta">,                 //
                             Node<"both", Concat<>, "flat", "m">,         //
                             Node<"class", Dense<3>, "both">,             //
                             Node<"p", Softmax, "class">,                 //
                             Node<"value", Dense<1>, "both">,             //
                             Node<"gate", Multiply<>, "value", "value">,  //
                             Node<"sum", Add<>, "gate", "value">,         //
                             Outputs<"p", "sum">>;

// Blocks and BatchNormalization inside nodes, and an input read twice.
using Normalised = basic_graph<double, Inputs<In<"x", 6>>,                   //
                               Node<"a", Dense<4>, "x">,                     //
                               Node<"bn", BatchNormalization<>, "a">,        //
                               Node<"res", Residual<Dense<4>, Tanh>, "bn">,  //
                               Node<"skip", Dense<4>, "x">,                  //
                               Node<"sum", Add<>, "res", "skip">,            //
                               Node<"out", Dense<2>, "sum">,                 //
                               Outputs<"out">>;

// Central differences of `objective()` in each of the n values at `v`, each put back after.
template <class F>
Eigen::VectorXd numeric_gradient(double* v, Eigen::Index n, F objective, double h = 1e-5) {
  Eigen::VectorXd out(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double keep = v[i];
    v[i] = keep + h;
    const double up = objective();
    v[i] = keep - h;
    const double down = objective();
    v[i] = keep;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

double relative(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const double scale = std::max(a.norm(), b.norm());
  return scale == 0 ? 0 : (a - b).norm() / scale;
}
}  // namespace

// Names, shapes and counts come from the type.
using Checked = TwoHeads<float>;
static_assert(Checked::valid);
static_assert(Checked::input_count == 2 && Checked::node_count == 10 && Checked::output_count == 2);
static_assert(std::is_same_v<Checked::source_shape<Checked::input_count + 4>, shape<37>>);  // "both": 32 + 5
static_assert(Checked::parameter_count == 20 + 25 + 114 + 38);
// "value" (node 7) is read by "gate" twice and "sum" once; "both" by two heads.
static_assert(Checked::consumers(Checked::input_count + 7) == 3 &&
              Checked::consumers(Checked::input_count + 4) == 2);
static_assert(Checked::names[0] == node_name("image") && Checked::names[6] == node_name("both"));

BOOST_AUTO_TEST_CASE(two_inputs_two_outputs_gradients_match_finite_differences) {
  using Net = TwoHeads<double>;
  auto net = std::make_unique<Net>(3);
  auto ws = std::make_unique<Net::workspace<4>>();
  const Eigen::Matrix<double, 36, 4> a = Eigen::Matrix<double, 36, 4>::Random();
  const Eigen::Matrix<double, 4, 4> b = Eigen::Matrix<double, 4, 4>::Random();
  const std::vector<int> y{0, 1, 2, 1};
  const Eigen::Matrix<double, 1, 4> t = Eigen::Matrix<double, 1, 4>::Random();
  const std::array<double, 2> weights{0.7, 0.3};
  const auto losses = std::make_tuple(SparseCategoricalCrossEntropy{}, MeanSquaredError{});
  const auto targets = std::make_tuple(std::span<const int>(y), t);
  auto objective = [&](const auto& image, const auto& meta) {
    ws->input<"image">(4) = image;
    ws->input<"meta">(4) = meta;
    net->forward(*ws, mode::training);
    return 0.7 * SparseCategoricalCrossEntropy::value<double>(ws->output<"p">(), labels(y)) +
           0.3 * MeanSquaredError::value<double>(ws->output<1>(), t);
  };

  objective(a, b);
  net->zero_gradients();
  const double loss = net->backward(*ws, losses, targets, weights, true);
  BOOST_TEST(loss == objective(a, b), boost::test_tools::tolerance(1e-12));
  objective(a, b);
  net->zero_gradients();
  net->backward(*ws, losses, targets, weights, true);
  const Eigen::VectorXd analytic_p = net->gradients();
  const Eigen::VectorXd analytic_a = Eigen::Map<const Eigen::VectorXd>(ws->input_gradient<0>().data(), 144);
  const Eigen::VectorXd analytic_b = Eigen::Map<const Eigen::VectorXd>(ws->input_gradient<1>().data(), 16);

  Eigen::Matrix<double, 36, 4> ap = a;
  Eigen::Matrix<double, 4, 4> bp = b;
  auto at = [&] { return objective(ap, bp); };
  const Eigen::VectorXd numeric_p = numeric_gradient(net->parameters().data(), net->parameters().size(), at),
                        numeric_a = numeric_gradient(ap.data(), ap.size(), at),
                        numeric_b = numeric_gradient(bp.data(), bp.size(), at);
  const double ep = relative(analytic_p, numeric_p), ea = relative(analytic_a, numeric_a),
               eb = relative(analytic_b, numeric_b);
  BOOST_TEST_MESSAGE("graph gradients: parameters " << ep << ", image " << ea << ", meta " << eb);
  BOOST_TEST(ep < 1e-6);
  BOOST_TEST(ea < 1e-6);
  BOOST_TEST(eb < 1e-6);
}

BOOST_AUTO_TEST_CASE(blocks_and_batch_normalization_in_nodes_have_exact_gradients) {
  auto net = std::make_unique<Normalised>(5);
  auto ws = std::make_unique<Normalised::workspace<5>>();
  const Eigen::Matrix<double, 6, 5> x = Eigen::Matrix<double, 6, 5>::Random();
  const Eigen::Matrix<double, 2, 5> t = Eigen::Matrix<double, 2, 5>::Random();
  auto objective = [&](const auto& in) {
    ws->input<0>(5) = in;
    net->forward(*ws, mode::training);
    return MeanSquaredError::value<double>(ws->output<0>(), t);
  };
  objective(x);
  net->zero_gradients();
  net->backward(*ws, std::make_tuple(MeanSquaredError{}), std::make_tuple(t), {1.0}, true);
  const Eigen::VectorXd analytic_p = net->gradients();
  const Eigen::VectorXd analytic_x = Eigen::Map<const Eigen::VectorXd>(ws->input_gradient<0>().data(), 30);
  Eigen::Matrix<double, 6, 5> xp = x;
  auto at = [&] { return objective(xp); };
  const Eigen::VectorXd numeric_p = numeric_gradient(net->parameters().data(), net->parameters().size(), at),
                        numeric_x = numeric_gradient(xp.data(), xp.size(), at);
  BOOST_TEST_MESSAGE("graph with blocks and BatchNormalization: parameters "
                     << relative(analytic_p, numeric_p) << ", input " << relative(analytic_x, numeric_x));
  BOOST_TEST(relative(analytic_p, numeric_p) < 1e-6);
  BOOST_TEST(relative(analytic_x, numeric_x) < 1e-6);
  // The moving statistics move after a training pass, as in a Sequential.
  net->update_buffers(*ws);
  BOOST_TEST(net->buffers().head<4>().norm() > 0.0);
}

BOOST_AUTO_TEST_CASE(a_chain_graph_computes_what_the_sequential_does) {
  using Seq = Sequential<Input<8>, Dense<6>, ReLU, Dense<3>, Softmax>;
  using Chain = Graph<Inputs<In<"x", 8>>, Node<"h", Dense<6>, "x">, Node<"r", ReLU, "h">,
                      Node<"z", Dense<3>, "r">, Node<"p", Softmax, "z">, Outputs<"p">>;
  static_assert(Seq::parameter_count == Chain::parameter_count && Seq::storage_size == Chain::storage_size);
  Seq seq(4);
  Chain chain(9);
  chain.parameters() = seq.parameters();
  Chain::workspace<1> ws;
  const Eigen::Matrix<float, 8, 1> x = Eigen::Matrix<float, 8, 1>::Random();
  const auto [p] = std::as_const(chain).predict(ws, x);
  BOOST_TEST((p - seq.predict(x)).norm() == 0.0f);
}

BOOST_AUTO_TEST_CASE(trains_two_heads_with_an_optimiser) {
  // Class: which of the vector's first two entries is larger; value: their mean. Adam on the sum of
  // the weighted losses lowers both.
  using Net =
      Graph<Inputs<In<"v", 4>>, Node<"h", Dense<16>, "v">, Node<"r", ReLU, "h">, Node<"c", Dense<2>, "r">,
            Node<"p", Softmax, "c">, Node<"value", Dense<1>, "r">, Outputs<"p", "value">>;
  auto net = std::make_unique<Net>(1);
  auto ws = std::make_unique<Net::workspace<64>>();
  optimizer<Net, Adam> adam(Adam{.learning_rate = 0.01});
  random_engine rng(2);
  Eigen::Matrix<float, 4, 64> x;
  std::vector<int> y(64);
  Eigen::Matrix<float, 1, 64> v;
  auto batch = [&] {
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform(-1, 1));
    for (Eigen::Index j = 0; j < 64; ++j) {
      y[static_cast<std::size_t>(j)] = x(0, j) > x(1, j);
      v(0, j) = (x(0, j) + x(1, j)) / 2;
    }
  };
  const auto losses = std::make_tuple(SparseCategoricalCrossEntropy{}, MeanSquaredError{});
  auto step = [&](bool train) {
    batch();
    ws->input<0>(64) = x;
    net->forward(*ws, mode::training);
    net->zero_gradients();
    const float loss = net->backward(*ws, losses, std::make_tuple(std::span<const int>(y), v), {1.0f, 2.0f});
    if (train) adam.step(*net);
    return loss;
  };
  float first = 0, last = 0;
  for (int i = 0; i < 5; ++i) first += step(false) / 5;
  for (int i = 0; i < 400; ++i) step(true);
  for (int i = 0; i < 5; ++i) last += step(false) / 5;
  BOOST_TEST_MESSAGE("two heads: loss " << first << " before, " << last << " after 400 Adam steps");
  BOOST_TEST(last < 0.3f * first);
}
