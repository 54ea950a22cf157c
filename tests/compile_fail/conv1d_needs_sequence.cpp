// Rule: Conv1D reads a sequence, shape<T, C>.
// expect-error: ctnn::Conv1D needs a sequence, shape<time steps, channels> .Input<T, C>.
// expect-near: Conv1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Conv1D<4, 3>, ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<16, 1>, ctnn::Conv1D<4, 3>, ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
