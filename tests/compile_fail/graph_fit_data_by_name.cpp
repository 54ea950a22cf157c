// Rule: a Graph's data by name names every input exactly once ("meta" is misspelt here).
// expect-error: ctnn::trainer: data by name needs every input \(for targets: every output\) of the Graph named exactly once
// expect-near: named_once<ctnn::named<.m., .e., .t., .a.>, 0U?L?>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
using Net = Graph<Inputs<In<"image", 4, 4, 1>, In<"meta", 3>>, Node<"flat", Flatten, "image">,
                  Node<"both", Concat<>, "flat", "meta">, Node<"out", Dense<2>, "both">, Outputs<"out">>;
#ifdef CTNN_SHOULD_FAIL
constexpr node_name second = "mta";
#else
constexpr node_name second = "meta";
#endif
void train(Net& net, const Eigen::MatrixXf& image, const Eigen::MatrixXf& meta, const Eigen::MatrixXf& y) {
  trainer t(net, losses<MeanSquaredError>{}, Adam{});
  t.fit(std::tuple{at<"image">(image), at<second>(meta)}, y);
}
