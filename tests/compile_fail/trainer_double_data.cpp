// Rule: the data's scalar type is the network's (double samples for a float network are refused).
// expect-error: ctnn::trainer: the samples' scalar type is not the network's
// expect-near: at_samples<ctnn::entry::fit, 4U?L?, 4, float, double>
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
using Samples = Eigen::Matrix<double, 4, Eigen::Dynamic>;
#else
using Samples = Eigen::Matrix<float, 4, Eigen::Dynamic>;
#endif
void train(Net& net, const Samples& x, const std::vector<int>& y) {
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  t.fit(x, y);
}
