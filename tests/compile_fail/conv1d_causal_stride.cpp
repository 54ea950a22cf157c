// Rule: causal padding takes stride 1.
// expect-error: ctnn::Conv1D: causal padding takes stride 1 .use Dilation to widen the view.
// expect-near: Conv1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 2>, ctnn::Flatten,
                             ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 2>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
