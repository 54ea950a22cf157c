// Rule: a mistake three blocks deep in a network of 32 layers gives one short diagnostic that names
// its whole path: layer 1 of branch 2 of the Add at layer 2 of branch 2 of the Residual at layer 3 of
// branch 2 of the Residual at position 29 (the backtrace must not grow with depth or length).
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: in_block<ctnn::error::path<29, 2, 3, 2, 2, 2, 1>, ctnn::Dense<4
#include <ctnn/ctnn.hpp>
using namespace ctnn;
using C = Conv2D<4, 3, 3, Padding::same>;
#ifdef CTNN_SHOULD_FAIL
using Inner = Add<Branch<C>, Branch<Dense<4>>>;
#else
using Inner = Add<Branch<C>, Branch<C, ReLU>>;
#endif
using Net = Sequential<Input<8, 8, 4>, C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU,
                       C, ReLU, C, ReLU, C, ReLU, C, ReLU, C, ReLU,
                       Residual<Concat<Branch<C>, Branch<Tanh>>, Conv2D<4, 1, 1>, Residual<C, Inner>>, ReLU, Flatten,
                       Dense<2>>;
Net net;
