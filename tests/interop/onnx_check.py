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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctnn_format  # noqa: E402
import torch_models as tm  # noqa: E402  (the models and their ctnn types, shared with check.py)

to_torch = tm.to_torch
os.makedirs(work, exist_ok=True)
warnings.filterwarnings("ignore")
torch.manual_seed(17)
rng = np.random.default_rng(17)
failures = []

def models():
    """kind: (one sample's shape as ctnn has it, the type the import must print, whether the export keeps
    BatchNorm (training=PRESERVE) or folds it (eval)). The sequence models export as Transpose around
    Conv (N x C x T), Pad before a causal one, Transpose to ONNX's T x N x F around GRU, LSTM and RNN
    (gates i, o, f, c for LSTM), Gather of the last step."""
    return {"seq": ((12, 3), tm.SEQ_TYPE, False), "tcn": ((16, 2), tm.TCN_TYPE, False),
            "causal": ((10, 2), tm.CAUSAL_TYPE, False), "plain": ((20,), tm.PLAIN_TYPE, False),
            "cnn": ((10, 10, 3), tm.CNN_TYPE, False), "resnet": ((10, 10, 3), tm.RESNET_TYPE, True),
            "resnet_folded": ((10, 10, 3), tm.FOLDED_TYPE, False), "concat": ((20,), tm.CONCAT_TYPE, True),
            "mnist_mlp": ((784,), tm.MNIST_MLP_TYPE, False),
            "mnist_mlp_flatten": ((28, 28), tm.MNIST_MLP_FLATTEN_TYPE, False),
            "mnist_cnn": ((28, 28, 1), tm.MNIST_CNN_TYPE, False),
            "cifar10_cnn": ((32, 32, 3), tm.CIFAR10_CNN_TYPE, False), "graph": (tm.GRAPH_INPUTS, GRAPH_TYPE, False),
            "keras_cnn": ((10, 10, 3), tm.CNN_TYPE, False), "prelu": ((6, 6, 2), tm.PRELU_TYPE, False),
            "pool1d": ((8, 2), tm.POOL1D_TYPE, False)}


# Kinds that predict.cpp runs as another kind's type: the Keras-layout CNN is the CNN's type (its
# Linear reads the H, W, C order that ctnn's Flatten gives, so nothing is reordered).
PREDICT_AS = {"keras_cnn": "cnn"}
CHANNELS_LAST = {"keras_cnn"}  # fed N x H x W x C, ctnn's own order


# The seed models keep PyTorch's own initialisation (uniform within 1/sqrt(fan-in), biases too): with
# hundreds of inputs, weights of [-0.5, 0.5] would drive the softmax to one-hot.
DEFAULT_INIT = {"mnist_mlp", "mnist_mlp_flatten", "mnist_cnn", "cifar10_cnn"}
# Several inputs and outputs make a Graph, each ONNX node a node named after it (tests/interop/predict.cpp).
GRAPH_TYPE = ('using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"image", 8, 8, 2>, ctnn::In<"meta", 5>>, '
              'ctnn::Node<"conv_Conv", ctnn::Conv2D<4, 3, 3, ctnn::Padding::valid, 1>, "image">, '
              'ctnn::Node<"channels_PRelu", ctnn::PReLU<ctnn::Slopes::per_channel>, "conv_Conv">, '
              'ctnn::Node<"GlobalAveragePool", ctnn::GlobalAveragePool2D, "channels_PRelu">, '
              'ctnn::Node<"Flatten", ctnn::Flatten, "GlobalAveragePool">, '
              'ctnn::Node<"gate_Gemm", ctnn::Dense<4>, "meta">, '
              'ctnn::Node<"one_PRelu", ctnn::PReLU<ctnn::Slopes::one>, "gate_Gemm">, '
              'ctnn::Node<"Tanh", ctnn::Tanh, "one_PRelu">, '
              'ctnn::Node<"Mul", ctnn::Multiply<>, "Flatten", "Tanh">, '
              'ctnn::Node<"Concat", ctnn::Concat<>, "Mul", "Flatten", "meta">, '
              'ctnn::Node<"logits_Gemm", ctnn::Dense<3>, "Concat">, ctnn::Node<"class", ctnn::Softmax, "logits_Gemm">, '
              'ctnn::Node<"value", ctnn::Dense<1>, "Concat">, ctnn::Outputs<"class", "value">>;')


def shapes_of(shape):
    """Each input's sample shape: one input's shape, or a tuple of them."""
    return shape if isinstance(shape[0], tuple) else (shape,)


def torch_inputs(x, shape, channels_last=False):
    """ctnn samples (a sample's inputs one after another) as PyTorch's inputs."""
    out, at = [], 0
    for s in shapes_of(shape):
        n = int(np.prod(s))
        part = np.ascontiguousarray(x[:, at:at + n])
        out.append(torch.from_numpy(part.reshape((-1,) + s)) if channels_last else to_torch(part, s))
        at += n
    return out


def export(model, shape, path, keep_batch_norm, opset=None, channels_last=False):
    size = sum(int(np.prod(s)) for s in shapes_of(shape))
    samples = tuple(torch_inputs(np.zeros((1, size), dtype=np.float32), shape, channels_last))
    options = {"training": torch.onnx.TrainingMode.PRESERVE} if keep_batch_norm else {}
    if len(samples) == 1:
        names, outputs = ["x"], ["y"]
    else:
        names, outputs = ["image", "meta"], ["class", "value"]
    torch.onnx.export(model, samples, path, input_names=names, output_names=outputs,
                      dynamic_axes={v: {0: "N"} for v in names + outputs},
                      **({"opset_version": opset} if opset else {}), **options)


def relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b).max(axis=1, keepdims=True), 1e-12)))


# Every model in PyTorch's default opset (14), and again in the oldest the importer takes, 9, and in
# 11, 13, 16 and 17, where the exports differ: Slice and Squeeze with attributes or with inputs (x[:, -1]
# is a Slice and a Squeeze up to opset 10, a Gather after), Softmax's axis rule (13), Pad's form (11).
OPSETS = (None, 9, 11, 13, 16, 17)


def check(kind, shape, expected_type, keep, model, opset):
    """Exports `model` at `opset` (None: PyTorch's default), imports it; the type it prints must be
    expected_type and C++'s outputs PyTorch's; returns the largest relative error, or None."""
    tag = kind if opset is None else f"{kind}@{opset}"
    extra = []  # other imports of the same export, checked on the same inputs: (kind, file)
    onnx_file = os.path.join(work, f"{tag}.onnx")
    export(model, shape, onnx_file, keep, opset, kind in CHANNELS_LAST)
    out_file = os.path.join(work, f"{tag}_onnx.ctnn")
    done = subprocess.run([sys.executable, tool, "import", onnx_file, out_file], capture_output=True, text=True)
    if done.returncode != 0:
        failures.append(f"{tag}: the import failed: {done.stderr.strip()}")
        return None
    printed = done.stdout.strip()
    if printed != expected_type:
        failures.append(f"{tag}: the tool printed\n  {printed}\nexpected\n  {expected_type}")
        return None
    if kind == "resnet" and opset is None:
        # --fold-batch-norm: each BatchNorm2d folded into the convolution before it, as an eval export does.
        folded_file = os.path.join(work, "resnet_folded_on_import.ctnn")
        folded = subprocess.run([sys.executable, tool, "import", onnx_file, folded_file, "--fold-batch-norm"],
                                capture_output=True, text=True)
        if folded.stdout.strip() != tm.FOLDED_TYPE:
            failures.append(f"resnet --fold-batch-norm printed\n  {folded.stdout.strip()}{folded.stderr.strip()}")
        else:
            extra.append(("resnet_folded", folded_file))
        # The header holds the file's values bit for bit (test.embed compiles such headers).
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
    x = rng.uniform(-1, 1, size=(100, sum(int(np.prod(s)) for s in shapes_of(shape)))).astype(np.float32)
    x.tofile(os.path.join(work, "x.f32"))
    with torch.no_grad():
        got = model(*torch_inputs(x, shape, kind in CHANNELS_LAST))
        torch_y = np.concatenate([t.numpy().reshape(len(x), -1) for t in (got if isinstance(got, tuple) else (got,))],
                                 axis=1)
    err = 0.0
    for run_kind, run_file in [(PREDICT_AS.get(kind, kind), out_file)] + extra:
        subprocess.run([exe, "predict", run_kind, run_file, os.path.join(work, "x.f32"), os.path.join(work, "y.f32")],
                       check=True)
        ctnn_y = np.fromfile(os.path.join(work, "y.f32"), dtype=np.float32).reshape(100, -1)
        e = relative_error(ctnn_y, torch_y)
        if (run_kind, run_file) in extra:
            print(f"{kind}: imported with --fold-batch-norm: max relative error {e:.2e}")
        err = max(err, e)
    # A softmax near one-hot would hide errors in the others: the largest output must average below 0.95.
    classes = torch_y[:, :3] if kind == "graph" else torch_y  # the graph's class head, before its value
    top = float(classes.max(axis=1).mean()) if "Softmax" in expected_type else 0.0
    if not err <= 1e-5 or not top < 0.95:
        failures.append(f"{tag}: error {err}, mean largest output {top}")
    return err, top


worst = 0.0
for kind, (shape, expected_type, keep) in models().items():
    # Logits of a few units, not hundreds, for the residual CNNs: a softmax near one-hot hides errors.
    model = tm.build(kind).eval() if kind in DEFAULT_INIT else \
        tm.randomize(tm.build(kind), 0.02 if kind.startswith("resnet") else 1.0)
    errors = {}
    for opset in OPSETS:
        r = check(kind, shape, expected_type, keep, model, opset)
        if r is not None:
            errors[opset or 14], top = r
    if errors:
        worst = max([worst] + list(errors.values()))
        print(f"{kind}: ONNX ({'BatchNorm kept' if keep else 'eval export'}) -> ctnn: max relative error over "
              f"100 inputs, per opset: " + ", ".join(f"{o}: {e:.1e}" for o, e in sorted(errors.items())) +
              (f" (mean largest output {top:.2f})" if top else ""))

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
