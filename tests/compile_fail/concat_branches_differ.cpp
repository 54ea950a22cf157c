// Rule: the branches of a Concat agree on every axis but the last (here one is pooled, one is not).
// expect-error: ctnn::Concat: the branches' outputs must agree on every axis but the last
// expect-near: at_branch<ctnn::detail::concat_outputs, ctnn::error::path<2>, 2, ctnn::shape<8, 8, 4>, ctnn::shape<4, 4, 2>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>,
                       Concat<Branch<>, Branch<Conv2D<2, 3, 3, Padding::same>, MaxPool2D<2, 2>>>>;
#else
using Net = Sequential<Input<8, 8, 3>, Conv2D<4, 3, 3, Padding::same>,
                       Concat<Branch<>, Branch<Conv2D<2, 3, 3, Padding::same>>>>;
#endif
Net net;
