// Rule: TimeDistributed applies its layer to each step of a sequence (rank 2 or more).
// expect-error: ctnn::TimeDistributed needs a sequence, shape<time steps, ...>; a recurrent layer before it
// must return its sequence .Returns::sequences. expect-near: TimeDistributed<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<6, 3>, ctnn::LSTM<4>, ctnn::TimeDistributed<ctnn::Dense<1>>>;
#else
using Net = ctnn::Sequential<ctnn::Input<6, 3>, ctnn::LSTM<4, ctnn::Returns::sequences>,
                             ctnn::TimeDistributed<ctnn::Dense<1>>>;
#endif
Net net;
