// Rule: a mistake inside a block names its path: layer 2 of branch 1 of the block at position 5.
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: in_block<ctnn::error::path<5, 1, 2>, ctnn::Dense<4
// expect-near: shape<8, 8, 4>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<8, 8, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                       Add<Branch<Conv2D<4, 3, 3, Padding::same>, Dense<4>>, Branch<>>, Flatten, Dense<2>>;
#else
using Net = Sequential<Input<8, 8, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                       Add<Branch<Conv2D<4, 3, 3, Padding::same>, ReLU>, Branch<>>, Flatten, Dense<2>>;
#endif
Net net;
