// Rule: every element after Input is a layer; the message names the offending type.
// expect-error: ctnn::Sequential: this element is not a layer
// expect-near: at_layer<2, my_layer
struct my_layer {};
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, my_layer, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<3>, ctnn::Dense<2>>;
#endif
Net net;
