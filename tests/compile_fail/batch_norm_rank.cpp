// Rule: BatchNormalization normalises features (rank 1) or an image's channels (rank 3).
// expect-error: ctnn::BatchNormalization normalises a rank-1 input .features. or a rank-3 one
// expect-near: BatchNormalization<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4, 5>, ctnn::BatchNormalization<>, ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4, 5>, ctnn::Flatten, ctnn::BatchNormalization<>, ctnn::Dense<2>>;
#endif
Net net;
