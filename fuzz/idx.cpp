// libFuzzer target: the MNIST IDX reader (through zlib, so gzip streams too) and the MNIST pair
// check on arbitrary bytes. Every bad file must end in ctnn::data::data_error.
#include <unistd.h>

#include <cstdint>
#include <ctnn/data/mnist.hpp>
#include <fstream>
#include <string>

namespace {
const std::string file = "/tmp/ctnn_fuzz_idx_" + std::to_string(::getpid());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    ctnn::data::read_idx(file);
  } catch (const ctnn::data::data_error&) {
  }
  try {
    ctnn::data::read_mnist_pair(file, file);
  } catch (const ctnn::data::data_error&) {
  }
  return 0;
}
