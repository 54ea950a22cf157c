// Rule: trainer::evaluate takes samples of Net::input_shape::size rows.
// expect-error: ctnn::trainer: each sample \(a column\) must have Net::input_shape::size rows
// expect-near: at_samples<ctnn::entry::evaluate, 4U?L?, 5, float, float>
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
using Samples = Eigen::Matrix<float, 5, 10>;
#else
using Samples = Eigen::Matrix<float, 4, 10>;
#endif
double score(Net& net, const Samples& x, const std::vector<int>& y) {
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  return t.evaluate(x, y).accuracy();
}
