// Rule: SparseCategoricalCrossEntropy takes integer labels, not floating-point ones.
// expect-error: ctnn::trainer: SparseCategoricalCrossEntropy takes integer class labels
// expect-near: at_targets<ctnn::entry::fit, ctnn::SparseCategoricalCrossEntropy
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
using Labels = std::vector<float>;
#else
using Labels = std::vector<int>;
#endif
void train(Net& net, const Eigen::Matrix<float, 4, Eigen::Dynamic>& x, const Labels& y) {
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  t.fit(x, y);
}
