// Rule: predict takes one sample of Net::input_shape::size values.
// expect-error: ctnn: predict takes one sample
#include <ctnn/ctnn.hpp>
using Net = ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<4>>;
#ifdef CTNN_SHOULD_FAIL
using Sample = Eigen::Matrix<float, 15, 1>;
#else
using Sample = Eigen::Matrix<float, 16, 1>;
#endif
Eigen::Matrix<float, 4, 1> run(Net& net, const Sample& x) {
  return net.predict(x);
}
