"""The PyTorch models of the interop tests and the ctnn types they convert to (tests/interop/predict.cpp
compiles the same types, by kind): shared by check.py (tools/ctnn_torch.py, both ways) and
onnx_check.py (tools/ctnn_onnx.py, on torch.onnx.export's files). The caller puts tools/ on sys.path.
"""
import torch
from torch import nn

import ctnn_torch  # its block modules, Recurrent and Conv1d

MLP_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<20>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<16>, "
            "ctnn::ReLU, ctnn::Dropout<0.5>, ctnn::Dense<5>, ctnn::Softmax>;")
CNN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, "
            "ctnn::ReLU, ctnn::MaxPool2D<2, 2>, ctnn::Conv2D<6, 3, 3, ctnn::Padding::valid, 1>, ctnn::Sigmoid, "
            "ctnn::Flatten, ctnn::Dense<4>, ctnn::Softmax>;")


RESNET_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, "
               "ctnn::BatchNormalization<0.99, 0.001>, ctnn::ReLU, ctnn::Residual<ctnn::Conv2D<8, 3, 3, "
               "ctnn::Padding::same, 1>, ctnn::BatchNormalization<0.99, 0.001>, ctnn::ReLU, ctnn::Conv2D<8, 3, 3, "
               "ctnn::Padding::same, 1>, ctnn::BatchNormalization<0.99, 0.001>>, ctnn::ReLU, ctnn::Conv2D<12, 3, 3, "
               "ctnn::Padding::valid, 2>, ctnn::Add<ctnn::Branch<ctnn::Conv2D<16, 1, 1, ctnn::Padding::valid, 1>>, "
               "ctnn::Branch<ctnn::Conv2D<16, 3, 3, ctnn::Padding::same, 1>, ctnn::BatchNormalization<0.99, 0.001>, "
               "ctnn::ReLU>>, ctnn::GlobalAveragePool2D, ctnn::Flatten, ctnn::Dense<5>, ctnn::Softmax>;")
CONCAT_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<20>, ctnn::Concat<ctnn::Branch<ctnn::Dense<8>, ctnn::Tanh>, "
               "ctnn::Branch<ctnn::Dense<6>, ctnn::BatchNormalization<0.99, 0.001>, ctnn::ReLU>>, ctnn::Dense<3>, "
               "ctnn::Softmax>;")


SEQ_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<12, 3>, ctnn::Conv1D<4, 3, ctnn::Padding::valid, 2, 1>, "
            "ctnn::Tanh, ctnn::GRU<8, ctnn::Returns::sequences>, ctnn::TimeDistributed<ctnn::Dense<7>>, "
            "ctnn::LSTM<6, ctnn::Returns::sequences>, ctnn::SimpleRNN<5>, ctnn::Dense<2>>;")
TCN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<16, 2>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 2>, "
            "ctnn::Tanh, ctnn::Residual<ctnn::Conv1D<4, 2, ctnn::Padding::causal, 1, 4>, ctnn::Tanh>, "
            "ctnn::Conv1D<3, 3, ctnn::Padding::same, 1, 1>, ctnn::Sigmoid, ctnn::TimeDistributed<ctnn::Dense<1>>>;")
CAUSAL_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<10, 2>, ctnn::Conv1D<3, 2, ctnn::Padding::causal, 1, 1>, "
               "ctnn::Tanh, ctnn::GRU<4, ctnn::Returns::sequences>, ctnn::TimeDistributed<ctnn::Dense<1>>>;")
PLAIN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<20>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<16>, "
              "ctnn::ReLU, ctnn::Dense<5>, ctnn::Softmax>;")
FOLDED_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, "
               "ctnn::ReLU, ctnn::Residual<ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU, "
               "ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>>, ctnn::ReLU, ctnn::Conv2D<12, 3, 3, "
               "ctnn::Padding::valid, 2>, ctnn::Add<ctnn::Branch<ctnn::Conv2D<16, 1, 1, ctnn::Padding::valid, 1>>, "
               "ctnn::Branch<ctnn::Conv2D<16, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU>>, ctnn::GlobalAveragePool2D, "
               "ctnn::Flatten, ctnn::Dense<5>, ctnn::Softmax>;")


MNIST_MLP_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<784>, ctnn::Dense<512>, ctnn::ReLU, ctnn::Dense<512>, "
                  "ctnn::ReLU, ctnn::Dense<10>, ctnn::Softmax>;")
MNIST_MLP_FLATTEN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<28, 28>, ctnn::Flatten, ctnn::Dense<128>, "
                          "ctnn::ReLU, ctnn::Dense<10>, ctnn::Softmax>;")
MNIST_CNN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<28, 28, 1>, ctnn::Conv2D<32, 3, 3, ctnn::Padding::valid, 1>, "
                  "ctnn::ReLU, ctnn::Conv2D<64, 3, 3, ctnn::Padding::valid, 1>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>, "
                  "ctnn::Flatten, ctnn::Dense<128>, ctnn::ReLU, ctnn::Dense<10>, ctnn::Softmax>;")
CIFAR10_CNN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<32, 32, 3>, ctnn::Conv2D<32, 3, 3, ctnn::Padding::same, 1>, "
                    "ctnn::ReLU, ctnn::Conv2D<32, 3, 3, ctnn::Padding::valid, 1>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>, "
                    "ctnn::Conv2D<64, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU, ctnn::Conv2D<64, 3, 3, "
                    "ctnn::Padding::valid, 1>, ctnn::ReLU, ctnn::MaxPool2D<2, 2>, ctnn::Flatten, ctnn::Dense<512>, "
                    "ctnn::ReLU, ctnn::Dense<10>, ctnn::Softmax>;")
PRELU_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<6, 6, 2>, ctnn::Conv2D<3, 3, 3, ctnn::Padding::valid, 1>, "
              "ctnn::PReLU<ctnn::Slopes::per_channel>, ctnn::Flatten, ctnn::Dense<4>, ctnn::PReLU<>, ctnn::Dense<6>, "
              "ctnn::PReLU<ctnn::Slopes::one>, ctnn::Softmax>;")
POOL1D_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<8, 2>, ctnn::Conv1D<3, 3, ctnn::Padding::valid, 1, 1>, "
               "ctnn::Tanh, ctnn::GlobalAveragePool1D, ctnn::Flatten, ctnn::Dense<2>>;")
# Shapes of each input (ctnn's layout) of the models with several.
GRAPH_INPUTS = ((8, 8, 2), (5,))


class TwoHeads(nn.Module):
    """Two inputs and two heads: a pooled convolution of the image (PReLU per channel) gated by a vector
    (PReLU of one slope), concatenated with the pooled image and the vector, into classes and a value."""

    def __init__(self):
        super().__init__()
        self.conv, self.gate = nn.Conv2d(2, 4, 3), nn.Linear(5, 4)
        self.channels, self.one = nn.PReLU(4), nn.PReLU()  # a slope per channel, and one slope
        self.logits, self.value = nn.Linear(13, 3), nn.Linear(13, 1)

    def forward(self, image, meta):
        a = torch.flatten(nn.functional.adaptive_avg_pool2d(self.channels(self.conv(image)), 1), 1)
        both = torch.cat([a * torch.tanh(self.one(self.gate(meta))), a, meta], 1)
        return torch.softmax(self.logits(both), 1), self.value(both)


class Pool1d(nn.Module):
    """A Conv1d over N x T x F, averaged over time (ONNX's GlobalAveragePool on N x C x T)."""

    def __init__(self):
        super().__init__()
        self.conv, self.out = nn.Conv1d(2, 3, 3), nn.Linear(3, 2)

    def forward(self, x):
        h = torch.tanh(self.conv(x.transpose(1, 2)))
        return self.out(torch.flatten(nn.functional.adaptive_avg_pool1d(h, 1), 1))


class Permute(nn.Module):
    def __init__(self, *perm):
        super().__init__()
        self.perm = perm

    def forward(self, x):
        return x.permute(*self.perm)


def bn(c, rank):
    """Keras' (ctnn's) defaults in PyTorch's terms: epsilon 1e-3, momentum 0.01 (PyTorch weighs the batch)."""
    return (nn.BatchNorm1d if rank == 1 else nn.BatchNorm2d)(c, eps=1e-3, momentum=0.01)


def build(kind):
    """A fresh PyTorch model of `kind` (predict.cpp's kinds)."""
    if kind in ("mlp", "plain"):  # plain: as ONNX's export has it, the Dropout gone
        return nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(16, 5), nn.Softmax(dim=1))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 6, 3),
                             nn.Sigmoid(), nn.Flatten(), nn.Linear(54, 4), nn.Softmax(dim=1))
    if kind in ("resnet", "resnet_folded"):  # resnet_folded: its BatchNorm2d folded by ONNX's eval export
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
            ctnn_torch.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
                                              nn.Conv2d(8, 8, 3, padding=1), bn(8, 3))),
            nn.ReLU(), nn.Conv2d(8, 12, 3, stride=2),
            ctnn_torch.Add(nn.Sequential(nn.Conv2d(12, 16, 1)),
                           nn.Sequential(nn.Conv2d(12, 16, 3, padding=1), bn(16, 3), nn.ReLU())),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5), nn.Softmax(dim=1))
    if kind == "concat":
        return nn.Sequential(
            ctnn_torch.Concat(nn.Sequential(nn.Linear(20, 8), nn.Tanh()),
                              nn.Sequential(nn.Linear(20, 6), bn(6, 1), nn.ReLU())),
            nn.Linear(14, 3), nn.Softmax(dim=1))
    if kind == "seq":
        return nn.Sequential(
            ctnn_torch.Conv1d(nn.Conv1d(3, 4, 3, stride=2)), nn.Tanh(),
            ctnn_torch.Recurrent(nn.GRU(4, 8, batch_first=True), sequences=True), nn.Linear(8, 7),
            ctnn_torch.Recurrent(nn.LSTM(7, 6, batch_first=True), sequences=True),
            ctnn_torch.Recurrent(nn.RNN(6, 5, batch_first=True)), nn.Linear(5, 2))
    if kind == "tcn":  # the last Conv1d's padding 1 is "same" (padding="same" does not export to ONNX)
        return nn.Sequential(
            ctnn_torch.Conv1d(nn.Conv1d(2, 4, 3, dilation=2), causal=True), nn.Tanh(),
            ctnn_torch.Residual(nn.Sequential(ctnn_torch.Conv1d(nn.Conv1d(4, 4, 2, dilation=4), causal=True),
                                              nn.Tanh())),
            ctnn_torch.Conv1d(nn.Conv1d(4, 3, 3, padding=1)), nn.Sigmoid(), nn.Linear(3, 1))
    if kind == "causal":
        return nn.Sequential(
            ctnn_torch.Conv1d(nn.Conv1d(2, 3, 2), causal=True), nn.Tanh(),
            ctnn_torch.Recurrent(nn.GRU(3, 4, batch_first=True), sequences=True), nn.Linear(4, 1))
    if kind == "mnist_mlp":  # examples/mnist_mlp_sgd.cpp and mnist_mlp_rmsprop.cpp
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10),
                             nn.Softmax(dim=1))
    if kind == "mnist_mlp_flatten":  # examples/mnist_mlp_adam_dropout.cpp, on 28 x 28 rows of pixels
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10),
                             nn.Softmax(dim=1))
    if kind == "mnist_cnn":  # examples/mnist_cnn.cpp
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(128, 10), nn.Softmax(dim=1))
    if kind == "cifar10_cnn":  # examples/cifar10_cnn.cpp without its augmentation (the identity in inference)
        return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Dropout(0.25), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                             nn.Linear(2304, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10), nn.Softmax(dim=1))
    if kind == "graph":
        return TwoHeads()
    if kind == "pool1d":
        return Pool1d()
    if kind == "prelu":  # a slope per channel, per feature, and one
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.PReLU(3), nn.Flatten(), nn.Linear(48, 4), nn.PReLU(4),
                             nn.Linear(4, 6), nn.PReLU(), nn.Softmax(dim=1))  # outputs of a scale: no cancellation
    if kind == "keras_cnn":  # the CNN as Keras (tf2onnx) lays it out: N x H x W x C in, flattened in H, W, C order
        cnn = build("cnn")
        return nn.Sequential(Permute(0, 3, 1, 2), *list(cnn)[:5], Permute(0, 2, 3, 1), *list(cnn)[5:])
    raise ValueError(kind)


def randomize(model, last_scale=1.0):
    """Parameters uniform in [-0.5, 0.5] (the last Linear's weights times last_scale), and moving
    statistics as after training."""
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
        [m for m in model.modules() if isinstance(m, nn.Linear)][-1].weight.mul_(last_scale)
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    return model


def to_torch(x, shape):
    """ctnn samples (n, *shape) as PyTorch input: images HWC -> CHW."""
    t = torch.from_numpy(x.reshape((-1,) + shape))
    return t.permute(0, 3, 1, 2).contiguous() if len(shape) == 3 else t
