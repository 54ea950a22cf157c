// Rule: Softmax takes a rank-1 input.
// expect-error: ctnn::Softmax needs a rank-1 input; add ctnn::Flatten before it
// expect-near: Softmax
// expect-near: shape<4, 4>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4, 4>, ctnn::Softmax>;
#else
using Net = ctnn::Sequential<ctnn::Input<4, 4>, ctnn::Flatten, ctnn::Softmax>;
#endif
Net net;
