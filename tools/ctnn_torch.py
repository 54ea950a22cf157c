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

Supported: Linear, Conv2d (padding 0, or "same" for odd kernels at stride 1), MaxPool2d, AvgPool2d
(stride = kernel), Flatten, Dropout, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, Identity.
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


def walk(model, input_shape):
    """Yields, per ctnn layer: (ctnn name, C++ spec, in shape, out shape, tensors [(name, rows, cols,
    column-major values)], torch module)."""
    shape = list(input_shape)
    image_flattened = None  # (H, W, C) of the image a Flatten just flattened, until the next Linear
    for m in model:
        ins = list(shape)
        tensors = []
        if isinstance(m, nn.Linear):
            if len(shape) != 1 or shape[0] != m.in_features:
                raise Error(f"Linear({m.in_features}, {m.out_features}) after shape {tuple(shape)}")
            w = m.weight.detach().double()
            if image_flattened:
                h, wd, c = image_flattened
                # ctnn's input j = (y * W + x) * C + ch is PyTorch's ch * H * W + y * W + x.
                perm = torch.arange(c * h * wd).reshape(c, h, wd).permute(1, 2, 0).reshape(-1)
                w = w[:, perm]
                image_flattened = None
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
        elif isinstance(m, nn.Flatten):
            if len(shape) == 3:
                image_flattened = tuple(shape)
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
        if image_flattened and name not in ("Flatten", "Dense", "Dropout", "ReLU", "LeakyReLU", "ELU",
                                            "Sigmoid", "Tanh", "Linear"):
            raise Error(f"{name} after a Flatten of an image")
        yield name, spec, ins, list(shape), tensors, m


def bias_of(m, n):
    return m.bias.detach().double() if m.bias is not None else torch.zeros(n, dtype=torch.float64)


def write_file(path, records):
    """The records walk() yields, as a ctnn model file of floats."""
    layers = [(name, ins, outs, sum(rows * cols for _, rows, cols, _ in tensors))
              for name, _, ins, outs, tensors, _ in records]
    tensors = [(i, tname, rows, cols, values.float().tolist())
               for i, record in enumerate(records) for tname, rows, cols, values in record[4]]
    ctnn_format.write(path, layers, tensors)


def read_file(path):
    """A model file's layer records and its tensors and buffers as {(layer, name): (rows, cols) float64
    tensor}."""
    _, layers, tensors, buffers = ctnn_format.read(path)
    return ([(name, ins, outs) for name, ins, outs, _ in layers],
            {(layer, name): torch.tensor(values, dtype=torch.float64).reshape(cols, rows).T
             for layer, name, rows, cols, values in tensors + buffers})


def rebuild(layers, tensors):
    """The torch.nn.Sequential a file describes, with its weights, and Python that rebuilds it."""
    mods, code = [], []
    image_flattened = None
    for i, (name, ins, outs) in enumerate(layers):
        if name == "Dense":
            m = nn.Linear(ins[0], outs[0])
            w = tensors[(i, "kernel")]
            if image_flattened:
                h, wd, c = image_flattened
                perm = torch.arange(c * h * wd).reshape(c, h, wd).permute(1, 2, 0).reshape(-1)
                inverse = torch.empty_like(perm)
                inverse[perm] = torch.arange(perm.numel())
                w = w[:, inverse]
                image_flattened = None
            m.weight.data = w.float().contiguous()
            m.bias.data = tensors[(i, "bias")].reshape(-1).float()
            code.append(f"nn.Linear({ins[0]}, {outs[0]})")
        elif name == "Conv2D":
            f, k = tensors[(i, "kernel")].shape
            c = ins[2]
            # output size tells the padding; the kernel is square or not: recover KH, KW from the file
            # shapes when valid, else assume square odd kernels ("same").
            kh = ins[0] - outs[0] + 1 if outs[0] < ins[0] else None
            kw = ins[1] - outs[1] + 1 if outs[1] < ins[1] else None
            if kh is None or kw is None:
                side = int(round((k // c) ** 0.5))
                kh = kw = side
                padding = kh // 2
            else:
                padding = 0
            m = nn.Conv2d(c, f, (kh, kw), padding=padding)
            m.weight.data = tensors[(i, "kernel")].reshape(f, kh, kw, c).permute(0, 3, 1, 2).float().contiguous()
            m.bias.data = tensors[(i, "bias")].reshape(-1).float()
            code.append(f"nn.Conv2d({c}, {f}, ({kh}, {kw}), padding={padding})")
        elif name in ("MaxPool2D", "AveragePool2D"):
            k = (ins[0] // outs[0], ins[1] // outs[1])
            m = nn.MaxPool2d(k) if name == "MaxPool2D" else nn.AvgPool2d(k)
            code.append(f"nn.{type(m).__name__}({k})")
        elif name == "Flatten":
            if len(ins) == 3:
                image_flattened = tuple(ins)
            m = nn.Flatten()
            code.append("nn.Flatten()")
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
        mods.append(m)
    # One module a line; a comment goes after the line's comma, so that the printed code parses.
    lines = []
    for k, item in enumerate(code):
        expr, comment = item if isinstance(item, tuple) else (item, None)
        line = "    " + expr + ("," if k + 1 < len(code) else "")
        lines.append(line + (f"  # {comment}" if comment else ""))
    return nn.Sequential(*mods), "nn.Sequential(\n" + "\n".join(lines) + "\n)"


def cpp_type(input_shape, records):
    dims = ", ".join(str(d) for d in input_shape)
    specs = ", ".join(r[1] for r in records)
    return f"using Net = ctnn::Sequential<ctnn::Input<{dims}>, {specs}>;"


def export(model, out, input_shape=None):
    if not isinstance(model, nn.Sequential):
        raise Error(f"the model is a {type(model).__name__}; this tool converts a torch.nn.Sequential")
    if input_shape is None:
        first = next((m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))), None)
        if not isinstance(first, nn.Linear):
            raise Error("give --input H,W,C for a model that starts with a convolution")
        input_shape = [first.in_features]
    records = list(walk(model, input_shape))
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
    args = ap.parse_args()
    try:
        if args.command == "export":
            model = torch.load(args.model, map_location="cpu")
            shape = [int(d) for d in args.input.split(",")] if args.input else None
            print(export(model, args.out, shape))
        else:
            model, code = rebuild(*read_file(args.ctnn_file))
            torch.save(model.state_dict(), args.out)
            print("model = " + code)
            print(f"model.load_state_dict(torch.load({args.out!r}))")
    except Error as err:
        sys.exit(f"ctnn_torch.py: {err}")


if __name__ == "__main__":
    main()
