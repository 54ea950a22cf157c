// Rule: Input has at least one dimension.
// expect-error: ctnn::Input needs at least one dimension
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<>, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<3>, ctnn::Dense<10>>;
#endif
Net net;
