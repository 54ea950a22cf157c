// Rule: a Conv2D kernel fits inside its (padded) input.
// expect-error: ctnn::Conv2D: the kernel is larger than its input
// expect-near: Conv2D<8, 5, 5
// expect-near: shape<4, 4, 1>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4, 4, 1>, ctnn::Conv2D<8, 5, 5>, ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4, 4, 1>, ctnn::Conv2D<8, 5, 5, ctnn::Padding::same>, ctnn::Flatten,
                             ctnn::Dense<2>>;
#endif
Net net;
