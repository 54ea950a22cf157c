// libFuzzer target: the CIFAR-10 batch reader on arbitrary bytes (gzip-compressed or not). Every bad
// file must end in ctnn::data::data_error.
#include <unistd.h>

#include <cstdint>
#include <ctnn/data/cifar10.hpp>
#include <fstream>
#include <string>

namespace {
const std::string file = "/tmp/ctnn_fuzz_cifar10_" + std::to_string(::getpid());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    ctnn::data::read_cifar10_batches({file});
  } catch (const ctnn::data::data_error&) {
  }
  return 0;
}
