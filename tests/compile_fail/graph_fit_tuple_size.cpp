// Rule: a Graph's data by position has one entry per input (two inputs, one matrix given).
// expect-error: ctnn::trainer: the tuple needs one entry per input of the Graph
#include <ctnn/ctnn.hpp>
using namespace ctnn;
using Net = Graph<Inputs<In<"image", 4, 4, 1>, In<"meta", 3>>, Node<"flat", Flatten, "image">,
                  Node<"both", Concat<>, "flat", "meta">, Node<"out", Dense<2>, "both">, Outputs<"out">>;
void train(Net& net, const Eigen::MatrixXf& image, const Eigen::MatrixXf& meta, const Eigen::MatrixXf& y) {
  trainer t(net, losses<MeanSquaredError>{}, Adam{});
#ifdef CTNN_SHOULD_FAIL
  t.fit(std::tie(image), y);
#else
  t.fit(std::tie(image, meta), y);
#endif
}
