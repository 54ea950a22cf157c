// Rule: a block combines at least two branches.
// expect-error: ctnn: a block needs at least two branches to combine
// expect-near: at_layer<1, ctnn::Add<ctnn::Branch<ctnn::Dense<4
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<6>, Add<Branch<Dense<4>>>, Dense<2>>;
#else
using Net = Sequential<Input<6>, Add<Branch<Dense<4>>, Branch<Dense<4>, ReLU>>, Dense<2>>;
#endif
Net net;
