// The C++ side of the PyTorch interop test (tests/interop/check.py): runs ctnn on models that
// tools/ctnn_torch.py exported or tools/ctnn_onnx.py imported, and makes models for ctnn_torch.py to import.
//   predict KIND MODEL.ctnn INPUTS.f32 OUTPUTS.f32   load, run every input, write the outputs
//   make KIND MODEL.ctnn SEED                        save a randomly initialised model
// KIND: mlp, plain, cnn, resnet, resnet_folded, concat, seq, tcn, causal, mnist_mlp, mnist_mlp_flatten,
// mnist_cnn, cifar10_cnn, graph, prelu or pool1d (the types below; graph predicts only).
// Inputs and outputs are raw little-endian float32, one sample after another, in ctnn's layout (a
// Graph's sample: its inputs' values one after another, and its outputs').
#include <cstdio>
#include <cstring>
#include <ctnn/ctnn.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "samples.hpp"

using Mlp = ctnn::Sequential<ctnn::Input<20>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<16>, ctnn::ReLU,
                             ctnn::Dropout<0.5>, ctnn::Dense<5>, ctnn::Softmax>;
// As ONNX exporters write them (tests/interop/onnx_check.py): Dropout folded away in inference, and
// torch.onnx.export in eval mode folds each BatchNorm2d into the convolution before it.
using Plain = ctnn::Sequential<ctnn::Input<20>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<16>, ctnn::ReLU,
                               ctnn::Dense<5>, ctnn::Softmax>;
using Cnn =
    ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU,
                     ctnn::MaxPool2D<2, 2>, ctnn::Conv2D<6, 3, 3, ctnn::Padding::valid, 1>, ctnn::Sigmoid,
                     ctnn::Flatten, ctnn::Dense<4>, ctnn::Softmax>;

using Resnet = ctnn::Sequential<
    ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>, ctnn::BatchNormalization<>,
    ctnn::ReLU,
    ctnn::Residual<ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>, ctnn::BatchNormalization<>, ctnn::ReLU,
                   ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>, ctnn::BatchNormalization<>>,
    ctnn::ReLU, ctnn::Conv2D<12, 3, 3, ctnn::Padding::valid, 2>,
    ctnn::Add<ctnn::Branch<ctnn::Conv2D<16, 1, 1>>, ctnn::Branch<ctnn::Conv2D<16, 3, 3, ctnn::Padding::same>,
                                                                 ctnn::BatchNormalization<>, ctnn::ReLU>>,
    ctnn::GlobalAveragePool2D, ctnn::Flatten, ctnn::Dense<5>, ctnn::Softmax>;
using ResnetFolded =
    ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
                     ctnn::Residual<ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
                                    ctnn::Conv2D<8, 3, 3, ctnn::Padding::same>>,
                     ctnn::ReLU, ctnn::Conv2D<12, 3, 3, ctnn::Padding::valid, 2>,
                     ctnn::Add<ctnn::Branch<ctnn::Conv2D<16, 1, 1>>,
                               ctnn::Branch<ctnn::Conv2D<16, 3, 3, ctnn::Padding::same>, ctnn::ReLU>>,
                     ctnn::GlobalAveragePool2D, ctnn::Flatten, ctnn::Dense<5>, ctnn::Softmax>;
using Concat =
    ctnn::Sequential<ctnn::Input<20>,
                     ctnn::Concat<ctnn::Branch<ctnn::Dense<8>, ctnn::Tanh>,
                                  ctnn::Branch<ctnn::Dense<6>, ctnn::BatchNormalization<>, ctnn::ReLU>>,
                     ctnn::Dense<3>, ctnn::Softmax>;

// Sequences: a strided valid Conv1D, GRU and LSTM returning every step, a per-step Dense between them,
// SimpleRNN's last step; a causal dilated stack with a residual block and a same Conv1D (exported
// only: the file holds no dilation); a causal Conv1D without dilation into a GRU (imported with
// --conv1d-padding causal).
using Seq = ctnn::Sequential<ctnn::Input<12, 3>, ctnn::Conv1D<4, 3, ctnn::Padding::valid, 2>, ctnn::Tanh,
                             ctnn::GRU<8, ctnn::Returns::sequences>, ctnn::TimeDistributed<ctnn::Dense<7>>,
                             ctnn::LSTM<6, ctnn::Returns::sequences>, ctnn::SimpleRNN<5>, ctnn::Dense<2>>;
using Tcn = ctnn::Sequential<ctnn::Input<16, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 2>, ctnn::Tanh,
                             ctnn::Residual<ctnn::Conv1D<4, 2, ctnn::Padding::causal, 1, 4>, ctnn::Tanh>,
                             ctnn::Conv1D<3, 3, ctnn::Padding::same>, ctnn::Sigmoid,
                             ctnn::TimeDistributed<ctnn::Dense<1>>>;
using Causal =
    ctnn::Sequential<ctnn::Input<10, 2>, ctnn::Conv1D<3, 2, ctnn::Padding::causal>, ctnn::Tanh,
                     ctnn::GRU<4, ctnn::Returns::sequences>, ctnn::TimeDistributed<ctnn::Dense<1>>>;

// Seed models as torch.onnx.export writes them: Dropout gone in inference, RandomFlip and
// RandomTranslation too (the identity in inference; PyTorch's models have no such layer).
using MnistMlp = ctnn::Sequential<ctnn::Input<784>, ctnn::Dense<512>, ctnn::ReLU, ctnn::Dense<512>, ctnn::ReLU,
                                  ctnn::Dense<10>, ctnn::Softmax>;
using MnistMlpFlatten = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<128>, ctnn::ReLU,
                                         ctnn::Dense<10>, ctnn::Softmax>;
using MnistCnn =
    ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<32, 3, 3>, ctnn::ReLU, ctnn::Conv2D<64, 3, 3>, ctnn::ReLU,
                     ctnn::MaxPool2D<2, 2>, ctnn::Flatten, ctnn::Dense<128>, ctnn::ReLU, ctnn::Dense<10>,
                     ctnn::Softmax>;
using Cifar10Cnn = ctnn::Sequential<ctnn::Input<32, 32, 3>, ctnn::Conv2D<32, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
                                    ctnn::Conv2D<32, 3, 3>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>,
                                    ctnn::Conv2D<64, 3, 3, ctnn::Padding::same>, ctnn::ReLU, ctnn::Conv2D<64, 3, 3>,
                                    ctnn::ReLU, ctnn::MaxPool2D<2, 2>, ctnn::Flatten, ctnn::Dense<512>, ctnn::ReLU,
                                    ctnn::Dense<10>, ctnn::Softmax>;

// Two inputs (an image and a vector) and two heads (classes and a value), as ONNX in makes it
// (tests/interop/torch_models.py's "graph"): each ONNX node a node, named after it.
using TwoHeads = ctnn::Graph<
    ctnn::Inputs<ctnn::In<"image", 8, 8, 2>, ctnn::In<"meta", 5>>, ctnn::Node<"conv_Conv", ctnn::Conv2D<4, 3, 3>, "image">,
    ctnn::Node<"channels_PRelu", ctnn::PReLU<ctnn::Slopes::per_channel>, "conv_Conv">,
    ctnn::Node<"GlobalAveragePool", ctnn::GlobalAveragePool2D, "channels_PRelu">,
    ctnn::Node<"Flatten", ctnn::Flatten, "GlobalAveragePool">, ctnn::Node<"gate_Gemm", ctnn::Dense<4>, "meta">,
    ctnn::Node<"one_PRelu", ctnn::PReLU<ctnn::Slopes::one>, "gate_Gemm">, ctnn::Node<"Tanh", ctnn::Tanh, "one_PRelu">,
    ctnn::Node<"Mul", ctnn::Multiply<>, "Flatten", "Tanh">, ctnn::Node<"Concat", ctnn::Concat<>, "Mul", "Flatten", "meta">,
    ctnn::Node<"logits_Gemm", ctnn::Dense<3>, "Concat">, ctnn::Node<"class", ctnn::Softmax, "logits_Gemm">,
    ctnn::Node<"value", ctnn::Dense<1>, "Concat">, ctnn::Outputs<"class", "value">>;

// PReLU's three forms, as ctnn_torch.py and ctnn_onnx.py map nn.PReLU(C), nn.PReLU(F) and nn.PReLU().
using Prelu = ctnn::Sequential<ctnn::Input<6, 6, 2>, ctnn::Conv2D<3, 3, 3>, ctnn::PReLU<ctnn::Slopes::per_channel>,
                               ctnn::Flatten, ctnn::Dense<4>, ctnn::PReLU<>, ctnn::Dense<6>,
                               ctnn::PReLU<ctnn::Slopes::one>, ctnn::Softmax>;

using Pool1d = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<3, 3>, ctnn::Tanh, ctnn::GlobalAveragePool1D,
                                ctnn::Flatten, ctnn::Dense<2>>;

template <class Net>
int make(Net& net, const std::string& model, const std::string& seed) {
  net.initialize(std::stoull(seed));
  for (auto& v : net.parameters()) v += 0.05f;  // biases too, so that they are not all zero
  if constexpr (Net::buffer_count > 0) {        // moving statistics as after some training
    auto ws = std::make_unique<typename Net::template workspace<16>>();
    Eigen::Matrix<float, Net::input_shape::size, Eigen::Dynamic> x(Net::input_shape::size, 16);
    for (int step = 0; step < 50; ++step) {
      x.setRandom();
      net.forward(*ws, x, ctnn::mode::training);
      net.update_buffers(*ws);
    }
  }
  ctnn::save(net, model);
  return 0;
}

template <class Net>
int run(const std::string& mode, const std::string& model, const std::string& a, const std::string& b) {
  auto net = std::make_unique<Net>(1);
  if constexpr (!support::graph<Net>) {
    if (mode == "make") return make(*net, model, a);
  }
  ctnn::load(*net, model);
  std::ifstream in(a, std::ios::binary);
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
  std::vector<float> x(raw.size() / sizeof(float));
  std::memcpy(x.data(), raw.data(), x.size() * sizeof(float));
  constexpr std::size_t size = support::total(support::sample_sizes<Net>::inputs);
  if (x.size() % size != 0) {
    std::cerr << "inputs: " << x.size() << " floats is not a whole number of samples of " << size << "\n";
    return 1;
  }
  const auto y = support::predict_samples(*net, x);
  std::ofstream out(b, std::ios::binary);
  out.write(reinterpret_cast<const char*>(y.data()), static_cast<std::streamsize>(y.size() * sizeof(float)));
  return 0;
}

int main(int argc, char** argv) try {
  if (argc != 5 && argc != 6) {
    std::cerr << "usage: " << argv[0]
              << " predict KIND MODEL INPUTS OUTPUTS | make KIND MODEL SEED (KIND: mlp plain cnn resnet "
                 "resnet_folded concat seq tcn causal mnist_mlp mnist_mlp_flatten mnist_cnn cifar10_cnn graph prelu pool1d)\n";
    return 2;
  }
  const std::string mode = argv[1], net = argv[2];
  const std::string b = argc > 5 ? argv[5] : "";
  if (net == "mlp") return run<Mlp>(mode, argv[3], argv[4], b);
  if (net == "plain") return run<Plain>(mode, argv[3], argv[4], b);
  if (net == "resnet_folded") return run<ResnetFolded>(mode, argv[3], argv[4], b);
  if (net == "resnet") return run<Resnet>(mode, argv[3], argv[4], b);
  if (net == "concat") return run<Concat>(mode, argv[3], argv[4], b);
  if (net == "seq") return run<Seq>(mode, argv[3], argv[4], b);
  if (net == "tcn") return run<Tcn>(mode, argv[3], argv[4], b);
  if (net == "causal") return run<Causal>(mode, argv[3], argv[4], b);
  if (net == "mnist_mlp") return run<MnistMlp>(mode, argv[3], argv[4], b);
  if (net == "mnist_mlp_flatten") return run<MnistMlpFlatten>(mode, argv[3], argv[4], b);
  if (net == "mnist_cnn") return run<MnistCnn>(mode, argv[3], argv[4], b);
  if (net == "cifar10_cnn") return run<Cifar10Cnn>(mode, argv[3], argv[4], b);
  if (net == "graph") return run<TwoHeads>(mode, argv[3], argv[4], b);
  if (net == "prelu") return run<Prelu>(mode, argv[3], argv[4], b);
  if (net == "pool1d") return run<Pool1d>(mode, argv[3], argv[4], b);
  return run<Cnn>(mode, argv[3], argv[4], b);
} catch (const std::exception& e) {
  std::cerr << e.what() << "\n";
  return 1;
}
