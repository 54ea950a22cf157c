// Rule: a dilation above 1 takes stride 1, as in Keras.
// expect-error: ctnn::Conv1D: a dilation above 1 takes stride 1, as in Keras
// expect-near: Conv1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<20, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::valid, 2, 2>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<20, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::valid, 2, 1>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
