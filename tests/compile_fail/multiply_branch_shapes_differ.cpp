// Rule: the branches of a Multiply produce one shape; the message shows both and the branch number.
// expect-error: ctnn::Multiply: every branch must produce the same shape
// expect-near: at_branch<ctnn::detail::multiply_outputs, ctnn::error::path<1>, 3, ctnn::shape<4, 4, 8>, ctnn::shape<2, 2, 8>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<4, 4, 8>, Multiply<Branch<>, Branch<Tanh>, Branch<MaxPool2D<2, 2>>>>;
#else
using Net = Sequential<Input<4, 4, 8>, Multiply<Branch<>, Branch<Tanh>, Branch<MaxPool2D<1, 1>>>>;
#endif
Net net;
