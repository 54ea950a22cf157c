// Rule: PReLU's second argument is the slopes' initialiser; an activation there is refused.
// expect-error: ctnn::PReLU: its second argument is the slopes' initialiser
// expect-near: at_layer<2, ctnn::PReLU<ctnn::Slopes::per_channel, ctnn::ReLU>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<6, 6, 2>, ctnn::Conv2D<4, 3, 3>, ctnn::PReLU<ctnn::Slopes::per_channel, ctnn::ReLU>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<6, 6, 2>, ctnn::Conv2D<4, 3, 3>, ctnn::PReLU<ctnn::Slopes::per_channel, ctnn::Ones>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
