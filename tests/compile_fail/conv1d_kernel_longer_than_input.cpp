// Rule: with valid padding, the kernel's span, (Kernel - 1) x Dilation + 1 steps, fits in the input.
// expect-error: ctnn::Conv1D: the kernel, .Kernel - 1. x Dilation . 1 steps, is longer than its valid input;
// use Padding::same or causal, or a shorter kernel expect-near: Conv1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::valid, 1, 4>, ctnn::Flatten,
                             ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 4>,
                             ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
