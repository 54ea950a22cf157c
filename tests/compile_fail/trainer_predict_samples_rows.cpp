// Rule: trainer::predict takes samples of Net::input_shape::size rows.
// expect-error: ctnn::trainer: each sample \(a column\) must have Net::input_shape::size rows
// expect-near: at_samples<ctnn::entry::predict, 4U?L?, 2, float, float>
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
using Samples = Eigen::Matrix<float, 2, Eigen::Dynamic>;
#else
using Samples = Eigen::Matrix<float, 4, Eigen::Dynamic>;
#endif
Eigen::Matrix<float, 3, Eigen::Dynamic> outputs(Net& net, const Samples& x) {
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  return t.predict(x);
}
