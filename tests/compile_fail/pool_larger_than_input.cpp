// Rule: a pool fits inside its input.
// expect-error: ctnn::MaxPool2D: the pool is larger than its input
// expect-near: MaxPool2D<4, 4>
// expect-near: shape<3, 3, 8>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net =
    ctnn::Sequential<ctnn::Input<5, 5, 1>, ctnn::Conv2D<8, 3, 3>, ctnn::MaxPool2D<4, 4>, ctnn::Flatten>;
#else
using Net =
    ctnn::Sequential<ctnn::Input<5, 5, 1>, ctnn::Conv2D<8, 3, 3>, ctnn::MaxPool2D<3, 3>, ctnn::Flatten>;
#endif
Net net;
