// Seed recipe 3 (the main job, ./scripts/demo): the MNIST MLP with RMSprop, categorical
// cross-entropy, batch 128, 5 epochs.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/mnist.hpp>

#include "flags.hpp"

using Net = ctnn::Sequential<ctnn::Input<784>, ctnn::Dense<512>, ctnn::ReLU, ctnn::Dense<512>, ctnn::ReLU,
                             ctnn::Dense<10>, ctnn::Softmax>;

int main(int argc, char** argv) try {
  const recipe_flags flags = parse_flags(argc, argv, 5);
  const auto mnist = ctnn::data::load_mnist(flags.data);
  const auto y_train = ctnn::data::one_hot<10>(mnist.train.labels);
  const auto y_test = ctnn::data::one_hot<10>(mnist.test.labels);

  if (!flags.quiet) ctnn::summary<Net>(std::cout);
  auto net = std::make_unique<Net>(flags.seed);
  ctnn::trainer trainer(*net, ctnn::CategoricalCrossEntropy{}, ctnn::RMSprop{});
  const auto history = trainer.fit(mnist.train.images, y_train, mnist.test.images, y_test,
                                   {.epochs = flags.epochs,
                                    .batch_size = 128,
                                    .seed = flags.seed,
                                    .verbose = flags.quiet ? 0 : 1,
                                    .threads = flags.threads});
  if (!flags.history.empty()) history.write_csv(flags.history);
  std::printf("test accuracy: %.4f\n",
              trainer.evaluate(mnist.test.images, y_test, 128, flags.threads).accuracy());
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
