// Rule: a 1-D pool holds between 1 step and the whole sequence.
// expect-error: ctnn::AveragePool1D: the pool must hold between 1 step and the whole sequence
// expect-near: AveragePool1D<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4, 3>, ctnn::AveragePool1D<5>, ctnn::Flatten, ctnn::Dense<2>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4, 3>, ctnn::AveragePool1D<4>, ctnn::Flatten, ctnn::Dense<2>>;
#endif
Net net;
