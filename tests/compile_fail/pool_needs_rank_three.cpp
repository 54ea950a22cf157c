// Rule: pooling takes an image, shape<height, width, channels>.
// expect-error: ctnn::AveragePool2D needs an image input, shape<height, width, channels>
// expect-near: AveragePool2D<2, 2>
// expect-near: shape<64>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::Flatten, ctnn::AveragePool2D<2, 2>, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::AveragePool2D<2, 2>, ctnn::Flatten, ctnn::Dense<10>>;
#endif
Net net;
