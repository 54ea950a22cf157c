// Rule: a recurrent layer reads a sequence, shape<T, F>, not an image.
// expect-error: ctnn::GRU needs a sequence, shape<time steps, features> .Input<T, F>.
// expect-near: GRU<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::GRU<4>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 8>, ctnn::GRU<4>, ctnn::Dense<2>>;
#endif
Net net;
