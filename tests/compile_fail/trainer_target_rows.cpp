// Rule: dense targets have one row per network output (one_hot<5> for a 3-class network is refused).
// expect-error: ctnn::trainer: the targets must have one row per network output
// expect-near: at_targets<ctnn::entry::fit, ctnn::CategoricalCrossEntropy, 3U?L?, 5,
#include <ctnn/ctnn.hpp>
#include <ctnn/data/one_hot.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
constexpr std::size_t classes = 5;
#else
constexpr std::size_t classes = 3;
#endif
void train(Net& net, const Eigen::Matrix<float, 4, Eigen::Dynamic>& x, const std::vector<int>& labels) {
  ctnn::trainer t(net, ctnn::CategoricalCrossEntropy{}, ctnn::Adam{});
  t.fit(x, ctnn::data::one_hot<classes>(labels));
}
