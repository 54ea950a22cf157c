// Rule: trainer::fit takes samples of Net::input_shape::size rows (fixed-size data: checked by the compiler).
// expect-error: ctnn::trainer: each sample \(a column\) must have Net::input_shape::size rows
// expect-near: at_samples<ctnn::entry::fit, 4U?L?, 3, float, float>
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Softmax>;
#ifdef CTNN_SHOULD_FAIL
using Samples = Eigen::Matrix<float, 3, Eigen::Dynamic>;
#else
using Samples = Eigen::Matrix<float, 4, Eigen::Dynamic>;
#endif
void train(Net& net, const Samples& x, const std::vector<int>& y) {
  ctnn::trainer t(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  t.fit(x, y);
}
