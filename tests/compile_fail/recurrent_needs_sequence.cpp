// Rule: a recurrent layer reads a sequence, shape<T, F>; one that returns only its last step gives a
// rank-1 output, so a recurrent layer after it needs the first to return its sequence.
// expect-error: ctnn::LSTM needs a sequence, shape<time steps, features> .Input<T, F>.; a recurrent layer before it must return its sequence .Returns::sequences.
// expect-near: LSTM<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::LSTM<16>, ctnn::LSTM<8>, ctnn::Dense<10>>;
#else
using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::LSTM<16, ctnn::Returns::sequences>, ctnn::LSTM<8>,
                             ctnn::Dense<10>>;
#endif
Net net;
