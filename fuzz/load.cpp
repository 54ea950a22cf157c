// libFuzzer target: ctnn::load and trainer::load_checkpoint on arbitrary bytes. Every bad file must
// end in ctnn::load_error; anything else (a crash, a leak, another exception) is a finding.
#include <unistd.h>

#include <cstdint>
#include <ctnn/ctnn.hpp>
#include <fstream>
#include <string>

namespace {
using Net = ctnn::Sequential<ctnn::Input<4, 4, 2>, ctnn::Conv2D<3, 3, 3>, ctnn::ReLU, ctnn::Flatten, ctnn::Dense<2>,
                             ctnn::Softmax>;
const std::string file = "/tmp/ctnn_fuzz_load_" + std::to_string(::getpid());
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  static Net net;
  try {
    ctnn::load(net, file);
  } catch (const ctnn::load_error&) {
  }
  static ctnn::trainer trainer(net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  try {
    trainer.load_checkpoint(file);
  } catch (const ctnn::load_error&) {
  }
  return 0;
}
