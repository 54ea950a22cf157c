// The low-level API's preconditions (CTNN_EXPECTS, include/ctnn/config.hpp), built with CTNN_CHECKS so
// that they hold in every build type. Each case breaks one and must end with ctnn's message on stderr
// (tests/CMakeLists.txt matches it); "ok" breaks none and must exit 0.
//   expects <case>     case: ok, input_above_max, label_above_classes, label_far_out, label_negative
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctnn/ctnn.hpp>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  // CTest counts a signal as a crash whatever the output says: abort() becomes an ordinary exit.
  std::signal(SIGABRT, [](int) { std::_Exit(86); });
  using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<10>, ctnn::Softmax>;
  Net net(1);
  Net::workspace<8> ws;
  const std::string_view what = argc > 1 ? argv[1] : "ok";
  std::vector<int> labels{0, 1, 2, 3};
  if (what == "input_above_max") {
    ws.input(9).setZero();  // MaxB is 8
  } else {
    ws.input(4).setRandom();
  }
  net.forward(ws, ctnn::mode::training);
  if (what == "label_above_classes") labels[2] = 10;  // 10 classes: 0-9
  if (what == "label_far_out") labels[1] = 1'000'000;
  if (what == "label_negative") labels[3] = -1;
  const float loss = net.backward(ws, ctnn::SparseCategoricalCrossEntropy{}, labels);
  std::printf("loss %g\n", static_cast<double>(loss));
  return what == "ok" ? 0 : 3;  // a broken precondition that got this far is a failure
}
