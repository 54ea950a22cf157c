// Rule: BatchNormalization's momentum lies in [0, 1] (Keras' moving = momentum * moving + ...).
// expect-error: ctnn::BatchNormalization needs a momentum in
// expect-near: BatchNormalization<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::BatchNormalization<1.5>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::BatchNormalization<0.9>, ctnn::Dense<2>>;
#endif
Net net;
