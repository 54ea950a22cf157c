// Rule: Dense after a convolution needs Flatten; the message shows the rank-3 shape it got.
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: shape<13, 13, 32>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<32, 3, 3>, ctnn::ReLU,
                             ctnn::MaxPool2D<2, 2>, ctnn::Dense<10>, ctnn::Softmax>;
#else
using Net = ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<32, 3, 3>, ctnn::ReLU,
                             ctnn::MaxPool2D<2, 2>, ctnn::Flatten, ctnn::Dense<10>, ctnn::Softmax>;
#endif
Net net;
