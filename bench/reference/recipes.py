#!/usr/bin/env python3
"""The seed recipes in PyTorch, as a fair and fast reference for ctnn's examples: the three MNIST MLPs
(recipes 1-3, examples/mnist_mlp_*.cpp), the MNIST CNN (recipe 4, examples/mnist_cnn.cpp) and the
CIFAR-10 CNN with its augmentation (recipe 5, examples/cifar10_cnn.cpp), and the CIFAR-10 ResNet with
BatchNormalization (recipe 6, examples/cifar10_resnet.cpp), and MNIST read as 28 steps of 28 pixels by an
LSTM (recipe 7, examples/mnist_lstm.cpp).

Fair: Keras' initialisation (Glorot-uniform kernels, zero biases) and optimiser settings (RMSprop
rho 0.9, eps 1e-7; Adam eps 1e-7), the same batch sizes and epochs. Fast: the whole data set is one
tensor in memory, batches are slices through a permutation, no DataLoader. Prints one JSON object per
recipe: seconds per training epoch (evaluation excluded) and the final test accuracy.

usage: recipes.py [--recipe 1|2|3|4|5|6|7] [--epochs N] [--threads N] [--data DIR] [--seed N]
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def find(explicit, dataset, probe):
    """The folder holding probe, searched as ctnn's loaders search (ctnn/data/locate.hpp)."""
    roots = ([explicit] if explicit else []) + ([os.environ["CTNN_DATA_DIR"]] if os.environ.get("CTNN_DATA_DIR") else [])
    roots += ["data", "../shared/data"]
    for root in roots:
        for d in (os.path.join(root, dataset), root):
            if os.path.exists(os.path.join(d, probe)):
                return d
    sys.exit("cannot find " + dataset + "; looked in " + ", ".join(roots))


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load_cifar10(data_dir):
    """Images as N x 3 x 32 x 32 in [0, 1] (the files' planes are already CHW), labels 0-9."""
    d = find(data_dir, "cifar-10-batches-bin", "test_batch.bin.gz")
    def batch(names):
        raw = np.concatenate([read_idx(os.path.join(d, n), 0) for n in names]).reshape(-1, 3073)
        return (torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0),
                torch.from_numpy(raw[:, 0].astype(np.int64)))
    x, y = batch(["data_batch_%d.bin.gz" % i for i in range(1, 6)])
    tx, ty = batch(["test_batch.bin.gz"])
    return x, y, tx, ty


def augment(x, shift):
    """ctnn's RandomFlip then RandomTranslation: mirror each image with probability 1/2, then shift it
    by whole pixels in [-shift, shift] on each axis, repeating the edge pixels."""
    n = x.shape[0]
    flip = torch.rand(n) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = nn.functional.pad(x, (shift, shift, shift, shift), mode="replicate")
    dy = torch.randint(0, 2 * shift + 1, (n,)).tolist()
    dx = torch.randint(0, 2 * shift + 1, (n,)).tolist()
    return torch.stack([padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32] for i in range(n)])


def load(data_dir):
    d = find(data_dir, "mnist", "train-images-idx3-ubyte.gz")
    def images(name):
        return torch.from_numpy(read_idx(os.path.join(d, name), 16).reshape(-1, 784).astype(np.float32) / 255.0)
    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(d, name), 8).astype(np.int64))
    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def bn(c):
    """Keras' BatchNormalization defaults in PyTorch's terms (PyTorch's momentum weighs the batch)."""
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class Residual(nn.Module):
    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body, self.shortcut = body, shortcut

    def forward(self, x):
        return (x if self.shortcut is None else self.shortcut(x)) + self.body(x)


def conv_same(cin, cout, stride=1):
    """Keras' (ctnn's) "same" 3x3 convolution: at stride 2 it pads the end only."""
    if stride == 1:
        return nn.Conv2d(cin, cout, 3, padding=1)
    return nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(cin, cout, 3, stride=stride))


def resnet():
    """examples/cifar10_resnet.cpp: conv 16, three stages of two residual blocks (16, 32, 64)."""
    def identity(w):
        return nn.Sequential(Residual(nn.Sequential(conv_same(w, w), bn(w), nn.ReLU(), conv_same(w, w), bn(w))),
                             nn.ReLU())

    def down(cin, w):
        return nn.Sequential(Residual(nn.Sequential(conv_same(cin, w, 2), bn(w), nn.ReLU(), conv_same(w, w), bn(w)),
                                      nn.Sequential(nn.Conv2d(cin, w, 1, stride=2), bn(w))), nn.ReLU())
    return nn.Sequential(conv_same(3, 16), bn(16), nn.ReLU(), identity(16), identity(16), down(16, 32), identity(32),
                         down(32, 64), identity(64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


class LastStep(nn.Module):
    """An LSTM over (batch, steps, features) that returns the last step's state, as Keras' default."""

    def __init__(self, features, units):
        super().__init__()
        self.lstm = nn.LSTM(features, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0][:, -1]


def keras_init(model):
    for m in model.modules():
        if isinstance(m, nn.LSTM):  # Keras: Glorot-uniform kernel, orthogonal recurrent, unit_forget_bias
            for name, w in m.named_parameters():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(w)
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(w)
                else:
                    nn.init.zeros_(w)
                    if name.startswith("bias_ih"):
                        with torch.no_grad():
                            w[m.hidden_size:2 * m.hidden_size] = 1
            continue
        if isinstance(m, (nn.Linear, nn.Conv2d)):  # Glorot-uniform with Keras' fans, zero biases
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def recipe(number):
    """(model, optimiser factory, batch size, default epochs, input shape) for recipe 1-7."""
    if number == 7:
        model = nn.Sequential(LastStep(28, 128), nn.Linear(128, 10))
        return model, lambda p: torch.optim.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7), 128, 8, (-1, 28, 28)
    if number == 6:
        return resnet(), lambda p: torch.optim.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7), 64, 40, (-1, 3, 32, 32)
    if number == 5:
        same = dict(padding=1)  # Keras' "same" for a 3x3 kernel at stride 1
        model = nn.Sequential(nn.Conv2d(3, 32, 3, **same), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Dropout(0.25),
                              nn.Conv2d(32, 64, 3, **same), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Dropout(0.25),
                              nn.Flatten(), nn.Linear(2304, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
        return model, lambda p: torch.optim.RMSprop(p, lr=1e-4, alpha=0.9, eps=1e-7), 32, 25, (-1, 3, 32, 32)
    if number == 4:
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(128, 10))
        return model, lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.95, eps=1e-7), 128, 12, (-1, 1, 28, 28)
    if number in (1, 3):
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        if number == 1:
            return model, lambda p: torch.optim.SGD(p, lr=0.01), 128, 10, (-1, 784)
        return model, lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7), 128, 5, (-1, 784)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    return model, lambda p: torch.optim.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7), 32, 5, (-1, 784)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipe", type=int, choices=(1, 2, 3, 4, 5, 6, 7), required=True)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y, tx, ty = load_cifar10(args.data) if args.recipe in (5, 6) else load(args.data)
    model, make_optimizer, batch, epochs, sample_shape = recipe(args.recipe)
    epochs = args.epochs or epochs
    x, tx = x.reshape(sample_shape), tx.reshape(sample_shape)
    keras_init(model)
    opt = make_optimizer(model.parameters())
    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy from logits
    times = []
    for epoch in range(epochs):
        if args.recipe == 6:  # examples/cifar10_resnet.cpp's schedule: 1e-3, 1e-4 from 60 %, 1e-5 from 90 %
            done = epoch / epochs
            for group in opt.param_groups:
                group["lr"] = 1e-3 if done < 0.6 else 1e-4 if done < 0.9 else 1e-5
        model.train()
        start = time.perf_counter()
        order = torch.randperm(x.shape[0])
        for b in range(0, x.shape[0], batch):
            idx = order[b:b + batch]
            opt.zero_grad(set_to_none=True)
            xb = augment(x[idx], 3) if args.recipe in (5, 6) else x[idx]
            loss = loss_fn(model(xb), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
    print(json.dumps({"framework": "pytorch " + torch.__version__, "recipe": args.recipe, "threads": args.threads,
                      "epochs": epochs, "seconds_per_epoch": sum(times) / len(times), "epoch_seconds": times,
                      "test_accuracy": accuracy,
                      "blas": os.environ.get("OPENBLAS_CORETYPE", "default core type")}))


if __name__ == "__main__":
    main()
