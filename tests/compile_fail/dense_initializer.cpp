// Rule: Dense's second argument is an initialiser; an activation there is refused.
// expect-error: ctnn::Dense: its second argument is the kernel's initialiser
// expect-near: at_layer<1, ctnn::Dense<8, ctnn::ReLU>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8, ctnn::ReLU>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8, ctnn::HeNormal>, ctnn::ReLU, ctnn::Dense<2>>;
#endif
Net net;
