// Rule: LeakyReLU's slope is not negative (as Keras 3).
// expect-error: ctnn::LeakyReLU: the slope must not be negative
// expect-near: at_layer<2, ctnn::LeakyReLU<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::LeakyReLU<-0.3>, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, ctnn::LeakyReLU<0.3>, ctnn::Dense<2>>;
#endif
Net net;
