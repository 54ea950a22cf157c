// Rule: BatchNormalization's epsilon is above 0 (it keeps the division away from zero variance).
// expect-error: ctnn::BatchNormalization needs an epsilon above 0
// expect-near: BatchNormalization<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::BatchNormalization<0.99, 0.0>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::BatchNormalization<0.99, 0.001>, ctnn::Dense<2>>;
#endif
Net net;
