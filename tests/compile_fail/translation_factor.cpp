// Rule: a RandomTranslation factor is a fraction of the image, in [0, 1].
// expect-error: ctnn::RandomTranslation needs factors in [0, 1], as in RandomTranslation<0.1>
// expect-near: RandomTranslation<
// expect-near: shape<32, 32, 3>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net =
    ctnn::Sequential<ctnn::Input<32, 32, 3>, ctnn::RandomTranslation<1.5>, ctnn::Flatten, ctnn::Dense<10>>;
#else
using Net =
    ctnn::Sequential<ctnn::Input<32, 32, 3>, ctnn::RandomTranslation<1.0>, ctnn::Flatten, ctnn::Dense<10>>;
#endif
Net net;
