// Rule: the 1-D pools read a sequence, shape<T, C>.
// expect-error: ctnn::MaxPool1D needs a sequence, shape<time steps, channels>
// expect-near: MaxPool1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::MaxPool1D<2>, ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 8>, ctnn::MaxPool1D<2>, ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
