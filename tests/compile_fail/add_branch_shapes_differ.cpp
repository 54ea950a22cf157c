// Rule: the branches of an Add produce one shape; the message shows both and the branch number.
// expect-error: ctnn::Add: every branch must produce the same shape
// expect-near: at_branch<ctnn::detail::add_outputs, ctnn::error::path<2>, 2, ctnn::shape<4>, ctnn::shape<5>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<6>, Dense<8>, Add<Branch<Dense<4>>, Branch<Dense<5>, ReLU>>, Dense<2>>;
#else
using Net = Sequential<Input<6>, Dense<8>, Add<Branch<Dense<4>>, Branch<Dense<4>, ReLU>>, Dense<2>>;
#endif
Net net;
