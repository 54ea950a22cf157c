// Rule: Input appears only as the first element.
// expect-error: ctnn::Input may only be the first element of a Sequential
// expect-near: at_layer<2, ctnn::Input<3>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Input<3>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Dense<2>>;
#endif
Net net;
