// Rule: a Dense layer has at least one unit.
// expect-error: ctnn::Dense needs at least one unit
// expect-near: Dense<0
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<0>, ctnn::ReLU, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::ReLU, ctnn::Dense<2>>;
#endif
Net net;
