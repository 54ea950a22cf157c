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

exe, tool, work = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402  (the models and their ctnn types, shared with onnx_check.py)

to_torch = tm.to_torch
os.makedirs(work, exist_ok=True)
torch.manual_seed(7)
rng = np.random.default_rng(7)
failures = []

def models():
    # The last entry: the import's flags, or the error it must give (the file cannot say a dilation).
    flags = {"tcn": "keeps the length: Padding::same or Padding::causal", "causal": ["--conv1d-padding", "causal"]}
    shapes = {"mlp": (None, (20,)), "cnn": ("10,10,3", (10, 10, 3)), "resnet": ("10,10,3", (10, 10, 3)),
              "concat": ("20", (20,)), "seq": ("12,3", (12, 3)), "tcn": ("16,2", (16, 2)), "causal": ("10,2", (10, 2)),
              "prelu": ("6,6,2", (6, 6, 2))}
    return {kind: (tm.build(kind), flag, shape, getattr(tm, kind.upper() + "_TYPE"), flags.get(kind, []))
            for kind, (flag, shape) in shapes.items()}


def relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b).max(axis=1, keepdims=True), 1e-12)))


def check(name, ctnn_out, torch_out):
    err = relative_error(ctnn_out, torch_out)
    print(f"{name}: max relative error {err:.2e} over {len(torch_out)} inputs")
    if not err <= 1e-5:
        failures.append(f"{name}: {err}")


for kind, (model, shape_flag, shape, expected_type, import_flags) in models().items():
    # PyTorch -> ctnn
    tm.randomize(model, 0.02 if kind == "resnet" else 1.0)  # logits of a few units: a softmax off one-hot
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
