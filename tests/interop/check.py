#!/usr/bin/python3
"""The PyTorch interop test: random PyTorch models (an MLP, a CNN, a residual CNN with BatchNorm2d and a
projection Add, a two-branch Concat model with BatchNorm1d; sequence models with Conv1d, GRU, LSTM, RNN,
per-step Linear, causal dilated Conv1d in a residual block) exported with tools/ctnn_torch.py and
run in C++ (tests/interop/predict.cpp) must match PyTorch's outputs on 100 random inputs within 1e-5
relative; random ctnn models imported into PyTorch must match ctnn's the same way.

usage: check.py PREDICT_EXE TOOL WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import torch
from torch import nn

exe, tool, work = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
import ctnn_torch  # noqa: E402  (its block modules: Residual, Add, Concat)
os.makedirs(work, exist_ok=True)
torch.manual_seed(7)
rng = np.random.default_rng(7)
failures = []

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


def bn(c, rank):
    """Keras' (ctnn's) defaults in PyTorch's terms: epsilon 1e-3, momentum 0.01 (PyTorch weighs the batch)."""
    return (nn.BatchNorm1d if rank == 1 else nn.BatchNorm2d)(c, eps=1e-3, momentum=0.01)


def models():
    mlp = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(16, 5), nn.Softmax(dim=1))
    cnn = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 6, 3), nn.Sigmoid(),
                        nn.Flatten(), nn.Linear(54, 4), nn.Softmax(dim=1))
    resnet = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
        ctnn_torch.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), bn(8, 3), nn.ReLU(),
                                          nn.Conv2d(8, 8, 3, padding=1), bn(8, 3))),
        nn.ReLU(), nn.Conv2d(8, 12, 3, stride=2),
        ctnn_torch.Add(nn.Sequential(nn.Conv2d(12, 16, 1)),
                       nn.Sequential(nn.Conv2d(12, 16, 3, padding=1), bn(16, 3), nn.ReLU())),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5), nn.Softmax(dim=1))
    concat = nn.Sequential(
        ctnn_torch.Concat(nn.Sequential(nn.Linear(20, 8), nn.Tanh()), nn.Sequential(nn.Linear(20, 6), bn(6, 1), nn.ReLU())),
        nn.Linear(14, 3), nn.Softmax(dim=1))
    seq = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(3, 4, 3, stride=2)), nn.Tanh(),
        ctnn_torch.Recurrent(nn.GRU(4, 8, batch_first=True), sequences=True), nn.Linear(8, 7),
        ctnn_torch.Recurrent(nn.LSTM(7, 6, batch_first=True), sequences=True),
        ctnn_torch.Recurrent(nn.RNN(6, 5, batch_first=True)), nn.Linear(5, 2))
    tcn = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(2, 4, 3, dilation=2), causal=True), nn.Tanh(),
        ctnn_torch.Residual(nn.Sequential(ctnn_torch.Conv1d(nn.Conv1d(4, 4, 2, dilation=4), causal=True), nn.Tanh())),
        ctnn_torch.Conv1d(nn.Conv1d(4, 3, 3, padding="same")), nn.Sigmoid(), nn.Linear(3, 1))
    causal = nn.Sequential(
        ctnn_torch.Conv1d(nn.Conv1d(2, 3, 2), causal=True), nn.Tanh(),
        ctnn_torch.Recurrent(nn.GRU(3, 4, batch_first=True), sequences=True), nn.Linear(4, 1))
    # The last entry: the import's flags, or the error it must give (the file cannot say a dilation).
    return {"mlp": (mlp, None, (20,), MLP_TYPE, []), "cnn": (cnn, "10,10,3", (10, 10, 3), CNN_TYPE, []),
            "resnet": (resnet, "10,10,3", (10, 10, 3), RESNET_TYPE, []),
            "concat": (concat, "20", (20,), CONCAT_TYPE, []),
            "seq": (seq, "12,3", (12, 3), SEQ_TYPE, []),
            "tcn": (tcn, "16,2", (16, 2), TCN_TYPE, "keeps the length: Padding::same or Padding::causal"),
            "causal": (causal, "10,2", (10, 2), CAUSAL_TYPE, ["--conv1d-padding", "causal"])}


def to_torch(x, shape):
    """ctnn samples (n, *shape) as PyTorch input: images HWC -> CHW."""
    t = torch.from_numpy(x.reshape((-1,) + shape))
    return t.permute(0, 3, 1, 2).contiguous() if len(shape) == 3 else t


def relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b).max(axis=1, keepdims=True), 1e-12)))


def check(name, ctnn_out, torch_out):
    err = relative_error(ctnn_out, torch_out)
    print(f"{name}: max relative error {err:.2e} over {len(torch_out)} inputs")
    if not err <= 1e-5:
        failures.append(f"{name}: {err}")


for kind, (model, shape_flag, shape, expected_type, import_flags) in models().items():
    # PyTorch -> ctnn
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
        for m in model.modules():  # moving statistics as after training
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    pt = os.path.join(work, f"{kind}.pt")
    torch.save(model, pt)
    out_file = os.path.join(work, f"{kind}.ctnn")
    cmd = [sys.executable, tool, "export", pt, out_file] + (["--input", shape_flag] if shape_flag else [])
    printed = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    if printed != expected_type:
        failures.append(f"{kind}: the tool printed\n  {printed}\nexpected\n  {expected_type}")
    x = rng.uniform(-1, 1, size=(100, int(np.prod(shape)))).astype(np.float32)
    x.tofile(os.path.join(work, "x.f32"))
    subprocess.run([exe, "predict", kind, out_file, os.path.join(work, "x.f32"), os.path.join(work, "y.f32")],
                   check=True)
    ctnn_y = np.fromfile(os.path.join(work, "y.f32"), dtype=np.float32).reshape(100, -1)
    with torch.no_grad():
        torch_y = model(to_torch(x, shape)).numpy().reshape(len(x), -1)
    check(f"{kind} PyTorch -> ctnn", ctnn_y, torch_y)

    # ctnn -> PyTorch
    made = os.path.join(work, f"{kind}_made.ctnn")
    subprocess.run([exe, "make", kind, made, "11"], check=True)
    subprocess.run([exe, "predict", kind, made, os.path.join(work, "x.f32"), os.path.join(work, "y.f32")], check=True)
    ctnn_y = np.fromfile(os.path.join(work, "y.f32"), dtype=np.float32).reshape(100, -1)
    state = os.path.join(work, f"{kind}_state.pt")
    if isinstance(import_flags, str):  # the import must refuse, saying why
        refused = subprocess.run([sys.executable, tool, "import", made, state], capture_output=True, text=True)
        print(f"{kind} ctnn -> PyTorch: refused: {refused.stderr.strip()}")
        if refused.returncode == 0 or import_flags not in refused.stderr:
            failures.append(f"{kind}: the import should have refused with '{import_flags}', gave {refused}")
        continue
    printed = subprocess.run([sys.executable, tool, "import", made, state] + import_flags, check=True,
                             capture_output=True, text=True).stdout
    fresh = models()[kind][0]
    fresh.load_state_dict(torch.load(state))
    fresh.eval()
    with torch.no_grad():
        torch_y = fresh(to_torch(x, shape)).numpy().reshape(len(x), -1)
    check(f"{kind} ctnn -> PyTorch", ctnn_y, torch_y)
    # The code the tool printed runs as it is: it builds the model and loads the weights it wrote.
    scope = {}
    try:
        exec("import torch\nfrom torch import nn\n" + printed, scope)
    except Exception as err:  # noqa: BLE001 - any failure of the printed code is the finding
        failures.append(f"{kind}: the printed code does not run ({err!r}):\n{printed}")
        continue
    printed_model = scope["model"]
    printed_model.eval()
    with torch.no_grad():
        torch_y = printed_model(to_torch(x, shape)).numpy().reshape(len(x), -1)
    check(f"{kind} ctnn -> printed PyTorch code", ctnn_y, torch_y)

if failures:
    sys.exit("FAILED:\n" + "\n".join(failures))
print("interop: all match")
