// Rule: the streaming form runs one step at a time, so every layer over time must be able to: a valid
// or same Conv1D, a pool or a Flatten over time needs the whole sequence.
// expect-error: ctnn::streaming: this layer cannot run one time step at a time
// expect-near: cannot_stream<2, ctnn::Conv1D<
#include <ctnn/ctnn.hpp>
#include <ctnn/streaming.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<64, 1>, ctnn::Conv1D<8, 3, ctnn::Padding::causal>,
                             ctnn::Conv1D<8, 3, ctnn::Padding::same>, ctnn::TimeDistributed<ctnn::Dense<1>>>;
#else
using Net =
    ctnn::Sequential<ctnn::Input<64, 1>, ctnn::Conv1D<8, 3, ctnn::Padding::causal>,
                     ctnn::Conv1D<8, 3, ctnn::Padding::causal>, ctnn::TimeDistributed<ctnn::Dense<1>>>;
#endif
ctnn::streaming<Net> model;
