// CNN seed recipe 2: the Keras CIFAR-10 CNN. Four convolutions in two blocks, max pooling, Dropout,
// RMSprop (learning rate 1e-4), categorical cross-entropy, batch 32, with random horizontal flips and
// shifts of up to 10% as data augmentation (the Keras example's ImageDataGenerator settings).
#include <ctnn/ctnn.hpp>
#include <ctnn/data/cifar10.hpp>

#include "flags.hpp"

using namespace ctnn;
using Net = Sequential<Input<32, 32, 3>, RandomFlip, RandomTranslation<0.1>,           //
                       Conv2D<32, 3, 3, Padding::same>, ReLU, Conv2D<32, 3, 3>, ReLU,  //
                       MaxPool2D<2, 2>, Dropout<0.25>,                                 //
                       Conv2D<64, 3, 3, Padding::same>, ReLU, Conv2D<64, 3, 3>, ReLU,  //
                       MaxPool2D<2, 2>, Dropout<0.25>,                                 //
                       Flatten, Dense<512>, ReLU, Dropout<0.5>, Dense<10>, Softmax>;

int main(int argc, char** argv) try {
  const recipe_flags flags = parse_flags(argc, argv, 25);
  const auto cifar = data::load_cifar10(flags.data);
  const auto y_train = data::one_hot<10>(cifar.train.labels);
  const auto y_test = data::one_hot<10>(cifar.test.labels);

  if (!flags.quiet) summary<Net>(std::cout);
  auto net = std::make_unique<Net>(flags.seed);
  trainer trainer(*net, CategoricalCrossEntropy{}, RMSprop{.learning_rate = 1e-4});
  const auto history = trainer.fit(cifar.train.images, y_train, cifar.test.images, y_test,
                                   {.epochs = flags.epochs,
                                    .batch_size = 32,
                                    .seed = flags.seed,
                                    .verbose = flags.quiet ? 0 : 1,
                                    .threads = flags.threads});
  if (!flags.history.empty()) history.write_csv(flags.history);
  std::printf("test accuracy: %.4f\n",
              trainer.evaluate(cifar.test.images, y_test, 128, flags.threads).accuracy());
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
