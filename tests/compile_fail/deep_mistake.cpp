// Rule: a mistake deep in a long network gives one short diagnostic (a Dense without Flatten at
// position 14 of 16 layers; the compilers' backtrace must not grow a note per layer past the limit).
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: at_layer<14, ctnn::Dense<10>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Tail = Sequential<Input<8, 8, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        MaxPool2D<2, 2>, Dense<10>, ReLU, Dense<10>>;
#else
using Tail = Sequential<Input<8, 8, 1>, Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        Conv2D<4, 3, 3, Padding::same>, ReLU, Conv2D<4, 3, 3, Padding::same>, ReLU,
                        MaxPool2D<2, 2>, Flatten, Dense<10>, Dense<10>>;
#endif
Tail* make() { return new Tail; }
