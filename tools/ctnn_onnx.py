#!/usr/bin/python3
"""Imports an ONNX model into ctnn: prints the C++ type and writes the weight file (docs/interop.md).

  ctnn_onnx.py import MODEL.onnx OUT.ctnn
      Reads MODEL.onnx (Debian's python3-onnx and python3-numpy), maps its graph to a ctnn network,
      prints the C++ type (`using Net = ctnn::Sequential<...>;`) and writes the weights as ctnn's model
      file (docs/format.md), which ctnn::load reads into that type.

The graph must have one input, one sample of shape (C, H, W) or (F) after its batch axis (N x C x H x W,
or N x F, N fixed or symbolic), and one output. A chain of nodes becomes the layers of a Sequential;
where a value feeds several nodes that meet again in an Add, a Mul or a Concat over channels, the part
between is a block: Residual<body> (an Add of the value and one branch), Add<Branch<...>...>,
Multiply<...> or Concat<...>, nested at will.

Operators: Gemm (transA 0), MatMul followed by Add of a vector (Dense); Conv over images (Conv2D: one
stride for both axes, no dilation or groups, no padding or Keras' "same" padding); MaxPool and
AveragePool with stride equal to the kernel and no padding (MaxPool2D, AveragePool2D);
GlobalAveragePool; BatchNormalization (kept as ctnn's, with its moving statistics); Relu, LeakyRelu,
Elu, Sigmoid, Tanh, Softmax over a vector; Flatten (axis 1) and a Reshape to (N, -1) (Flatten). Folded,
as not layers: Identity, Dropout (inference), and constant chains (Constant, Shape, Gather,
Unsqueeze, Concat, Cast, Slice) that compute a Reshape's shape. Any other operator, attribute value or
shape: an error naming the node, its operator and the attribute, and nothing is written.

Layouts: ONNX images are C x H x W, ctnn's H x W x C (channels fastest). Conv weights (F, C, KH, KW)
become ctnn kernels F x (KH*KW*C); the first Gemm after a Flatten of an image has its input columns
reordered from C,H,W order to H,W,C order.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctnn_format  # noqa: E402  (the file format, shared with ctnn_torch.py and ctnn_embed.py)


class Error(Exception):
    pass


def node_error(node, what):
    return Error(f"node {node.name or '(unnamed)'} ({node.op_type}): {what}")


def fraction(x):
    """An attribute's float as ctnn's template arguments take it: the shortest decimal that gives the
    same float32 (ONNX stores 0.001 as 0.0010000000474974513), never in exponent form."""
    text = np.format_float_positional(np.float32(x), trim="-")
    return text if "." in text else text + ".0"


class Record:
    """One ctnn layer record: file name (with its branch path, "b2/Conv2D"), C++ spec, shapes,
    tensors and buffers [(name, rows, cols, column-major values)], trainable parameter count."""

    def __init__(self, name, spec, ins, outs, tensors=(), buffers=(), parameters=None):
        self.name, self.spec, self.ins, self.outs = name, spec, list(ins), list(outs)
        self.tensors, self.buffers = list(tensors), list(buffers)
        self.parameters = sum(r * c for _, r, c, _ in self.tensors) if parameters is None else parameters


def matrix(name, m):
    """A tensor of a rows x cols matrix, its values column-major."""
    m = np.asarray(m, dtype=np.float64)
    if m.ndim == 1:
        m = m.reshape(-1, 1)
    return (name, m.shape[0], m.shape[1], np.asfortranarray(m).reshape(-1, order="F"))


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


SKIPPED = {"Identity", "Dropout"}
ACTIVATIONS = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}
MERGES = {"Add": "Add", "Mul": "Multiply", "Concat": "Concat"}
CONSTANT_OPS = {"Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Concat", "Cast", "Slice", "Squeeze"}


class Model:
    def __init__(self, path):
        try:
            self.proto = onnx.load(path)
        except Exception as err:  # onnx raises DecodeError and others for a broken file
            raise Error(f"{path}: not a readable ONNX model ({err})")
        g = self.proto.graph
        self.consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        inputs = [i for i in g.input if i.name not in self.consts]
        if len(inputs) != 1 or len(g.output) != 1:
            raise Error(f"the graph has {len(inputs)} inputs and {len(g.output)} outputs; this importer takes one "
                        "of each (a Graph of several is not mapped yet)")
        self.input = inputs[0].name
        self.output = g.output[0].name
        dims = inputs[0].type.tensor_type.shape.dim
        shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        if len(shape) not in (2, 4) or any(d is None or d <= 0 for d in shape[1:]):
            raise Error(f"input {self.input} has shape {shape}: expected N x F or N x C x H x W with fixed sizes "
                        "after the batch axis")
        self.batch = shape[0] or 1
        self.onnx_shape = shape  # with the batch
        self.nodes = list(g.node)
        self.fold_constants()
        self.consumers = {}
        for n in self.nodes:
            for v in n.input:
                if v:
                    self.consumers.setdefault(v, []).append(n)

    # ---- constants: what exporters compute for a Reshape's shape --------------------------------
    def fold_constants(self):
        """Evaluates nodes whose inputs are all constants (or the shape of a value of known shape) and
        drops them; everything else stays."""
        shapes = {self.input: self.onnx_shape}
        kept = []
        for n in self.nodes:
            a = attributes(n)
            ins = list(n.input)
            if n.op_type == "Constant":
                if "value" not in a:
                    raise node_error(n, "only the 'value' attribute of Constant is supported")
                self.consts[n.output[0]] = numpy_helper.to_array(a["value"])
                continue
            if n.op_type == "Shape" and ins[0] in shapes and all(d is not None for d in shapes[ins[0]][1:]):
                s = list(shapes[ins[0]])
                s[0] = s[0] or 1
                self.consts[n.output[0]] = np.array(s, dtype=np.int64)
                continue
            if n.op_type in CONSTANT_OPS and all(v in self.consts for v in ins if v):
                self.consts[n.output[0]] = self.evaluate(n, [self.consts[v] if v else None for v in ins], a)
                continue
            kept.append(n)
        self.nodes = kept

    def evaluate(self, n, xs, a):
        op = n.op_type
        if op == "Gather":
            return np.take(xs[0], xs[1].astype(np.int64), axis=a.get("axis", 0))
        if op == "Unsqueeze":
            axes = a["axes"] if "axes" in a else list(xs[1])
            out = xs[0]
            for ax in sorted(int(x) for x in axes):
                out = np.expand_dims(out, ax)
            return out
        if op == "Squeeze":
            axes = a.get("axes") if "axes" in a else (list(xs[1]) if len(xs) > 1 and xs[1] is not None else None)
            return np.squeeze(xs[0], axis=tuple(int(x) for x in axes) if axes is not None else None)
        if op == "Concat":
            return np.concatenate([np.atleast_1d(x) for x in xs], axis=a.get("axis", 0))
        if op == "Cast":
            return xs[0].astype(onnx.helper.tensor_dtype_to_np_dtype(a["to"]))
        if op == "Identity":
            return xs[0]
        if op == "Slice":
            starts, ends = xs[1], xs[2]
            axes = xs[3] if len(xs) > 3 and xs[3] is not None else range(len(starts))
            steps = xs[4] if len(xs) > 4 and xs[4] is not None else [1] * len(starts)
            sl = [slice(None)] * xs[0].ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s), int(e), int(st))
            return xs[0][tuple(sl)]
        raise node_error(n, "cannot be evaluated as a constant")

    def const(self, node, k, what):
        name = node.input[k] if k < len(node.input) else ""
        if name not in self.consts:
            raise node_error(node, f"its {what} (input {k}) must be a constant (an initializer)")
        return self.consts[name].astype(np.float64)

    # ---- the walk ------------------------------------------------------------------------------
    def convert(self):
        shape = ([self.onnx_shape[2], self.onnx_shape[3], self.onnx_shape[1]] if len(self.onnx_shape) == 4
                 else [self.onnx_shape[1]])
        self.input_shape = list(shape)
        records, value, shape, join = self.chain(self.input, shape, "", {"image_flattened": None})
        if join is not None:
            raise node_error(join, "merges values that do not fork from one value (a Graph, not mapped yet)")
        if value != self.output:
            raise Error(f"the walk ended at {value}, not at the graph's output {self.output}")
        return records

    def chain(self, value, shape, prefix, state):
        """Layers from `value` on, until the graph's output or a merge node that this chain feeds (a
        branch's end). Returns (records, last value, its shape, the merge node or None)."""
        records = []
        while True:
            users = self.consumers.get(value, [])
            if not users:
                return records, value, shape, None
            if len(users) == 1 and users[0].op_type in MERGES and self.is_merge(users[0]):
                return records, value, shape, users[0]
            if len(users) > 1:
                block, value, shape = self.block(value, users, shape, prefix, state)
                records += block
                continue
            node = users[0]
            if node.op_type in SKIPPED:
                value = node.output[0]
                continue
            rec, value = self.layer(node, shape, state)
            if rec is None:
                continue
            rec.name = prefix + rec.name
            shape = rec.outs
            records.append(rec)

    def is_merge(self, node):
        """An Add, Mul or Concat of two or more computed values (not a constant bias)."""
        return sum(1 for v in node.input if v and v not in self.consts) >= 2

    def block(self, value, users, shape, prefix, state):
        ends, joins, branch_records = [], [], []
        for k, u in enumerate(users, start=1):
            if u.op_type in MERGES and self.is_merge(u):
                branch_records.append([])
                ends.append((value, shape))
                joins.append(u)
                continue
            sub = self.consumers
            # The branch starts at node u: walk it as a chain from value through u alone.
            self.consumers = dict(sub)
            self.consumers[value] = [u]
            recs, end, out, join = self.chain(value, shape, "", dict(state))
            self.consumers = sub
            if join is None:
                raise node_error(u, "a branch from a shared value must end in an Add, Mul or Concat that merges it")
            branch_records.append(recs)
            ends.append((end, out))
            joins.append(join)
        join = joins[0]
        if any(j is not join for j in joins) or len(join.input) != len(users):
            raise node_error(join, "merges values that do not all fork from one value (a Graph, not mapped yet)")
        # Branches in the merge's input order.
        order = []
        for v in join.input:
            k = next(i for i, (e, _) in enumerate(ends) if e == v and i not in order)
            order.append(k)
        kind = MERGES[join.op_type]
        outs = [ends[k][1] for k in order]
        if kind == "Concat":
            a = attributes(join)
            axis = a.get("axis")
            rank = len(outs[0]) + 1
            if axis is None or (axis % rank) != (1 if rank == 4 or rank == 2 else -1):
                raise node_error(join, f"Concat over axis {axis}: ctnn concatenates channels (axis 1)")
            if any(o[:-1] != outs[0][:-1] for o in outs):
                raise node_error(join, f"the inputs' shapes differ other than in channels: {outs}")
            out = outs[0][:-1] + [sum(o[-1] for o in outs)]
        else:
            if any(o != outs[0] for o in outs):
                raise node_error(join, f"the inputs' shapes differ: {outs}")
            out = outs[0]
        residual = kind == "Add" and len(order) == 2 and sum(1 for k in order if not branch_records[k]) == 1
        inner, specs = [], []
        numbered = sorted(order, key=lambda k: bool(branch_records[k])) if residual else order
        for b, k in enumerate(numbered, start=1):
            for r in branch_records[k]:
                r.name = f"{prefix}b{b}/{r.name}"
                inner.append(r)
            top = [r for r in branch_records[k] if r.name.count("/") == prefix.count("/") + 1]
            specs.append("ctnn::Branch<" + ", ".join(r.spec for r in top) + ">")
        if residual:
            name, spec = "Residual", "ctnn::Residual<" + specs[1][len("ctnn::Branch<"):-1] + ">"
        else:
            name, spec = kind, f"ctnn::{kind}<" + ", ".join(specs) + ">"
        head = Record(prefix + name, spec, shape, out, parameters=sum(r.parameters for r in inner))
        return [head] + inner, join.output[0], out

    def layer(self, node, shape, state):
        """The record of one node after `shape` (None for a node that only renames), and its output."""
        op, a, ins = node.op_type, attributes(node), list(shape)
        out_value = node.output[0]
        if state["image_flattened"] and op not in ("Gemm", "MatMul", "Flatten", "Reshape", "Relu", "LeakyRelu",
                                                   "Elu", "Sigmoid", "Tanh"):
            raise node_error(node, "after a Flatten of an image, before its Dense")
        if op in ("Gemm", "MatMul"):
            if len(shape) != 1:
                raise node_error(node, f"on shape {shape}: a Dense takes a vector (Flatten first)")
            w = self.const(node, 1, "weight")
            if op == "Gemm":
                if a.get("transA", 0):
                    raise node_error(node, "transA = 1: the input must be the left operand, untransposed")
                kernel = (w if a.get("transB", 0) else w.T) * a.get("alpha", 1.0)
                bias = (self.const(node, 2, "bias") * a.get("beta", 1.0)) if len(node.input) > 2 and node.input[2] \
                    else np.zeros(kernel.shape[0])
            else:
                kernel = w.T
                bias = np.zeros(kernel.shape[0])
                users = self.consumers.get(out_value, [])
                if len(users) == 1 and users[0].op_type == "Add" and not self.is_merge(users[0]):
                    add = users[0]
                    other = [v for v in add.input if v != out_value][0]
                    bias = self.consts[other].astype(np.float64)
                    out_value = add.output[0]
            if kernel.shape[1] != shape[0]:
                raise node_error(node, f"weight {w.shape} does not fit an input of {shape[0]} values")
            bias = np.broadcast_to(np.asarray(bias, dtype=np.float64).reshape(-1), (kernel.shape[0],))
            if state["image_flattened"]:
                h, wd, c = state["image_flattened"]
                # ctnn's input j = (y * W + x) * C + ch is ONNX's ch * H * W + y * W + x.
                perm = np.arange(c * h * wd).reshape(c, h, wd).transpose(1, 2, 0).reshape(-1)
                kernel = kernel[:, perm]
                state["image_flattened"] = None
            f = kernel.shape[0]
            return Record("Dense", f"ctnn::Dense<{f}>", ins, [f],
                          [matrix("kernel", kernel), matrix("bias", bias)]), out_value
        if op == "Conv":
            return self.conv(node, a, shape), out_value
        if op in ("MaxPool", "AveragePool"):
            if len(shape) != 3:
                raise node_error(node, f"on shape {shape}: ctnn pools images (1-D pools are not mapped yet)")
            k = list(a.get("kernel_shape", []))
            s = list(a.get("strides", k))
            for attr, bad in (("pads", any(a.get("pads", [0]))), ("ceil_mode", a.get("ceil_mode", 0)),
                              ("dilations", any(d != 1 for d in a.get("dilations", [1]))),
                              ("auto_pad", a.get("auto_pad", b"NOTSET") not in (b"NOTSET", b"VALID")),
                              ("strides", s != k), ("storage_order", a.get("storage_order", 0))):
                if bad:
                    raise node_error(node, f"attribute {attr} = {a.get(attr)}: ctnn pools with stride = kernel, "
                                     "no padding, floor")
            if len(node.output) > 1 and node.output[1]:
                raise node_error(node, "the indices output is not supported")
            name = "MaxPool2D" if op == "MaxPool" else "AveragePool2D"
            return Record(name, f"ctnn::{name}<{k[0]}, {k[1]}>", ins,
                          [shape[0] // k[0], shape[1] // k[1], shape[2]]), out_value
        if op == "GlobalAveragePool":
            if len(shape) != 3:
                raise node_error(node, f"on shape {shape}: ctnn's GlobalAveragePool2D takes an image")
            # ONNX keeps N x C x 1 x 1; ctnn gives the C vector, and a Flatten after it changes nothing.
            return Record("GlobalAveragePool2D", "ctnn::GlobalAveragePool2D", ins, [shape[2]]), out_value
        if op == "BatchNormalization":
            if a.get("training_mode", 0) or len([o for o in node.output if o]) > 1:
                raise node_error(node, "training_mode = 1: import a model exported for inference")
            c = shape[-1]
            gamma, beta = self.const(node, 1, "scale"), self.const(node, 2, "bias")
            mean, var = self.const(node, 3, "mean"), self.const(node, 4, "variance")
            if gamma.shape != (c,):
                raise node_error(node, f"{gamma.shape[0]} channels after shape {shape}")
            spec = (f"ctnn::BatchNormalization<{fraction(a.get('momentum', 0.9))}, "
                    f"{fraction(a.get('epsilon', 1e-5))}>")
            return Record("BatchNormalization", spec, ins, shape, [matrix("gamma", gamma), matrix("beta", beta)],
                          [matrix("moving_mean", mean), matrix("moving_variance", var)]), out_value
        if op in ACTIVATIONS:
            return Record(ACTIVATIONS[op], f"ctnn::{ACTIVATIONS[op]}", ins, shape), out_value
        if op == "LeakyRelu":
            return Record("LeakyReLU", f"ctnn::LeakyReLU<{fraction(a.get('alpha', 0.01))}>", ins, shape), out_value
        if op == "Elu":
            return Record("ELU", f"ctnn::ELU<{fraction(a.get('alpha', 1.0))}>", ins, shape), out_value
        if op == "Softmax":
            if len(shape) != 1:
                raise node_error(node, f"on shape {shape}: ctnn's Softmax takes a vector")
            axis = a.get("axis", 1 if self.opset() < 13 else -1)
            if axis not in (1, -1):
                raise node_error(node, f"attribute axis = {axis}: ctnn's Softmax is over the sample's values")
            return Record("Softmax", "ctnn::Softmax", ins, shape), out_value
        if op in ("Flatten", "Reshape"):
            if op == "Flatten" and a.get("axis", 1) != 1:
                raise node_error(node, f"attribute axis = {a.get('axis')}: ctnn flattens a sample (axis 1)")
            if op == "Reshape":
                target = [int(d) for d in self.consts.get(node.input[1], np.array([]))] \
                    if node.input[1] in self.consts else None
                n = int(np.prod(shape))
                if target is None or len(target) != 2 or target[1] not in (-1, n) or \
                        target[0] not in (0, -1, self.batch):
                    raise node_error(node, f"to shape {target}: only a Reshape that flattens each sample (N, -1) "
                                     "is supported")
            if len(shape) == 3:
                state["image_flattened"] = tuple(shape)
            return Record("Flatten", "ctnn::Flatten", ins, [int(np.prod(shape))]), out_value
        raise node_error(node, "this operator has no ctnn counterpart here (supported: see ctnn_onnx.py --help)")

    def conv(self, node, a, shape):
        w = self.const(node, 1, "weight")
        if w.ndim != 4 or len(shape) != 3:
            raise node_error(node, f"weight of rank {w.ndim} on shape {shape}: only Conv over images (Conv2D) is "
                             "mapped so far")
        f, c, kh, kw = w.shape
        if a.get("group", 1) != 1:
            raise node_error(node, f"attribute group = {a['group']}: ctnn's Conv2D has no groups")
        if c != shape[2]:
            raise node_error(node, f"{c} input channels after shape {shape}")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise node_error(node, f"attribute dilations = {a['dilations']}: ctnn's Conv2D has no dilation")
        s = list(a.get("strides", [1, 1]))
        if s[0] != s[1]:
            raise node_error(node, f"attribute strides = {s}: ctnn's Conv2D takes one stride for both axes")
        h, wd = shape[0], shape[1]
        auto = a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        # Keras' "same": out = ceil(in / s), the padding's extra row or column at the end.
        def same(size, k):
            total = max((-(-size // s[0]) - 1) * s[0] + k - size, 0)
            return total // 2, total - total // 2
        same_pads = [same(h, kh)[0], same(wd, kw)[0], same(h, kh)[1], same(wd, kw)[1]]
        if auto in ("SAME_UPPER",) or (auto == "NOTSET" and list(a.get("pads", [0] * 4)) == same_pads
                                       and any(same_pads)):
            padding, out = "same", [-(-h // s[0]), -(-wd // s[0])]
        elif auto == "VALID" or (auto == "NOTSET" and not any(a.get("pads", [0] * 4))):
            padding, out = "valid", [(h - kh) // s[0] + 1, (wd - kw) // s[0] + 1]
        else:
            raise node_error(node, f"attribute pads = {list(a.get('pads', []))}, auto_pad = {auto}: ctnn pads "
                             f"none (valid) or as Keras' same ({same_pads} here)")
        kernel = w.transpose(0, 2, 3, 1).reshape(f, -1)
        bias = self.const(node, 2, "bias") if len(node.input) > 2 and node.input[2] else np.zeros(f)
        return Record("Conv2D", f"ctnn::Conv2D<{f}, {kh}, {kw}, ctnn::Padding::{padding}, {s[0]}>", shape,
                      out + [f], [matrix("kernel", kernel), matrix("bias", bias)])

    def opset(self):
        return max((o.version for o in self.proto.opset_import if o.domain in ("", "ai.onnx")), default=1)


def cpp_type(input_shape, records):
    dims = ", ".join(str(d) for d in input_shape)
    specs = ", ".join(r.spec for r in records if "/" not in r.name)
    return f"using Net = ctnn::Sequential<ctnn::Input<{dims}>, {specs}>;"


def write_file(path, records):
    layers = [(r.name, r.ins, r.outs, r.parameters) for r in records]
    tensors = [(i, t, rows, cols, [float(v) for v in values.astype(np.float32)])
               for i, r in enumerate(records) for t, rows, cols, values in r.tensors]
    buffers = [(i, t, rows, cols, [float(v) for v in values.astype(np.float32)])
               for i, r in enumerate(records) for t, rows, cols, values in r.buffers]
    ctnn_format.write(path, layers, tensors, buffers=buffers)


def import_model(path, out):
    model = Model(path)
    records = model.convert()
    code = cpp_type(model.input_shape, records)
    write_file(out, records)  # only once the whole graph mapped
    return code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    i = sub.add_parser("import")
    i.add_argument("model")
    i.add_argument("out")
    args = ap.parse_args()
    try:
        print(import_model(args.model, args.out))
    except Error as err:
        sys.exit(f"ctnn_onnx.py: {err}")


if __name__ == "__main__":
    main()
