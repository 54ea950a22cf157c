// Rule: Dense takes a rank-1 input; the message says to add Flatten and shows the shape it got.
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: Dense<10
// expect-near: shape<28, 28>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Dense<10>, ctnn::Softmax>;
#else
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<10>, ctnn::Softmax>;
#endif
Net net;
