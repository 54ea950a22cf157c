// Seed recipe 2: a small MLP on 28x28 images with Dropout, Adam, sparse categorical cross-entropy,
// batch 32 (Keras' default), 5 epochs.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/mnist.hpp>

#include "flags.hpp"

using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<128>, ctnn::ReLU,
                             ctnn::Dropout<0.2>, ctnn::Dense<10>, ctnn::Softmax>;

int main(int argc, char** argv) try {
  const recipe_flags flags = parse_flags(argc, argv, 5);
  const auto mnist = ctnn::data::load_mnist(flags.data);

  auto net = std::make_unique<Net>(flags.seed);
  ctnn::trainer trainer(*net, ctnn::SparseCategoricalCrossEntropy{}, ctnn::Adam{});
  const auto history = trainer.fit(mnist.train.images, mnist.train.labels,
                                   {.epochs = flags.epochs,
                                    .batch_size = 32,
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
