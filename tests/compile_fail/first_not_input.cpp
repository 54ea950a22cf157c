// Rule: a Sequential starts with Input<dims...>.
// expect-error: ctnn::Sequential: the first element must be ctnn::Input<dims...>
// expect-near: Dense<3>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Dense<3>, ctnn::ReLU>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::ReLU>;
#endif
Net net;
