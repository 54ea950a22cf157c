// Rule: CategoricalCrossEntropy takes one target column per sample, not integer labels.
// expect-error: ctnn::trainer: this loss takes targets as an Eigen matrix with one column per sample, not a list of labels: use ctnn::data::one_hot
// expect-near: at_targets<ctnn::entry::fit, ctnn::CategoricalCrossEntropy
#include <ctnn/ctnn.hpp>
#include <ctnn/data/one_hot.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
void train(Net& net, const Eigen::Matrix<float, 4, Eigen::Dynamic>& x, const std::vector<int>& labels) {
  ctnn::trainer t(net, ctnn::CategoricalCrossEntropy{}, ctnn::Adam{});
#ifdef CTNN_SHOULD_FAIL
  t.fit(x, labels);
#else
  t.fit(x, ctnn::data::one_hot<3>(labels));
#endif
}
