#!/usr/bin/python3
"""Moves weights between PyTorch and ctnn (docs/interop.md).

  ctnn_torch.py export MODEL.pt OUT.ctnn [--input 28,28,1]
      MODEL.pt: a torch.nn.Sequential saved with torch.save(model, path). Writes ctnn's weight file
      (docs/format.md) and prints the matching C++ type. --input is one sample's shape as ctnn writes
      it: H,W,C for images (PyTorch's C x H x W), N for vectors (taken from the first Linear if
      omitted).
  ctnn_torch.py import IN.ctnn OUT.pt
      Rebuilds the torch.nn.Sequential the file describes, loads its weights, and saves its
      state_dict to OUT.pt (torch.save); prints the Python that rebuilds the module.

      --conv1d-padding same|causal: a Conv1D that keeps its input's length at stride 1 pads as
      Keras' "same" or "causal", which the file does not say (nor a dilation: 1 is assumed).

Supported: Linear, Conv2d (padding 0, or "same" for odd kernels at stride 1), MaxPool2d, AvgPool2d
(stride = kernel), AdaptiveAvgPool2d(1) (+ Flatten), BatchNorm1d, BatchNorm2d, Flatten, Dropout, ReLU,
LeakyReLU, ELU, PReLU (one slope, or one per channel or feature: ctnn's PReLU<Slopes::one>,
PReLU<Slopes::per_channel>, PReLU<> on a vector), Sigmoid, Tanh, Softmax, Identity, and ctnn's blocks as this module defines them for
PyTorch: Residual(body), Add(*branches), Concat(*branches), Multiply(*branches), each branch an
nn.Sequential (an empty one is the identity), nested at will.
Sequences are batch-first, N x T x F, as ctnn's Input<T, F>: nn.LSTM, nn.GRU and nn.RNN (tanh), one
layer, unidirectional, batch_first=True, each inside this module's Recurrent(rnn, sequences=False)
(the last step's output, or every step's: ctnn's Returns::last and Returns::sequences); nn.Conv1d
inside Conv1d(conv, causal=False) (which transposes to PyTorch's N x C x T and back; padding 0,
"same" at stride 1, or causal: zeros before the sequence only); nn.Linear on a sequence is ctnn's
TimeDistributed<Dense<N>>. LSTM gates are in the same order in both; GRU's are r, z, n in PyTorch and
z, r, h in ctnn (Keras), and PyTorch's GRU is Keras' reset_after (ctnn's default). The two biases of
nn.LSTM and nn.RNN are summed into ctnn's one (and imported as bias_ih, with bias_hh zero).
Layouts: ctnn images are H x W x C (channels fastest); PyTorch's are C x H x W. Conv2d weights
(F, C, KH, KW) become ctnn kernels F x (KH*KW*C); the first Linear after a Flatten of an image has its
input columns reordered from C,H,W order to H,W,C order (and back on import).
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctnn_format  # noqa: E402  (the file format, shared with ctnn_embed.py)

Error = ctnn_format.FormatError


class Residual(nn.Module):
    """y = x + body(x): ctnn::Residual<body's layers...>."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


class _Block(nn.Module):
    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)


class Add(_Block):
    """The sum of the branches' outputs: ctnn::Add<Branch<...>...>."""

    def forward(self, x):
        out = self.branches[0](x)
        for b in self.branches[1:]:
            out = out + b(x)
        return out


class Multiply(_Block):
    """The element-wise product of the branches' outputs: ctnn::Multiply<Branch<...>...>."""

    def forward(self, x):
        out = self.branches[0](x)
        for b in self.branches[1:]:
            out = out * b(x)
        return out


class Concat(_Block):
    """The branches' outputs joined along channels (PyTorch's dim 1; ctnn's last axis): ctnn::Concat."""

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], dim=1)


class Recurrent(nn.Module):
    """nn.LSTM, nn.GRU or nn.RNN (batch_first=True) as a layer of a Sequential: the last step's output
    (ctnn's Returns::last, Keras' default) or, with sequences=True, every step's (Returns::sequences)."""

    def __init__(self, rnn, sequences=False):
        super().__init__()
        self.rnn, self.sequences = rnn, sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.sequences else out[:, -1]


class Conv1d(nn.Module):
    """nn.Conv1d on batch-first sequences, N x T x C (ctnn's layout), transposed to PyTorch's N x C x T
    and back; causal=True pads (kernel - 1) * dilation zeros before the sequence (the conv's own
    padding 0): ctnn's Padding::causal."""

    def __init__(self, conv, causal=False):
        super().__init__()
        self.conv, self.causal = conv, causal

    def forward(self, x):
        x = x.transpose(1, 2)
        if self.causal:
            x = nn.functional.pad(x, ((self.conv.kernel_size[0] - 1) * self.conv.dilation[0], 0))
        return self.conv(x).transpose(1, 2)


def block_kind(m):
    """"Residual", "Add", "Concat" or "Multiply" for this module's blocks, else None. By name: a model
    saved by a script that imported ctnn_torch holds ctnn_torch.Residual, which is not this file's
    class when the tool runs as __main__."""
    cls = type(m)
    if cls.__module__ in ("ctnn_torch", "__main__") and cls.__name__ in ("Residual", "Add", "Concat", "Multiply"):
        return cls.__name__
    return None


def tool_module(m, name):
    """Whether m is this module's `name` (Recurrent, Conv1d), by name as block_kind."""
    return type(m).__module__ in ("ctnn_torch", "__main__") and type(m).__name__ == name


# GRU's gates: ctnn's (Keras') z, r, h are PyTorch's rows [U, 2U), [0, U), [2U, 3U).
def gru_rows(u):
    return torch.cat([torch.arange(u, 2 * u), torch.arange(0, u), torch.arange(2 * u, 3 * u)])


def recurrent_record(m, shape):
    rnn = m.rnn
    kind = {nn.LSTM: "LSTM", nn.GRU: "GRU", nn.RNN: "SimpleRNN"}.get(type(rnn))
    if kind is None:
        raise Error(f"Recurrent({type(rnn).__name__}): ctnn has LSTM, GRU and SimpleRNN (nn.RNN)")
    if len(shape) != 2 or shape[1] != rnn.input_size:
        raise Error(f"{type(rnn).__name__}({rnn.input_size}, {rnn.hidden_size}) after shape {tuple(shape)}: it "
                    "takes a sequence of T steps of input_size features")
    if rnn.num_layers != 1 or rnn.bidirectional or not rnn.batch_first or not rnn.bias or \
            getattr(rnn, "proj_size", 0) or (kind == "SimpleRNN" and rnn.nonlinearity != "tanh"):
        raise Error(f"{type(rnn).__name__} with num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}, "
                    f"batch_first={rnn.batch_first}, bias={rnn.bias}: ctnn's layer is one layer, one direction, "
                    "batch-first, with biases (nn.RNN with tanh; nn.LSTM without proj_size); stack Recurrent "
                    "modules for more layers")
    u = rnn.hidden_size
    wi, wh = rnn.weight_ih_l0.detach().double(), rnn.weight_hh_l0.detach().double()
    bi, bh = rnn.bias_ih_l0.detach().double(), rnn.bias_hh_l0.detach().double()
    if kind == "GRU":
        rows = gru_rows(u)
        wi, wh, bias, bias_cols = wi[rows], wh[rows], torch.cat([bi[rows], bh[rows]]), 2
    else:
        bias, bias_cols = bi + bh, 1
    g = wi.shape[0]
    tensors = [("kernel", g, shape[1], wi.t().reshape(-1)), ("recurrent_kernel", g, u, wh.t().reshape(-1)),
               ("bias", g, bias_cols, bias)]
    returns = ", ctnn::Returns::sequences" if m.sequences else ""
    outs = [shape[0], u] if m.sequences else [u]
    return Record(kind, f"ctnn::{kind}<{u}{returns}>", shape, outs, tensors)


def conv1d_record(m, shape):
    conv = m.conv
    if not isinstance(conv, nn.Conv1d):
        raise Error(f"Conv1d({type(conv).__name__}): it wraps an nn.Conv1d")
    if len(shape) != 2 or shape[1] != conv.in_channels:
        raise Error(f"Conv1d({conv.in_channels}, {conv.out_channels}) after shape {tuple(shape)}: it takes a "
                    "sequence of T steps of in_channels values")
    if conv.groups != 1 or conv.padding_mode != "zeros":
        raise Error("Conv1d with groups or a padding mode other than zeros: ctnn's Conv1D has neither")
    (k,), (stride,), (dilation,) = conv.kernel_size, conv.stride, conv.dilation
    span, t = (k - 1) * dilation + 1, shape[0]
    pad = conv.padding if isinstance(conv.padding, str) else conv.padding[0]
    if m.causal:
        if pad not in (0, "valid") or stride != 1:
            raise Error("a causal Conv1d pads by itself: give the nn.Conv1d padding 0 and stride 1")
        padding, length = "causal", t
    elif pad in (0, "valid"):
        if span > t:
            raise Error(f"Conv1d spanning {span} steps on a sequence of {t}")
        padding, length = "valid", (t - span) // stride + 1
    elif stride == 1 and (pad == "same" or (span % 2 == 1 and pad == span // 2)):
        padding, length = "same", t
    else:
        raise Error(f"Conv1d padding {conv.padding} at stride {stride}: ctnn has valid (0), same (at stride 1) "
                    "and causal (Conv1d(conv, causal=True))")
    w = conv.weight.detach().double().permute(0, 2, 1).reshape(conv.out_channels, -1)  # F x (K C), k C + c
    tensors = [("kernel", conv.out_channels, k * conv.in_channels, w.t().reshape(-1)),
               ("bias", conv.out_channels, 1, bias_of(conv, conv.out_channels))]
    spec = f"ctnn::Conv1D<{conv.out_channels}, {k}, ctnn::Padding::{padding}, {stride}, {dilation}>"
    return Record("Conv1D", spec, shape, [length, conv.out_channels], tensors)


def fraction(x):
    """A decimal template argument as ctnn takes it: LeakyReLU<0.01>, Dropout<0.5>."""
    return repr(float(x))


def conv_padding(m):
    kh, kw = m.kernel_size
    pad = m.padding if isinstance(m.padding, tuple) else (m.padding, m.padding)
    if m.padding == "valid" or pad == (0, 0):
        return "valid"
    stride = m.stride if isinstance(m.stride, tuple) else (m.stride, m.stride)
    if (m.padding == "same" or pad == (kh // 2, kw // 2)) and kh % 2 == 1 and kw % 2 == 1 and stride == (1, 1):
        return "same"
    raise Error(f"Conv2d padding {m.padding} with kernel {m.kernel_size} and stride {m.stride}: ctnn has "
                "Padding::valid (0) and Padding::same (k // 2 for odd k at stride 1)")


def pair(v):
    return v if isinstance(v, tuple) else (v, v)


class Record:
    """One ctnn layer record: its file name (with its branch path, "b2/Conv2D"), C++ spec, shapes,
    tensors and buffers [(name, rows, cols, column-major values)], and trainable parameter count."""

    def __init__(self, name, spec, ins, outs, tensors=(), buffers=(), parameters=None):
        self.name, self.spec, self.ins, self.outs = name, spec, list(ins), list(outs)
        self.tensors, self.buffers = list(tensors), list(buffers)
        self.parameters = sum(r * c for _, r, c, _ in self.tensors) if parameters is None else parameters


def walk(model, input_shape, prefix=""):
    """The records of an nn.Sequential (or a branch), pre-order as ctnn writes them: a block's record,
    then its branches' layers; returns (records, output shape)."""
    records = []
    shape = list(input_shape)
    state = {"image_flattened": None}  # (H, W, C) a Flatten just flattened, until the next Linear
    for m in model:
        if block_kind(m):
            block, shape = walk_block(m, shape, prefix)
            records += block
            continue
        rec = one_layer(m, shape, state)
        rec.name = prefix + rec.name
        shape = rec.outs
        records.append(rec)
    return records, shape


def walk_block(m, shape, prefix):
    kind = block_kind(m)
    branches = [nn.Sequential(), m.body] if kind == "Residual" else list(m.branches)
    if len(branches) < 2:
        raise Error(f"{kind} with {len(branches)} branch: a block needs at least two")
    inner, outs, specs = [], [], []
    for k, b in enumerate(branches, start=1):
        b = b if isinstance(b, nn.Sequential) else nn.Sequential(b)
        recs, out = walk(b, shape, f"{prefix}b{k}/")
        inner += recs
        outs.append(out)
        top = [r for r in recs if r.name.count("/") == prefix.count("/") + 1]
        specs.append("ctnn::Branch<" + ", ".join(r.spec for r in top) + ">")
    if kind in ("Residual", "Add", "Multiply"):
        if any(o != outs[0] for o in outs):
            raise Error(f"{kind}: the branches' output shapes differ: {[tuple(o) for o in outs]}")
        out = outs[0]
    else:
        if any(o[:-1] != outs[0][:-1] for o in outs):
            raise Error(f"Concat: the branches' outputs differ other than in channels: {[tuple(o) for o in outs]}")
        out = outs[0][:-1] + [sum(o[-1] for o in outs)]
    if kind == "Residual":
        spec = "ctnn::Residual<" + specs[1][len("ctnn::Branch<"):-1] + ">"
    else:
        spec = f"ctnn::{kind}<" + ", ".join(specs) + ">"
    head = Record(prefix + kind, spec, shape, out, parameters=sum(r.parameters for r in inner))
    return [head] + inner, out


def one_layer(m, shape, state):
    """The record of one PyTorch module after `shape`."""
    ins = list(shape)
    tensors, buffers = [], []
    if tool_module(m, "Recurrent"):
        return recurrent_record(m, shape)
    if tool_module(m, "Conv1d"):
        return conv1d_record(m, shape)
    if isinstance(m, (nn.LSTM, nn.GRU, nn.RNN, nn.Conv1d)):
        wrapper = "Conv1d" if isinstance(m, nn.Conv1d) else "Recurrent"
        raise Error(f"a bare {type(m).__name__}: wrap it in ctnn_torch.{wrapper}(...), which runs it on batch-first "
                    "sequences (N x T x F, ctnn's layout) and gives a Sequential one tensor")
    if isinstance(m, nn.Linear) and len(shape) == 2:  # per step, as PyTorch's Linear on N x T x F
        if shape[1] != m.in_features:
            raise Error(f"Linear({m.in_features}, {m.out_features}) after shape {tuple(shape)}")
        w = m.weight.detach().double()
        tensors = [("kernel", m.out_features, m.in_features, w.t().reshape(-1)),
                   ("bias", m.out_features, 1, bias_of(m, m.out_features))]
        return Record("TimeDistributed", f"ctnn::TimeDistributed<ctnn::Dense<{m.out_features}>>", ins,
                      [shape[0], m.out_features], tensors)
    if True:
        if isinstance(m, nn.Linear):
            if len(shape) != 1 or shape[0] != m.in_features:
                raise Error(f"Linear({m.in_features}, {m.out_features}) after shape {tuple(shape)}")
            w = m.weight.detach().double()
            if state["image_flattened"]:
                h, wd, c = state["image_flattened"]
                # ctnn's input j = (y * W + x) * C + ch is PyTorch's ch * H * W + y * W + x.
                perm = torch.arange(c * h * wd).reshape(c, h, wd).permute(1, 2, 0).reshape(-1)
                w = w[:, perm]
                state["image_flattened"] = None
            tensors = [("kernel", m.out_features, m.in_features, w.t().reshape(-1)),
                       ("bias", m.out_features, 1, bias_of(m, m.out_features))]
            shape = [m.out_features]
            name, spec = "Dense", f"ctnn::Dense<{m.out_features}>"
        elif isinstance(m, nn.Conv2d):
            if len(shape) != 3 or shape[2] != m.in_channels:
                raise Error(f"Conv2d({m.in_channels}, {m.out_channels}) after shape {tuple(shape)}")
            if m.groups != 1 or pair(m.dilation) != (1, 1):
                raise Error("Conv2d with groups or dilation: ctnn's Conv2D has neither")
            kh, kw = m.kernel_size
            sh, sw = pair(m.stride)
            if sh != sw:
                raise Error(f"Conv2d stride {m.stride}: ctnn's Conv2D takes one stride for both axes")
            padding = conv_padding(m)
            h, wd, _ = shape
            if padding == "valid":
                shape = [(h - kh) // sh + 1, (wd - kw) // sw + 1, m.out_channels]
            else:
                shape = [-(-h // sh), -(-wd // sw), m.out_channels]
            w = m.weight.detach().double().permute(0, 2, 3, 1).reshape(m.out_channels, -1)
            tensors = [("kernel", m.out_channels, kh * kw * m.in_channels, w.t().reshape(-1)),
                       ("bias", m.out_channels, 1, bias_of(m, m.out_channels))]
            name = "Conv2D"
            spec = f"ctnn::Conv2D<{m.out_channels}, {kh}, {kw}, ctnn::Padding::{padding}, {sh}>"
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k, s = pair(m.kernel_size), pair(m.stride if m.stride is not None else m.kernel_size)
            if k != s or pair(m.padding) != (0, 0) or getattr(m, "ceil_mode", False):
                raise Error(f"{type(m).__name__} with kernel {m.kernel_size}, stride {m.stride}, padding "
                            f"{m.padding}: ctnn pools with stride = kernel, no padding, floor")
            if len(shape) != 3:
                raise Error(f"{type(m).__name__} after shape {tuple(shape)}")
            shape = [shape[0] // k[0], shape[1] // k[1], shape[2]]
            name = "MaxPool2D" if isinstance(m, nn.MaxPool2d) else "AveragePool2D"
            spec = f"ctnn::{name}<{k[0]}, {k[1]}>"
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            rank = 1 if isinstance(m, nn.BatchNorm1d) else 3
            if len(shape) != rank or shape[-1] != m.num_features:
                raise Error(f"{type(m).__name__}({m.num_features}) after shape {tuple(shape)}")
            if not m.affine or not m.track_running_stats or m.momentum is None:
                raise Error(f"{type(m).__name__} without affine parameters, running statistics or a momentum: "
                            "ctnn's BatchNormalization has all three")
            c = m.num_features
            tensors = [("gamma", c, 1, m.weight.detach().double()), ("beta", c, 1, m.bias.detach().double())]
            buffers = [("moving_mean", c, 1, m.running_mean.detach().double()),
                       ("moving_variance", c, 1, m.running_var.detach().double())]
            # PyTorch's momentum weighs the batch; Keras' (ctnn's) weighs the moving statistics.
            name = "BatchNormalization"
            spec = f"ctnn::BatchNormalization<{fraction(1 - m.momentum)}, {fraction(m.eps)}>"
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            if pair(m.output_size) != (1, 1) or len(shape) != 3:
                raise Error(f"AdaptiveAvgPool2d({m.output_size}) after shape {tuple(shape)}: ctnn has the "
                            "global one, AdaptiveAvgPool2d(1) followed by Flatten")
            shape = [shape[2]]  # ctnn's global pool gives a vector; a Flatten after it changes nothing
            name, spec = "GlobalAveragePool2D", "ctnn::GlobalAveragePool2D"
        elif isinstance(m, nn.Flatten):
            if len(shape) == 3:
                state["image_flattened"] = tuple(shape)
            n = 1
            for d in shape:
                n *= d
            shape = [n]
            name, spec = "Flatten", "ctnn::Flatten"
        elif isinstance(m, nn.Dropout):
            name, spec = "Dropout", f"ctnn::Dropout<{fraction(m.p)}>"
        elif isinstance(m, nn.ReLU):
            name, spec = "ReLU", "ctnn::ReLU"
        elif isinstance(m, nn.LeakyReLU):
            name, spec = "LeakyReLU", f"ctnn::LeakyReLU<{fraction(m.negative_slope)}>"
        elif isinstance(m, nn.ELU):
            name, spec = "ELU", f"ctnn::ELU<{fraction(m.alpha)}>"
        elif isinstance(m, nn.PReLU):
            n = m.num_parameters
            if n == 1:
                spec = "ctnn::PReLU<ctnn::Slopes::one>"
            elif len(shape) == 1 and n == shape[0]:
                spec = "ctnn::PReLU<>"
            elif len(shape) == 3 and n == shape[2]:
                spec = "ctnn::PReLU<ctnn::Slopes::per_channel>"
            else:  # on N x T x F, PyTorch's channel axis (dim 1) is the time
                raise Error(f"PReLU({n}) after shape {tuple(shape)}: one slope, or one per channel of an image "
                            "or per feature of a vector")
            name, tensors = "PReLU", [("alpha", n, 1, m.weight.detach().double())]
        elif isinstance(m, nn.Sigmoid):
            name, spec = "Sigmoid", "ctnn::Sigmoid"
        elif isinstance(m, nn.Tanh):
            name, spec = "Tanh", "ctnn::Tanh"
        elif isinstance(m, nn.Softmax):
            if len(shape) != 1:
                raise Error("Softmax over an image: ctnn's Softmax takes a vector")
            name, spec = "Softmax", "ctnn::Softmax"
        elif isinstance(m, nn.Identity):
            name, spec = "Linear", "ctnn::Linear"
        else:
            raise Error(f"{type(m).__name__} has no ctnn counterpart (supported: see ctnn_torch.py --help)")
        if state["image_flattened"] and name not in ("Flatten", "Dense", "Dropout", "ReLU", "LeakyReLU", "ELU",
                                                     "Sigmoid", "Tanh", "Linear"):
            raise Error(f"{name} after a Flatten of an image")
    return Record(name, spec, ins, shape, tensors, buffers)


def bias_of(m, n):
    return m.bias.detach().double() if m.bias is not None else torch.zeros(n, dtype=torch.float64)


def write_file(path, records):
    """Records as walk() returns them, as a ctnn model file of floats."""
    layers = [(r.name, r.ins, r.outs, r.parameters) for r in records]
    tensors = [(i, tname, rows, cols, values.float().tolist())
               for i, r in enumerate(records) for tname, rows, cols, values in r.tensors]
    buffers = [(i, tname, rows, cols, values.float().tolist())
               for i, r in enumerate(records) for tname, rows, cols, values in r.buffers]
    ctnn_format.write(path, layers, tensors, buffers=buffers)


def read_file(path):
    """A model file's layer records and its tensors and buffers as {(layer, name): (rows, cols) float64
    tensor}."""
    _, layers, tensors, buffers = ctnn_format.read(path)
    return ([(name, ins, outs) for name, ins, outs, _ in layers],
            {(layer, name): torch.tensor(values, dtype=torch.float64).reshape(cols, rows).T
             for layer, name, rows, cols, values in tensors + buffers})


def rebuild(layers, tensors):
    """The torch.nn.Sequential a file describes, with its weights, and Python that rebuilds it."""
    mods, code, _ = rebuild_chain(layers, tensors, 0, "", {"image_flattened": None})
    return nn.Sequential(*mods), "nn.Sequential(\n" + join(code, 4) + "\n)"


def indent(text, n):
    return "\n".join(" " * n + line for line in text.split("\n"))


def closed(text):
    """text + ")", on a line of its own if text's last line ends in a comment."""
    return text + ("\n)" if "  # " in text.rsplit("\n", 1)[-1] else ")")


def join(items, n):
    """Code items (each possibly several lines, possibly ending in a comment), indented by n and
    separated by commas, each comma before its line's comment so that the code parses."""
    out = []
    for k, item in enumerate(items):
        text = indent(item, n)
        if k + 1 < len(items):
            head, sep, comment = text.rpartition("  # ")
            last_line_comment = sep and "\n" not in comment
            text = head + "," + sep + comment if last_line_comment else text + ","
        out.append(text)
    return "\n".join(out)


def rebuild_chain(layers, tensors, i, prefix, state):
    """Modules for the records from i on that are at `prefix` (a branch path); returns (modules, code
    lines, the index after them)."""
    mods, code = [], []
    while i < len(layers) and layers[i][0].startswith(prefix) and "/" not in layers[i][0][len(prefix):]:
        name = layers[i][0][len(prefix):]
        if name in ("Residual", "Add", "Concat", "Multiply"):
            m, c, i = rebuild_block(layers, tensors, i, prefix, name)
        else:
            m, c = rebuild_layer(layers, tensors, i, name, state)
            i += 1
        mods.append(m)
        code.append(c)
    return mods, code, i


def rebuild_block(layers, tensors, i, prefix, kind):
    """A block's record at i and its branches' records after it. An identity branch has no records: a
    branch number missing between found ones is the identity, and so are missing branches up to two
    (a Concat's channel count tells how many identity branches follow the last one found)."""
    _, ins, outs = layers[i]
    i += 1
    found = {}
    while i < len(layers) and layers[i][0].startswith(prefix + "b"):
        k = int(layers[i][0][len(prefix) + 1:].split("/")[0])
        mods, code, i = rebuild_chain(layers, tensors, i, f"{prefix}b{k}/", {"image_flattened": None})
        found[k] = (mods, code, layers[i - 1][2])
    count = max([2] + list(found))
    if kind == "Concat":
        channels = sum((found[k][2][-1] if k in found else ins[-1]) for k in range(1, count + 1))
        count += (outs[-1] - channels) // ins[-1]
    branches, texts = [], []
    for k in range(1, count + 1):
        mods, code, _ = found.get(k, ([], [], ins))
        branches.append(nn.Sequential(*mods))
        texts.append(closed("nn.Sequential(\n" + join(code, 4)) if code else "nn.Sequential()")
    if kind == "Residual":
        return Residual(branches[1]), closed("ctnn_torch.Residual(" + texts[1]), i
    cls = {"Add": Add, "Concat": Concat, "Multiply": Multiply}[kind]
    return cls(*branches), closed(f"ctnn_torch.{kind}(\n" + join(texts, 4)), i


def conv_geometry(i, ins, outs, k, c):
    """A Conv2D's kernel, stride and PyTorch padding, from its shapes and kernel size (the file has no
    hyper-parameters): valid at stride 1 (any kernel), else a square kernel, valid at some stride or
    "same" at stride 1. ctnn's "same" at a larger stride pads as Keras does (the extra row and column
    at the end), which Conv2d's symmetric padding cannot express."""
    kh, kw = ins[0] - outs[0] + 1, ins[1] - outs[1] + 1
    if kh >= 1 and kw >= 1 and kh * kw * c == k:
        return kh, kw, 1, 0
    side = int(round((k // c) ** 0.5))
    if side * side * c != k:
        raise Error(f"layer {i}: Conv2D with a kernel of {k // c} taps that is not square and not a valid "
                    "convolution at stride 1: its shape cannot be recovered from the file")
    for stride in range(1, max(ins[0], ins[1]) + 1):
        if all(ins[d] >= side and (ins[d] - side) // stride + 1 == outs[d] for d in (0, 1)):
            return side, side, stride, 0
    if outs[:2] == ins[:2] and side % 2 == 1:
        return side, side, 1, side // 2
    raise Error(f"layer {i}: Conv2D {tuple(ins)} -> {tuple(outs)} with a {side}x{side} kernel is Padding::same at "
                "a stride above 1, which pads the end only (as Keras); PyTorch's Conv2d pads both sides")


def rebuild_layer(layers, tensors, i, name, state):
    """One module for record i (its weights loaded) and the code that builds it."""
    _, ins, outs = layers[i]
    image_flattened = state["image_flattened"]
    code = []
    if True:
        if name == "Dense":
            m = nn.Linear(ins[0], outs[0])
            w = tensors[(i, "kernel")]
            if image_flattened:
                h, wd, c = image_flattened
                perm = torch.arange(c * h * wd).reshape(c, h, wd).permute(1, 2, 0).reshape(-1)
                inverse = torch.empty_like(perm)
                inverse[perm] = torch.arange(perm.numel())
                w = w[:, inverse]
                state["image_flattened"] = None
            m.weight.data = w.float().contiguous()
            m.bias.data = tensors[(i, "bias")].reshape(-1).float()
            code.append(f"nn.Linear({ins[0]}, {outs[0]})")
        elif name == "Conv2D":
            f, k = tensors[(i, "kernel")].shape
            c = ins[2]
            kh, kw, stride, padding = conv_geometry(i, ins, outs, k, c)
            m = nn.Conv2d(c, f, (kh, kw), stride=stride, padding=padding)
            m.weight.data = tensors[(i, "kernel")].reshape(f, kh, kw, c).permute(0, 3, 1, 2).float().contiguous()
            m.bias.data = tensors[(i, "bias")].reshape(-1).float()
            code.append(f"nn.Conv2d({c}, {f}, ({kh}, {kw}), stride={stride}, padding={padding})")
        elif name in ("MaxPool2D", "AveragePool2D"):
            k = (ins[0] // outs[0], ins[1] // outs[1])
            m = nn.MaxPool2d(k) if name == "MaxPool2D" else nn.AvgPool2d(k)
            code.append(f"nn.{type(m).__name__}({k})")
        elif name == "BatchNormalization":
            c = ins[-1]
            m = (nn.BatchNorm1d if len(ins) == 1 else nn.BatchNorm2d)(c, eps=1e-3, momentum=0.01)
            m.weight.data = tensors[(i, "gamma")].reshape(-1).float()
            m.bias.data = tensors[(i, "beta")].reshape(-1).float()
            m.running_mean.data = tensors[(i, "moving_mean")].reshape(-1).float()
            m.running_var.data = tensors[(i, "moving_variance")].reshape(-1).float()
            code.append((f"nn.{type(m).__name__}({c}, eps=1e-3, momentum=0.01)",
                         "Keras' defaults: ctnn's epsilon and momentum are not in the file"))
        elif name == "GlobalAveragePool2D":
            m = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
            code.append("nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())")
        elif name == "Flatten":
            if len(ins) == 3:
                state["image_flattened"] = tuple(ins)
            m = nn.Flatten()
            code.append("nn.Flatten()")
        elif name in ("LSTM", "GRU", "SimpleRNN"):
            m, c = rebuild_recurrent(i, name, ins, outs, tensors)
            code.append(c)
        elif name == "Conv1D":
            m, c = rebuild_conv1d(i, ins, outs, tensors)
            code.append(c)
        elif name == "PReLU":
            alpha = tensors[(i, "alpha")].reshape(-1).float()
            if alpha.numel() != 1 and not (len(ins) in (1, 3) and alpha.numel() == ins[-1]):
                raise Error(f"layer {i}: PReLU with {alpha.numel()} slopes on shape {tuple(ins)}: PyTorch's PReLU has "
                            "one, or one per channel")
            m = nn.PReLU(alpha.numel())
            m.weight.data = alpha.clone()
            code.append(f"nn.PReLU({alpha.numel()})")
        elif name == "TimeDistributed":
            if (i, "kernel") not in tensors or (i, "bias") not in tensors or len(ins) != 2:
                raise Error(f"layer {i}: TimeDistributed of a layer other than Dense: the file does not say which")
            m = nn.Linear(ins[1], outs[1])
            m.weight.data = tensors[(i, "kernel")].float().contiguous()
            m.bias.data = tensors[(i, "bias")].reshape(-1).float()
            code.append((f"nn.Linear({ins[1]}, {outs[1]})", "on every step: ctnn's TimeDistributed<Dense>"))
        else:
            simple = {"ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "Linear": nn.Identity,
                      "LeakyReLU": nn.LeakyReLU, "ELU": nn.ELU, "Dropout": nn.Dropout}
            if name == "Softmax":
                m = nn.Softmax(dim=1)
                code.append("nn.Softmax(dim=1)")
            elif name in simple:
                m = simple[name]()
                code.append((f"nn.{type(m).__name__}()", "ctnn's hyper-parameters are not in the file"))
            else:
                raise Error(f"layer {i}: {name} has no PyTorch counterpart in this tool")
    expr, comment = code[0] if isinstance(code[0], tuple) else (code[0], None)
    return m, expr + (f"  # {comment}" if comment else "")


# What the import cannot read from a file: a length-keeping Conv1D's padding (set by --conv1d-padding).
IMPORT_OPTIONS = {"conv1d_padding": None}


def rebuild_recurrent(i, name, ins, outs, tensors):
    t, f = ins
    u = outs[-1]
    sequences = len(outs) == 2
    kernel, rec, bias = tensors[(i, "kernel")], tensors[(i, "recurrent_kernel")], tensors[(i, "bias")]
    cls = {"LSTM": nn.LSTM, "GRU": nn.GRU, "SimpleRNN": nn.RNN}[name]
    rnn = cls(f, u, batch_first=True)
    if name == "GRU":
        if bias.shape[1] != 2:
            raise Error(f"layer {i}: a GRU with reset_after false; PyTorch's nn.GRU is reset_after only")
        inverse = torch.empty(3 * u, dtype=torch.long)
        inverse[gru_rows(u)] = torch.arange(3 * u)
        kernel, rec = kernel[inverse], rec[inverse]
        bi, bh = bias[:, 0][inverse], bias[:, 1][inverse]
    else:
        bi, bh = bias[:, 0], torch.zeros(bias.shape[0], dtype=torch.float64)
    rnn.weight_ih_l0.data = kernel.float().contiguous()
    rnn.weight_hh_l0.data = rec.float().contiguous()
    rnn.bias_ih_l0.data = bi.float().contiguous()
    rnn.bias_hh_l0.data = bh.float().contiguous()
    m = Recurrent(rnn, sequences=sequences)
    return m, f"ctnn_torch.Recurrent(nn.{cls.__name__}({f}, {u}, batch_first=True), sequences={sequences})"


def rebuild_conv1d(i, ins, outs, tensors):
    """A Conv1D's geometry from its shapes and kernel (the file has no hyper-parameters): valid at the
    stride that gives its length, dilation 1; a length-keeping one pads as --conv1d-padding says."""
    (t, c), (length, f) = ins, outs
    w = tensors[(i, "kernel")]
    k = w.shape[1] // c
    causal, stride, padding = False, 1, 0
    if length == t and k > 1:
        choice = IMPORT_OPTIONS["conv1d_padding"]
        if choice is None:
            raise Error(f"layer {i}: Conv1D {tuple(ins)} -> {tuple(outs)} with a kernel of {k} keeps the length: "
                        "Padding::same or Padding::causal, which the file does not say; give --conv1d-padding "
                        "same|causal (a dilation is not in the file either: 1 is assumed)")
        causal, padding = choice == "causal", ("same" if choice == "same" else 0)
    else:
        stride = next((s for s in range(1, t + 1) if t >= k and (t - k) // s + 1 == length), None)
        if stride is None:
            raise Error(f"layer {i}: Conv1D {tuple(ins)} -> {tuple(outs)} with a kernel of {k}: no stride gives that "
                        "length without padding (dilation 1 assumed)")
    conv = nn.Conv1d(c, f, k, stride=stride, padding=padding)
    conv.weight.data = w.reshape(f, k, c).permute(0, 2, 1).float().contiguous()
    conv.bias.data = tensors[(i, "bias")].reshape(-1).float()
    pad = repr(padding)
    return Conv1d(conv, causal=causal), f"ctnn_torch.Conv1d(nn.Conv1d({c}, {f}, {k}, stride={stride}, padding={pad}), causal={causal})"


def cpp_type(input_shape, records):
    dims = ", ".join(str(d) for d in input_shape)
    specs = ", ".join(r.spec for r in records if "/" not in r.name)
    return f"using Net = ctnn::Sequential<ctnn::Input<{dims}>, {specs}>;"


def export(model, out, input_shape=None):
    if not isinstance(model, nn.Sequential):
        raise Error(f"the model is a {type(model).__name__}; this tool converts a torch.nn.Sequential")
    if input_shape is None:
        first = next((m for m in model if isinstance(m, (nn.Linear, nn.Conv2d)) or tool_module(m, "Recurrent")
                      or tool_module(m, "Conv1d")), None)
        if not isinstance(first, nn.Linear):
            raise Error("give --input: H,W,C for a model that starts with a convolution, T,F for a sequence")
        input_shape = [first.in_features]
    records, _ = walk(model, input_shape)
    write_file(out, records)
    return cpp_type(input_shape, records)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("model")
    e.add_argument("out")
    e.add_argument("--input")
    i = sub.add_parser("import")
    i.add_argument("ctnn_file")
    i.add_argument("out")
    i.add_argument("--conv1d-padding", choices=("same", "causal"))
    args = ap.parse_args()
    try:
        if args.command == "export":
            model = torch.load(args.model, map_location="cpu")
            shape = [int(d) for d in args.input.split(",")] if args.input else None
            print(export(model, args.out, shape))
        else:
            IMPORT_OPTIONS["conv1d_padding"] = args.conv1d_padding
            model, code = rebuild(*read_file(args.ctnn_file))
            torch.save(model.state_dict(), args.out)
            if "ctnn_torch." in code:  # the blocks are this tool's modules
                print(f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})")
                print("import ctnn_torch")
            print("model = " + code)
            print(f"model.load_state_dict(torch.load({args.out!r}))")
    except Error as err:
        sys.exit(f"ctnn_torch.py: {err}")


if __name__ == "__main__":
    main()
