#!/usr/bin/env python3
"""The MNIST seed recipes in PyTorch, as a fair and fast reference for ctnn's examples: the three MLPs
(recipes 1-3, examples/mnist_mlp_*.cpp) and the CNN (recipe 4, examples/mnist_cnn.cpp).

Fair: Keras' initialisation (Glorot-uniform kernels, zero biases) and optimiser settings (RMSprop
rho 0.9, eps 1e-7; Adam eps 1e-7), the same batch sizes and epochs. Fast: the whole data set is one
tensor in memory, batches are slices through a permutation, no DataLoader. Prints one JSON object per
recipe: seconds per training epoch (evaluation excluded) and the final test accuracy.

usage: mnist_recipes.py [--recipe 1|2|3|4] [--epochs N] [--threads N] [--data DIR] [--seed N]
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


def find_mnist(explicit):
    roots = ([explicit] if explicit else []) + ([os.environ["CTNN_DATA_DIR"]] if os.environ.get("CTNN_DATA_DIR") else [])
    roots += ["data", "../shared/data"]
    for root in roots:
        for d in (os.path.join(root, "mnist"), root):
            if os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
                return d
    sys.exit("cannot find MNIST; looked in " + ", ".join(roots))


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data_dir):
    d = find_mnist(data_dir)
    def images(name):
        return torch.from_numpy(read_idx(os.path.join(d, name), 16).reshape(-1, 784).astype(np.float32) / 255.0)
    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(d, name), 8).astype(np.int64))
    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def keras_init(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):  # Glorot-uniform with Keras' fans, zero biases
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def recipe(number):
    """(model, optimiser factory, batch size, default epochs, input shape) for seed recipe 1-4."""
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
    ap.add_argument("--recipe", type=int, choices=(1, 2, 3, 4), required=True)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y, tx, ty = load(args.data)
    model, make_optimizer, batch, epochs, sample_shape = recipe(args.recipe)
    epochs = args.epochs or epochs
    x, tx = x.reshape(sample_shape), tx.reshape(sample_shape)
    keras_init(model)
    opt = make_optimizer(model.parameters())
    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy from logits
    times = []
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(x.shape[0])
        for b in range(0, x.shape[0], batch):
            idx = order[b:b + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
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
