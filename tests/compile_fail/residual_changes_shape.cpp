// Rule: a Residual's layers give back their input's shape (y = x + f(x)).
// expect-error: ctnn::Residual: the layers must give back their input's shape
// expect-near: at_branch<ctnn::detail::residual_outputs, ctnn::error::path<3>, 2, ctnn::shape<16>, ctnn::shape<8>
#include <ctnn/ctnn.hpp>
using namespace ctnn;
#ifdef CTNN_SHOULD_FAIL
using Net = Sequential<Input<4>, Dense<16>, ReLU, Residual<Dense<8>, ReLU>, Dense<2>>;
#else
using Net = Sequential<Input<4>, Dense<16>, ReLU, Residual<Dense<16>, ReLU>, Dense<2>>;
#endif
Net net;
