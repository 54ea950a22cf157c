// A small ResNet for CIFAR-10 (issue 12's recipe): a 3x3 convolution of 16, three stages of two
// residual blocks of two 3x3 convolutions with BatchNormalization (widths 16, 32, 64; each later stage
// opens with a strided 1x1 projection shortcut), global average pooling, Dense 10. Random flips and
// shifts of up to 10 %, Adam, batch 64, 40 epochs; the learning rate is 1e-3 for the first 60 % of the
// epochs, 1e-4 to 90 %, then 1e-5 (Keras' CIFAR-10 ResNet example steps its rate down by tens too,
// over 200 epochs).
//   cifar10_resnet [--epochs N] [--threads N] [--data DIR] [--history FILE.csv] [--seed N] [--quiet]
#include <ctnn/ctnn.hpp>
#include <ctnn/data/cifar10.hpp>

#include "flags.hpp"

using namespace ctnn;

// y = relu(x + f(x)), f = conv, BN, relu, conv, BN: the identity block of ResNet v1.
template <std::size_t Width>
using identity_block = Residual<Conv2D<Width, 3, 3, Padding::same>, BatchNormalization<>, ReLU,
                                Conv2D<Width, 3, 3, Padding::same>, BatchNormalization<>>;
// The block that halves the image and widens it: the shortcut is a strided 1x1 convolution with BN.
template <std::size_t Width>
using down_block = Add<Branch<Conv2D<Width, 1, 1, Padding::valid, 2>, BatchNormalization<>>,
                       Branch<Conv2D<Width, 3, 3, Padding::same, 2>, BatchNormalization<>, ReLU,
                              Conv2D<Width, 3, 3, Padding::same>, BatchNormalization<>>>;

using Net = Sequential<Input<32, 32, 3>, RandomFlip, RandomTranslation<0.1>,         //
                       Conv2D<16, 3, 3, Padding::same>, BatchNormalization<>, ReLU,  //
                       identity_block<16>, ReLU, identity_block<16>, ReLU,           //
                       down_block<32>, ReLU, identity_block<32>, ReLU,               //
                       down_block<64>, ReLU, identity_block<64>, ReLU,               //
                       GlobalAveragePool2D, Dense<10>, Softmax>;

// The same network in Keras (Conv2D, BatchNormalization, Add, GlobalAveragePooling2D, Dense) has
// 176,938 weights, 175,818 of them trainable: its summary counts BatchNormalization's moving statistics too.
static_assert(Net::parameter_count + Net::buffer_count == 176'938);
static_assert(Net::parameter_count == 175'818 && Net::buffer_count == 1'120);

int main(int argc, char** argv) try {
  const recipe_flags flags = parse_flags(argc, argv, 40);
  const auto cifar = data::load_cifar10(flags.data);
  const auto y_train = data::one_hot<10>(cifar.train.labels);
  const auto y_test = data::one_hot<10>(cifar.test.labels);

  if (!flags.quiet) summary<Net>(std::cout);
  auto net = std::make_unique<Net>(flags.seed);
  trainer<Net, CategoricalCrossEntropy, Adam, 64> trainer(*net, CategoricalCrossEntropy{}, Adam{});
  const auto history = trainer.fit(cifar.train.images, y_train, cifar.test.images, y_test,
                                   {.epochs = flags.epochs,
                                    .batch_size = 64,
                                    .seed = flags.seed,
                                    .verbose = flags.quiet ? 0 : 1,
                                    .threads = flags.threads,
                                    .learning_rate_schedule = [&](std::size_t epoch, double) {
                                      const double done = double(epoch) / double(flags.epochs);
                                      return done < 0.6 ? 1e-3 : done < 0.9 ? 1e-4 : 1e-5;
                                    }});
  if (!flags.history.empty()) history.write_csv(flags.history);
  std::printf("test accuracy: %.4f\n",
              trainer.evaluate(cifar.test.images, y_test, 64, flags.threads).accuracy());
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
