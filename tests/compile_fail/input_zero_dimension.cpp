// Rule: every dimension of Input is at least 1.
// expect-error: ctnn::Input: every dimension must be at least 1
// expect-near: Input<28, 0>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<28, 0>, ctnn::Flatten, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<10>>;
#endif
Net net;
