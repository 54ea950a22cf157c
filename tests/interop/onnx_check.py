#!/usr/bin/python3
"""The ONNX import test, on real exports: random PyTorch models (sequence models with Conv1d, GRU, LSTM,
RNN, a per-step Linear and a causal dilated Conv1d stack with a residual block; an MLP with Dropout, a
CNN, a residual CNN with BatchNorm2d and a projection Add, exported in eval mode, where PyTorch folds
each BatchNorm2d into its convolution, and with training=PRESERVE, where it keeps them; a two-branch
Concat model with BatchNorm1d) exported with torch.onnx.export, imported with tools/ctnn_onnx.py, must print the
expected C++ type, and run in C++ (tests/interop/predict.cpp) must match PyTorch's outputs on 100
random inputs within 1e-5 relative. Models the importer cannot map must be refused with an error that
names the node, the operator and the attribute, and leave no file.

usage: onnx_check.py PREDICT_EXE TOOL WORK_DIR
"""
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import torch
from torch import nn

exe, tool, work = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
import ctnn_format  # noqa: E402
import ctnn_torch  # noqa: E402  (its block modules, which trace to ONNX's Add and Concat)
os.makedirs(work, exist_ok=True)
warnings.filterwarnings("ignore")
torch.manual_seed(17)
rng = np.random.default_rng(17)
failures = []

PLAIN_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<20>, ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<16>, "
              "ctnn::ReLU, ctnn::Dense<5>, ctnn::Softmax>;")
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
FOLDED_TYPE = ("using Net = ctnn::Sequential<ctnn::Input<10, 10, 3>, ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, "
               "ctnn::ReLU, ctnn::Residual<ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU, "
               "ctnn::Conv2D<8, 3, 3, ctnn::Padding::same, 1>>, ctnn::ReLU, ctnn::Conv2D<12, 3, 3, "
               "ctnn::Padding::valid, 2>, ctnn::Add<ctnn::Branch<ctnn::Conv2D<16, 1, 1, ctnn::Padding::valid, 1>>, "
               "ctnn::Branch<ctnn::Conv2D<16, 3, 3, ctnn::Padding::same, 1>, ctnn::ReLU>>, ctnn::GlobalAveragePool2D, "
               "ctnn::Flatten, ctnn::Dense<5>, ctnn::Softmax>;")
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


def bn(c, rank):
    """Keras' (ctnn's) defaults in PyTorch's terms: epsilon 1e-3, momentum 0.01 (PyTorch weighs the batch)."""
    return (nn.BatchNorm1d if rank == 1 else nn.BatchNorm2d)(c, eps=1e-3, momentum=0.01)


def resnet():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
        ctnn_torch.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
                                          nn.Conv2d(8, 8, 3, padding=1), bn(8, 3))),
        nn.ReLU(), nn.Conv2d(8, 12, 3, stride=2),
        ctnn_torch.Add(nn.Sequential(nn.Conv2d(12, 16, 1)),
                       nn.Sequential(nn.Conv2d(12, 16, 3, padding=1), bn(16, 3), nn.ReLU())),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5), nn.Softmax(dim=1))


def models():
    """kind: (PyTorch model, one sample's shape as ctnn has it, the type the import must print, whether
    the export keeps BatchNorm (training=PRESERVE) or folds it (eval))."""
    plain = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(16, 5), nn.Softmax(dim=1))
    cnn = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 6, 3), nn.Sigmoid(),
                        nn.Flatten(), nn.Linear(54, 4), nn.Softmax(dim=1))
    concat = nn.Sequential(
        ctnn_torch.Concat(nn.Sequential(nn.Linear(20, 8), nn.Tanh()), nn.Sequential(nn.Linear(20, 6), bn(6, 1), nn.ReLU())),
        nn.Linear(14, 3), nn.Softmax(dim=1))
    # Sequences, batch-first as ctnn's: exported as Transpose around Conv (N x C x T), Pad before a causal
    # one, Transpose to ONNX's T x N x F around GRU, LSTM and RNN (gates i, o, f, c for LSTM), Gather of
    # the last step.
    seq = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(3, 4, 3, stride=2)), nn.Tanh(),
        ctnn_torch.Recurrent(nn.GRU(4, 8, batch_first=True), sequences=True), nn.Linear(8, 7),
        ctnn_torch.Recurrent(nn.LSTM(7, 6, batch_first=True), sequences=True),
        ctnn_torch.Recurrent(nn.RNN(6, 5, batch_first=True)), nn.Linear(5, 2))
    tcn = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(2, 4, 3, dilation=2), causal=True), nn.Tanh(),
        ctnn_torch.Residual(nn.Sequential(ctnn_torch.Conv1d(nn.Conv1d(4, 4, 2, dilation=4), causal=True), nn.Tanh())),
        ctnn_torch.Conv1d(nn.Conv1d(4, 3, 3, padding=1)), nn.Sigmoid(), nn.Linear(3, 1))  # "same" does not export
    causal = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(2, 3, 2), causal=True), nn.Tanh(),
        ctnn_torch.Recurrent(nn.GRU(3, 4, batch_first=True), sequences=True), nn.Linear(4, 1))
    return {"seq": (seq, (12, 3), SEQ_TYPE, False), "tcn": (tcn, (16, 2), TCN_TYPE, False),
            "causal": (causal, (10, 2), CAUSAL_TYPE, False),
            "plain": (plain, (20,), PLAIN_TYPE, False), "cnn": (cnn, (10, 10, 3), CNN_TYPE, False),
            "resnet": (resnet(), (10, 10, 3), RESNET_TYPE, True),
            "resnet_folded": (resnet(), (10, 10, 3), FOLDED_TYPE, False),
            "concat": (concat, (20,), CONCAT_TYPE, True)}


def to_torch(x, shape):
    """ctnn samples (n, *shape) as PyTorch input: images HWC -> CHW."""
    t = torch.from_numpy(x.reshape((-1,) + shape))
    return t.permute(0, 3, 1, 2).contiguous() if len(shape) == 3 else t


def export(model, shape, path, keep_batch_norm):
    sample = to_torch(np.zeros((1, int(np.prod(shape))), dtype=np.float32), shape)
    options = {"training": torch.onnx.TrainingMode.PRESERVE} if keep_batch_norm else {}
    torch.onnx.export(model, sample, path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, **options)


def relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b).max(axis=1, keepdims=True), 1e-12)))


worst = 0.0
for kind, (model, shape, expected_type, keep) in models().items():
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
        last = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
        last.weight.mul_(0.02 if kind.startswith("resnet") else 1.0)  # logits of a few units, not hundreds
        for m in model.modules():  # moving statistics as after training
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    onnx_file = os.path.join(work, f"{kind}.onnx")
    export(model, shape, onnx_file, keep)
    out_file = os.path.join(work, f"{kind}_onnx.ctnn")
    done = subprocess.run([sys.executable, tool, "import", onnx_file, out_file], capture_output=True, text=True)
    if done.returncode != 0:
        failures.append(f"{kind}: the import failed: {done.stderr.strip()}")
        continue
    printed = done.stdout.strip()
    if printed != expected_type:
        failures.append(f"{kind}: the tool printed\n  {printed}\nexpected\n  {expected_type}")
        continue
    if kind == "resnet":  # the header holds the file's values bit for bit (test.embed compiles such headers)
        header = os.path.join(work, "resnet_weights.hpp")
        subprocess.run([sys.executable, tool, "import", onnx_file, out_file, "--header", header], check=True,
                       capture_output=True)
        with open(header) as f:
            text = f.read()
        embedded = [float.fromhex(v.rstrip("f")) for v in re.findall(r"-?0x[0-9a-f.]+p[-+]\d+f", text)]
        _, _, tensors, buffers = ctnn_format.read(out_file)
        stored = [v for group in (tensors, buffers) for *_, values in group for v in values]
        if embedded != stored:
            failures.append(f"resnet: the header's {len(embedded)} values differ from the file's {len(stored)}")
        print(f"resnet: --header holds the file's {len(stored)} values exactly")
    x = rng.uniform(-1, 1, size=(100, int(np.prod(shape)))).astype(np.float32)
    x.tofile(os.path.join(work, "x.f32"))
    subprocess.run([exe, "predict", kind, out_file, os.path.join(work, "x.f32"), os.path.join(work, "y.f32")],
                   check=True)
    ctnn_y = np.fromfile(os.path.join(work, "y.f32"), dtype=np.float32).reshape(100, -1)
    with torch.no_grad():
        torch_y = model(to_torch(x, shape)).numpy().reshape(len(x), -1)
    err = relative_error(ctnn_y, torch_y)
    worst = max(worst, err)
    # A softmax near one-hot would hide errors in the others: the largest output must average below 0.95.
    top = float(torch_y.max(axis=1).mean()) if "Softmax" in expected_type else 0.0
    print(f"{kind}: ONNX ({'BatchNorm kept' if keep else 'eval export'}) -> ctnn: max relative error {err:.2e} "
          f"over {len(x)} inputs" + (f" (mean largest output {top:.2f})" if top else ""))
    if not err <= 1e-5 or not top < 0.95:
        failures.append(f"{kind}: error {err}, mean largest output {top}")

# Refusals: the node, the operator and the attribute named, and no file written.
refusals = {
    "groups": (nn.Sequential(nn.Conv2d(4, 4, 3, groups=2), nn.Flatten(), nn.Linear(64, 2)), (6, 6, 4),
               ["(Conv)", "group = 2"]),
    "operator": (nn.Sequential(nn.Linear(8, 4), nn.Hardswish()), (8,), ["(HardSwish)", "no ctnn counterpart"]),
    "pool": (nn.Sequential(nn.Conv2d(2, 3, 3), nn.MaxPool2d(3, stride=2), nn.Flatten(), nn.Linear(27, 2)), (9, 9, 2),
             ["(MaxPool)", "strides"]),
}
for name, (model, shape, words) in refusals.items():
    model.eval()
    onnx_file = os.path.join(work, f"refuse_{name}.onnx")
    export(model, shape, onnx_file, False)
    out_file = os.path.join(work, f"refuse_{name}.ctnn")
    if os.path.exists(out_file):
        os.remove(out_file)
    done = subprocess.run([sys.executable, tool, "import", onnx_file, out_file], capture_output=True, text=True)
    message = done.stderr.strip()
    print(f"refused ({name}): {message}")
    if done.returncode == 0 or any(w not in message for w in words) or os.path.exists(out_file):
        failures.append(f"refusal {name}: exit {done.returncode}, message {message!r}, expected {words}, "
                        f"file written: {os.path.exists(out_file)}")

print(f"largest relative error: {worst:.2e}")
if failures:
    print("FAILED:\n" + "\n".join(failures))
    sys.exit(1)
print("ONNX import: every model matched PyTorch, every refusal said why")
