// Rule: a recurrent layer has at least one unit.
// expect-error: ctnn::SimpleRNN needs at least one unit, as in SimpleRNN<16>
// expect-near: SimpleRNN<
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<10, 2>, ctnn::SimpleRNN<0>, ctnn::Dense<1>>;
#else
using Net = ctnn::Sequential<ctnn::Input<10, 2>, ctnn::SimpleRNN<1>, ctnn::Dense<1>>;
#endif
Net net;
