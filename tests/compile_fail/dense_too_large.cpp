// Rule: a Dense layer whose parameter count overflows std::size_t is refused (it used to wrap).
// expect-error: ctnn::Dense: Units x \(inputs \+ 1\) parameters overflow std::size_t
// expect-near: at_layer<1, ctnn::Dense<18446744073709551615
#include <ctnn/ctnn.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<18446744073709551615ull>>;
#else
using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<1000>>;
#endif
Net net;
