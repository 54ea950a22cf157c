// Rule: a Dropout rate lies in [0, 1).
// expect-error: ctnn::Dropout needs a rate in [0, 1., as in Dropout<0.5>
// expect-near: Dropout<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::Dropout<1.0>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::Dropout<0.5>, ctnn::Dense<2>>;
#endif
Net net;
