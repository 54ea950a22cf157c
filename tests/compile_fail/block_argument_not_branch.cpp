// Rule: a block's arguments are ctnn::Branch<layers...>, not bare layers.
// expect-error: ctnn: a block's arguments are branches
// expect-near: Concat<ctnn::Dense<4
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<6>, Concat<Dense<4>, Dense<4>>, Dense<2>>;
#else
using Net = Sequential<Input<6>, Concat<Branch<Dense<4>>, Branch<Dense<4>>>, Dense<2>>;
#endif
Net net;
