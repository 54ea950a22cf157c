// Rule: causal padding is for sequences; Conv2D takes valid or same.
// expect-error: ctnn::Conv2D: Padding::causal is for sequences .Conv1D.; use Padding::valid or same
// expect-near: Conv2D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::Conv2D<4, 3, 3, ctnn::Padding::causal>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 8, 1>, ctnn::Conv2D<4, 3, 3, ctnn::Padding::same>, ctnn::Flatten,
                             ctnn::Dense<2>>;
#endif
Net net;
