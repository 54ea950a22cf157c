// Rule: Conv2D takes an image, shape<height, width, channels>.
// expect-error: ctnn::Conv2D needs an image input, shape<height, width, channels>
// expect-near: Conv2D<16, 3, 3
// expect-near: shape<28, 28>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Conv2D<16, 3, 3>, ctnn::Flatten, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<16, 3, 3>, ctnn::Flatten, ctnn::Dense<10>>;
#endif
Net net;
