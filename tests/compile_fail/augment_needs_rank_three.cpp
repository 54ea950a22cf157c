// Rule: the augmentation layers take an image, shape<height, width, channels>.
// expect-error: ctnn::RandomFlip needs an image input, shape<height, width, channels>
// expect-near: RandomFlip
// expect-near: shape<3072>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<3072>, ctnn::RandomFlip, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<32, 32, 3>, ctnn::RandomFlip, ctnn::Flatten, ctnn::Dense<10>>;
#endif
Net net;
