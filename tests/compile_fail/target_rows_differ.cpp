// Rule: a dense target has one row per network output.
// expect-error: ctnn: the target must have one row per network output
// expect-near: MeanSquaredError, ctnn::shape<4>
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<8>, ctnn::Tanh, ctnn::Dense<4>>;
#ifdef CTNN_SHOULD_FAIL
using Target = Eigen::Matrix<float, 3, Eigen::Dynamic>;
#else
using Target = Eigen::Matrix<float, 4, Eigen::Dynamic>;
#endif
float step(Net& net, Net::workspace<8>& ws, const Target& t) {
  return net.backward(ws, ctnn::MeanSquaredError{}, t);
}
