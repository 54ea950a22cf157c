// Sequence recipe 1: MNIST read as a sequence, 28 rows of 28 pixels, one row per time step:
// LSTM<128> (the last step's state), Dense<10>, Softmax; Adam, sparse categorical cross-entropy,
// batch 128.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/mnist.hpp>

#include "flags.hpp"

using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::LSTM<128>, ctnn::Dense<10>, ctnn::Softmax>;
static_assert(Net::parameter_count == 4 * 128 * (28 + 128 + 1) + 10 * (128 + 1));  // Keras' 80,384 + 1,290

int main(int argc, char** argv) try {
  const recipe_flags flags = parse_flags(argc, argv, 16);
  const auto mnist = ctnn::data::load_mnist(flags.data);

  if (!flags.quiet) ctnn::summary<Net>(std::cout);
  auto net = std::make_unique<Net>(flags.seed);
  ctnn::trainer trainer(*net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  const auto history =
      trainer.fit(mnist.train.images, mnist.train.labels, mnist.test.images, mnist.test.labels,
                  {.epochs = flags.epochs,
                   .batch_size = 128,
                   .seed = flags.seed,
                   .verbose = flags.quiet ? 0 : 1,
                   .threads = flags.threads});
  if (!flags.history.empty()) history.write_csv(flags.history);
  std::printf("test accuracy: %.4f\n",
              trainer.evaluate(mnist.test.images, mnist.test.labels, 128, flags.threads).accuracy());
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
