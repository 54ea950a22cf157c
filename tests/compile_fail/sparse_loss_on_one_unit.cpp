// Rule: sparse categorical cross-entropy needs one output unit per class (at least 2).
// expect-error: ctnn::SparseCategoricalCrossEntropy needs a rank-1 output with one unit per class
// expect-near: SparseCategoricalCrossEntropy, ctnn::shape<1>
#include <ctnn/ctnn.hpp>
#include <vector>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<1>, ctnn::Sigmoid>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<2>, ctnn::Softmax>;
#endif
float step(Net& net, Net::workspace<8>& ws, const std::vector<int>& labels) {
  return net.backward(ws, ctnn::SparseCategoricalCrossEntropy{}, labels);
}
