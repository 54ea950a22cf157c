// Rule: ELU's alpha is not negative.
// expect-error: ctnn::ELU: alpha must not be negative
// expect-near: at_layer<2, ctnn::ELU<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::ELU<-1.0>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::ELU<1.0>, ctnn::Dense<2>>;
#endif
Net net;
