#!/usr/bin/python3
"""Imports an ONNX model into ctnn: prints the C++ type and writes the weight file (docs/interop.md).

  ctnn_onnx.py import MODEL.onnx OUT.ctnn [--header OUT.hpp [--name NAME]] [--fold-batch-norm]
      Reads MODEL.onnx (Debian's python3-onnx and python3-numpy), maps its graph to a ctnn network,
      prints the C++ type (`using Net = ctnn::Sequential<...>;`, or ctnn::Graph<...>) and writes the weights as ctnn's model
      file (docs/format.md), which ctnn::load reads into that type; with --header, also the weights
      compiled in, as tools/ctnn_embed.py writes them (docs/embedding.md: NAME::load(net)); with
      --fold-batch-norm, each BatchNormalization right after a Dense, a Conv or a per-step Dense in a
      Sequential is folded into that layer's kernel and bias instead of kept as ctnn's.

Each input holds one sample of shape (C, H, W), (F) or a sequence after its batch axis (N x C x H x W,
N x F; a sequence N x T x F as ctnn's, N x C x T into a Conv or a pool, or T x N x F into a recurrent
node; N fixed or symbolic). With one input and one output, a chain of nodes becomes the layers of a
Sequential; where a value feeds several nodes that meet again in an Add, a Mul or a Concat over
channels, the part between is a block: Residual<body> (an Add of the value and one branch),
Add<Branch<...>...>, Multiply<...> or Concat<...>, nested at will. With several inputs or outputs, or
values that meet without forking from one, the model becomes a Graph: each ONNX node that is a layer a
Node named after it (an output's node after the output), reading the node before it, and an Add, Mul
or Concat of computed values a merge (Add<>, Multiply<>, Concat<>).

Operators: Gemm (transA 0), MatMul followed by Add of a vector (Dense; on a sequence,
TimeDistributed<Dense>); Conv over images (Conv2D: one stride for both axes, no dilation or groups,
no padding or Keras' "same" padding) and over sequences (Conv1D: valid, same at stride 1, or causal:
(K - 1) D zeros before, as pads or as a Pad node, with strides and dilations); MaxPool and AveragePool
with stride equal to the kernel and no padding (MaxPool2D, AveragePool2D; on N x C x T MaxPool1D,
AveragePool1D); GlobalAveragePool (2-D, or 1-D on N x C x T); BatchNormalization (kept as ctnn's, with its moving statistics); GRU (linear_before_reset 1 or 0),
LSTM (no peepholes) and RNN (tanh): forward, from a zero state, every step's output (Y, the
Returns::sequences form) or the last (Y_h, or a Gather of the last step: Returns::last); Relu,
LeakyRelu, Elu, PRelu (one slope, or one per channel or feature), Sigmoid, Tanh, Softmax over a vector; Flatten (axis 1) and a Reshape to (N, -1)
(Flatten). Folded, as not layers: Identity, Dropout (inference), the Transposes and Squeezes that move
a sequence between the layouts above, and constant chains (Constant, ConstantOfShape, Shape, Gather,
Unsqueeze, Concat, Reshape, Transpose, Cast, Slice) that compute shapes and pads. Any other operator,
attribute value or shape: an error naming the node, its operator and the attribute, and nothing is
written.

Layouts: ONNX images are C x H x W, ctnn's H x W x C (channels fastest). Conv weights (F, C, KH, KW)
become ctnn kernels F x (KH*KW*C); the first Gemm after a Flatten of an image has its input columns
reordered from C,H,W order to H,W,C order. Sequences are N x T x F in ctnn. ONNX's LSTM gates are
i, o, f, c and ctnn's (Keras') i, f, c, o; GRU's are z, r, h in both; ONNX's two biases are summed into
ctnn's one, except GRU with linear_before_reset 1 (Keras' reset_after), which keeps both.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctnn_format  # noqa: E402  (the file format, shared with ctnn_torch.py and ctnn_embed.py)


class Error(Exception):
    pass


class NeedsGraph(Exception):
    """The chain walk met values that meet without forking from one value: a Graph maps them."""


def walk_state(layout, image_flattened=None):
    """What the walk carries along a value: its ONNX layout (LAYOUTS, or None), the image a Flatten made it
    from (for the Dense after it), the recurrent record whose output it is, a Pad waiting for its Conv,
    and the axis a Slice of the last step leaves for its Squeeze."""
    return {"image_flattened": image_flattened, "layout": layout, "recurrent": None, "pad": None, "squeeze": None}


def channel_axis(rank, layout):
    """The ONNX axis of a sample's last ctnn axis (channels, features) in a tensor of this rank."""
    if rank == 3:
        return {"bft": 1}.get(layout, 2)
    return 1  # N x F, N x C x H x W


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


def vector_bias(node, bias, f):
    """A bias of one value per output (or one for all), as a Dense has; anything else is refused."""
    b = np.asarray(bias, dtype=np.float64)
    if b.size == 1 or (b.size == f and b.shape[-1] == f):
        return np.broadcast_to(b.reshape(-1), (f,)).copy()
    raise node_error(node, f"a bias of shape {list(b.shape)}: a Dense adds one value per output ({f})")


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


SKIPPED = {"Identity", "Dropout"}
ACTIVATIONS = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}
MERGES = {"Add": "Add", "Mul": "Multiply", "Concat": "Concat"}
RECURRENT = {"GRU", "LSTM", "RNN"}
# How a sequence's axes are laid out in ONNX: ctnn's batch-first N x T x F, PyTorch's N x C x T around a
# Conv, ONNX's T x N x F into a recurrent node and T x 1 x N x H out of it.
LAYOUTS = {"nhwc": "N x H x W x C", "btf": "N x T x F", "bft": "N x F x T", "tbf": "T x N x F", "tdbh": "T x 1 x N x H",
           "dbh": "1 x N x H"}
TRANSPOSES = {("btf", (0, 2, 1)): "bft", ("bft", (0, 2, 1)): "btf", ("btf", (1, 0, 2)): "tbf",
              ("tbf", (1, 0, 2)): "btf"}
CONSTANT_OPS = {"Constant", "Identity", "ConstantOfShape", "Reshape", "Transpose", "Shape", "Gather", "Unsqueeze", "Concat", "Cast", "Slice", "Squeeze"}


class Model:
    def __init__(self, path, fold_batch_norm=False):
        self.fold_batch_norm = fold_batch_norm
        try:
            self.proto = onnx.load(path)
        except Exception as err:  # onnx raises DecodeError and others for a broken file
            raise Error(f"{path}: not a readable ONNX model ({err})")
        g = self.proto.graph
        self.consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        inputs = [i for i in g.input if i.name not in self.consts]
        if not inputs or not g.output:
            raise Error(f"the graph has {len(inputs)} inputs and {len(g.output)} outputs; ctnn needs at least one "
                        "of each")
        self.inputs = []  # [(name, shape with the batch)]
        for i in inputs:
            dims = i.type.tensor_type.shape.dim
            shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
            if len(shape) not in (2, 3, 4) or any(d is None or d <= 0 for d in shape[1:]):
                raise Error(f"input {i.name} has shape {shape}: expected N x F, a sequence (N x T x F, or "
                            "T x N x F into a recurrent node) or N x C x H x W, with fixed sizes after the batch "
                            "axis")
            self.inputs.append((i.name, shape))
        self.output_names = [o.name for o in g.output]
        self.input, shape = self.inputs[0]
        self.output = self.output_names[0]
        self.batch = shape[0] or 1
        self.nodes = list(g.node)
        self.shapes = {name: shape for name, shape in self.inputs}
        # Shapes known once constants are folded let more Shape nodes fold (a Pad's computed pads hide
        # the padded shape from ONNX's inference until they are constants): fold until nothing changes.
        while True:
            before = len(self.nodes)
            self.infer_shapes()
            self.fold_constants()
            if len(self.nodes) == before:
                break
        self.consumers = {}
        for n in self.nodes:
            for v in n.input:
                if v:
                    self.consumers.setdefault(v, []).append(n)

    # ---- constants: what exporters compute for a Reshape's shape --------------------------------
    def infer_shapes(self):
        g = self.proto.graph
        graph = onnx.helper.make_graph(
            self.nodes, g.name, list(g.input), list(g.output),
            [numpy_helper.from_array(v, k) for k, v in self.consts.items()])
        model = onnx.helper.make_model(graph, opset_imports=list(self.proto.opset_import))
        try:
            inferred = onnx.shape_inference.infer_shapes(model).graph
        except Exception:  # shapes only help fold Shape nodes; without them those stay and are refused
            return
        for v in list(inferred.value_info) + list(inferred.output):
            d = v.type.tensor_type.shape.dim
            self.shapes[v.name] = [x.dim_value if x.HasField("dim_value") else None for x in d]

    def fold_constants(self):
        """Evaluates nodes whose inputs are all constants (or the shape of a value of known shape), then
        drops nodes whose outputs nothing reads; everything else stays."""
        kept = []
        for n in self.nodes:
            a = attributes(n)
            ins = list(n.input)
            if n.op_type == "Constant":
                if "value" not in a:
                    raise node_error(n, "only the 'value' attribute of Constant is supported")
                self.consts[n.output[0]] = numpy_helper.to_array(a["value"])
                continue
            known = self.shapes.get(ins[0]) if ins else None
            if n.op_type == "Shape" and known and all(d is not None for d in known[1:]):
                self.consts[n.output[0]] = np.array([d if d is not None else 1 for d in known], dtype=np.int64)
                continue
            if n.op_type in CONSTANT_OPS and all(v in self.consts for v in ins if v):
                self.consts[n.output[0]] = self.evaluate(n, [self.consts[v] if v else None for v in ins], a)
                continue
            kept.append(n)
        outputs = {o.name for o in self.proto.graph.output}
        while True:
            read = {v for n in kept for v in n.input if v} | outputs
            alive = [n for n in kept if any(o in read for o in n.output if o)]
            if len(alive) == len(kept):
                break
            kept = alive
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
            return xs[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        if op == "Identity":
            return xs[0]
        if op == "Reshape":
            target = [int(d) for d in xs[1]]
            target = [xs[0].shape[i] if d == 0 and not a.get("allowzero", 0) else d for i, d in enumerate(target)]
            return xs[0].reshape(target)
        if op == "Transpose":
            return np.transpose(xs[0], a.get("perm"))
        if op == "ConstantOfShape":
            value = numpy_helper.to_array(a["value"]).reshape(-1) if "value" in a else np.zeros(1, np.float32)
            return np.full([int(d) for d in xs[0]], value[0], dtype=value.dtype)
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
    def sample(self, name, d):
        """One sample's shape of input `name` (ONNX shape d, with the batch) as ctnn has it, and how
        ONNX lays out its batch (a sequence's layout, or None)."""
        if len(d) == 4:
            first = self.consumers.get(name, [None])[0]
            if first is not None and first.op_type == "Transpose" and \
                    list(attributes(first).get("perm", [])) == [0, 3, 1, 2]:
                return [d[1], d[2], d[3]], "nhwc"  # N x H x W x C, as Keras (tf2onnx) feeds it
            return [d[2], d[3], d[1]], None
        if len(d) == 2:
            return [d[1]], None
        # A sequence: ctnn's N x T x F, unless the first node reads it as N x C x T (a Conv or a pool) or
        # as T x N x F (a recurrent node).
        first = self.consumers.get(name, [None])[0]
        op = first.op_type if first is not None else ""
        if op in ("Conv", "MaxPool", "AveragePool", "GlobalAveragePool"):  # ONNX's are channels first
            return [d[2], d[1]], "bft"
        if op in RECURRENT:
            self.batch = d[1] or 1
            return [d[0], d[2]], "tbf"
        return [d[1], d[2]], "btf"

    def convert(self):
        """The records of the network: a Sequential's layers (blocks followed by their branches' layers),
        or a Graph's nodes where the model has several inputs or outputs, or values that meet without
        forking from one. Sets the C++ type (`code`) and each input's and output's shape and layout."""
        if len(self.inputs) == 1 and len(self.output_names) == 1:
            try:
                return self.convert_chain()
            except NeedsGraph:
                pass
        return self.convert_graph()

    def convert_chain(self):
        shape, layout = self.sample(self.input, self.inputs[0][1])
        state = walk_state(layout)
        self.input_shapes, self.input_layouts = [list(shape)], [layout]
        records, value, shape, join = self.chain(self.input, shape, "", state)
        if join is not None:
            raise NeedsGraph()
        if value != self.output:
            raise Error(f"the walk ended at {value}, not at the graph's output {self.output}")
        if state["image_flattened"] and any(d != 1 for d in state["image_flattened"][:2]):
            raise Error("the output is a flattened image: ctnn orders its values H,W,C and ONNX C,H,W (only a Dense "
                        "after the Flatten can be reordered to match)")
        # How ONNX lays out a batch of the output (a sample's values are ctnn's whichever it is).
        self.output_shapes, self.output_layouts = [shape], [state["layout"]]
        dims = ", ".join(str(d) for d in self.input_shapes[0])
        # A graph of nodes that only rename (Identity, Dropout) computes the identity: ctnn's Linear.
        specs = ", ".join(r.spec for r in records if "/" not in r.name) or "ctnn::Linear"
        self.code = f"using Net = ctnn::Sequential<ctnn::Input<{dims}>, {specs}>;"
        return records

    def convert_graph(self):
        """Every ONNX node that is a layer becomes a Graph node reading the node before it; an Add, Mul or
        Concat of two or more computed values a merge (Add<>, Multiply<>, Concat<>). Nodes that only
        rename or relayout a value (Identity, Dropout, the sequence Transposes and Squeezes) are not
        nodes: their value is still the node they read."""
        taken = set()

        def unique(base):
            base = re.sub(r"\W+", "_", base).strip("_")[-27:].strip("_") or "node"
            name, k = base, 2
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            return name

        named = {o: unique(o) for o in self.output_names}  # the node computing an output takes its name
        values = {}  # ONNX value -> {"src": ctnn name, "shape", "state"}
        ins, nodes, readers = [], [], {}
        self.input_shapes, self.input_layouts = [], []
        for name, d in self.inputs:
            shape, layout = self.sample(name, d)
            src = unique(name) if name not in named else named[name]
            values[name] = {"src": src, "shape": shape,
                            "state": walk_state(layout)}
            ins.append((src, shape))
            self.input_shapes.append(list(shape))
            self.input_layouts.append(layout)
        gone = {}  # values no node may read any more, and why
        for node in self.nodes:
            if node.output and node.output[0] in values:
                continue  # taken in by the node before it (a MatMul's bias Add)
            reads = [v for v in node.input if v and v not in self.consts]
            for v in reads:
                if v in gone:
                    raise node_error(node, gone[v])
                if v not in values:
                    raise node_error(node, f"reads {v}, which no node that ctnn maps computes")
            if node.op_type in MERGES and len(reads) >= 2:
                if len(reads) != len([v for v in node.input if v]):
                    raise node_error(node, "of a constant and computed values: a merge's operands are all nodes")
                srcs = [values[v] for v in reads]
                out, rec = self.merge(node, [s["shape"] for s in srcs], [s["state"] for s in srcs])
                src = named.get(node.output[0]) or unique(node.name or node.output[0])
                rec.name = f"{src}/{rec.name}"
                nodes.append((src, rec, [s["src"] for s in srcs]))
                for s in srcs:
                    readers[s["src"]] = readers.get(s["src"], 0) + 1
                values[node.output[0]] = {"src": src, "shape": out, "state": walk_state(
                    srcs[0]["state"]["layout"], srcs[0]["state"]["image_flattened"])}
                continue
            if not reads:
                raise node_error(node, "reads constants only, and is not one of the constant operators the importer "
                                 "folds (" + ", ".join(sorted(CONSTANT_OPS)) + ")")
            if len(reads) != 1:
                raise node_error(node, f"reads {len(reads)} computed values: a layer reads one")
            v = values[reads[0]]
            state = dict(v["state"])
            if node.op_type in SKIPPED:
                self.check_skipped(node)
                values[node.output[0]] = dict(v, state=state)
                continue
            last_of = state["recurrent"] if node.op_type == "Gather" else None
            if last_of is not None and readers.get(v["src"], 0):
                raise node_error(node, "takes the last step of a recurrent node whose every step another node reads: "
                                 "ctnn's layer returns one of them")
            rec, out_value = self.layer(node, v["shape"], state)
            if rec is None:
                values[out_value] = {"src": v["src"], "shape": state.pop("shape", v["shape"]), "state": state}
                if last_of is not None:  # the node now returns its last step: its whole sequence is gone
                    for k, w in values.items():
                        if w["src"] == v["src"] and k != out_value:
                            gone[k] = (f"reads every step of {v['src']}, whose last step another node takes: "
                                       "ctnn's recurrent layer returns one of them")
                continue
            src = named.get(out_value) or unique(node.name or out_value)
            rec.name = f"{src}/{rec.name}"
            nodes.append((src, rec, [v["src"]]))
            readers[v["src"]] = readers.get(v["src"], 0) + 1
            state["recurrent"] = rec if rec.spec.startswith(("ctnn::LSTM", "ctnn::GRU", "ctnn::SimpleRNN")) else None
            values[out_value] = {"src": src, "shape": rec.outs, "state": state}
        outs = []
        self.output_shapes, self.output_layouts = [], []
        for o in self.output_names:
            if o in gone or o not in values:
                raise Error(f"output {o}: " + gone.get(o, "no node that ctnn maps computes it"))
            v = values[o]
            if v["src"] in (s for s, _ in ins):
                raise Error(f"output {o} is the input {v['src']}: a Graph's outputs are nodes")
            if v["src"] in outs:
                raise Error(f"outputs {o} and another are the same node {v['src']}: a Graph's outputs differ")
            flat = v["state"]["image_flattened"]
            if flat and any(d != 1 for d in flat[:2]):
                raise Error(f"output {o} is a flattened image: ctnn orders its values H,W,C and ONNX C,H,W")
            if v["state"]["layout"] in ("tdbh", "dbh"):
                raise Error(f"output {o} is a recurrent node's output before its direction axis is squeezed")
            outs.append(v["src"])
            self.output_shapes.append(v["shape"])
            self.output_layouts.append(v["state"]["layout"])
        for src, _ in ins:
            if not readers.get(src):
                raise Error(f"input {src} is read by no node: every input of a Graph reaches an output")
        q = '", "'
        parts = ["ctnn::Inputs<" + ", ".join(f'ctnn::In<"{s}", ' + ", ".join(map(str, sh)) + ">" for s, sh in ins)
                 + ">"]
        parts += [f'ctnn::Node<"{src}", {rec.spec}, "{q.join(r)}">' for src, rec, r in nodes]
        parts.append(f'ctnn::Outputs<"{q.join(outs)}">')
        self.code = "using Net = ctnn::Graph<" + ", ".join(parts) + ">;"
        return [rec for _, rec, _ in nodes]

    def merge(self, node, shapes, states):
        """The output shape and record of an Add, Mul or Concat of values of these shapes and states."""
        kind = MERGES[node.op_type]
        layouts = {s["layout"] for s in states}
        if len(layouts) > 1 or layouts & {"tdbh", "dbh"}:
            raise node_error(node, f"merges values laid out as {sorted(str(x) for x in layouts)}: the same layout, "
                             "after a recurrent node's direction axis is squeezed")
        if len({s["image_flattened"] for s in states}) > 1:
            raise node_error(node, "merges a flattened image with another value")
        if any(s["pad"] is not None for s in states):
            raise node_error(node, "reads a Pad: ctnn pads only as a Conv does")
        if kind == "Concat":
            axis = attributes(node).get("axis")
            rank = len(shapes[0]) + 1
            if axis is None or axis % rank != channel_axis(rank, states[0]["layout"]):
                raise node_error(node, f"Concat over axis {axis}: ctnn concatenates a sample's last axis (channels, "
                                 "features)")
            if any(sh[:-1] != shapes[0][:-1] for sh in shapes):
                raise node_error(node, f"the inputs' shapes differ other than in channels: {shapes}")
            out = shapes[0][:-1] + [sum(sh[-1] for sh in shapes)]
        else:
            if any(sh != shapes[0] for sh in shapes):
                raise node_error(node, f"the inputs' shapes differ: {shapes} (ctnn does not broadcast)")
            out = shapes[0]
        return out, Record(kind, f"ctnn::{kind}<>", shapes[0], out)

    def check_skipped(self, node):
        if node.op_type == "Dropout":
            training = self.consts.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None
            if (training is not None and bool(np.any(training))) or (len(node.input) > 2 and node.input[2]
                                                                     and training is None):
                raise node_error(node, "input training_mode is true (or not a constant): import a model "
                                 "exported for inference, where Dropout passes its input on")
            if len(node.output) > 1 and node.output[1] and (self.consumers.get(node.output[1]) or
                                                            node.output[1] in self.output_names):
                raise node_error(node, "its mask output is read: ctnn's inference has no mask")

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
                self.check_skipped(node)
                value = node.output[0]
                continue
            rec, value = self.layer(node, shape, state)
            if rec is None:
                shape = state.pop("shape", shape)  # a node that changed the shape without a layer of its own
                continue
            if self.fold_batch_norm and rec.name == "BatchNormalization" and records and \
                    records[-1].name.split("/")[-1] in FOLDABLE and records[-1].outs[-1] == rec.outs[-1] and \
                    records[-1].name.count("/") == prefix.count("/"):
                fold(records[-1], rec)  # into the layer just before it, in this chain
                continue
            rec.name = prefix + rec.name
            shape = rec.outs
            records.append(rec)
            state["recurrent"] = rec if rec.name.endswith(("LSTM", "GRU", "SimpleRNN")) else None

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
            try:
                recs, end, out, join = self.chain(value, shape, "", dict(state))
            finally:
                self.consumers = sub
            if join is None:
                raise NeedsGraph()  # a branch that ends elsewhere (an output, a merge of another fork)
            branch_records.append(recs)
            ends.append((end, out))
            joins.append(join)
        join = joins[0]
        if any(j is not join for j in joins) or len(join.input) != len(users):
            raise NeedsGraph()
        # Branches in the merge's input order.
        order = []
        for v in join.input:
            k = next(i for i, (e, _) in enumerate(ends) if e == v and i not in order)
            order.append(k)
        kind = MERGES[join.op_type]
        outs = [ends[k][1] for k in order]
        out, _ = self.merge(join, outs, [state] * len(outs))
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
        if state["pad"] is not None and op != "Conv":
            raise node_error(node, "after a Pad: ctnn pads only as a Conv does (a Pad of zeros before a Conv1D "
                             "is causal padding)")
        if state.get("squeeze") is not None:  # after a Slice of the last step, the Squeeze of its time axis
            axes = a.get("axes") if "axes" in a else [int(x) for x in self.consts.get(node.input[1], [])] \
                if len(node.input) > 1 else None
            if op != "Squeeze" or axes is None or [int(x) for x in axes] != [state["squeeze"]]:
                raise node_error(node, "after a Slice of a sequence's last step: only the Squeeze of its time axis "
                                 "is supported there")
            state["squeeze"] = None
            return None, out_value
        if len(shape) == 3 and (state["layout"] == "nhwc" or op == "Transpose"):
            return self.channels_last(node, op, a, shape, state)
        if len(shape) == 2 or state["layout"] in ("tdbh", "dbh"):
            seq = self.sequence_node(node, op, a, shape, state)
            if seq is not False:
                return seq
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
            bias = vector_bias(node, bias, kernel.shape[0])
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
                raise node_error(node, f"on shape {shape}: ctnn pools images and sequences")
            k = list(a.get("kernel_shape", []))
            self.check_pool(node, a, k)
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
            rec = Record("BatchNormalization", spec, ins, shape, [matrix("gamma", gamma), matrix("beta", beta)],
                         [matrix("moving_mean", mean), matrix("moving_variance", var)])
            rec.epsilon = float(np.float32(a.get("epsilon", 1e-5)))
            return rec, out_value
        if op in ACTIVATIONS:
            return Record(ACTIVATIONS[op], f"ctnn::{ACTIVATIONS[op]}", ins, shape), out_value
        if op == "PRelu":
            return self.prelu(node, shape, state), out_value
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
        if op in MERGES:
            raise node_error(node, "of a constant: ctnn's Add, Multiply and Concat merge computed values (branches, "
                             "a Graph's nodes); a constant operand is not a layer")
        raise node_error(node, "this operator has no ctnn counterpart here (supported: see ctnn_onnx.py --help)")

    def channels_last(self, node, op, a, shape, state):
        """An image whose ONNX tensor is N x H x W x C (Keras' layout, which tf2onnx keeps around its
        Transposes): ctnn's own order, so a Transpose between it and N x C x H x W only renames, and a
        Flatten of it needs no reordering. Elementwise activations run on it as on any image."""
        layout, out_value = state["layout"], node.output[0]
        if op == "Transpose":
            perm = list(a.get("perm", []))
            if layout is None and perm == [0, 2, 3, 1]:
                state["layout"] = "nhwc"
            elif layout == "nhwc" and perm == [0, 3, 1, 2]:
                state["layout"] = None
            else:
                raise node_error(node, f"attribute perm = {perm} on an image laid out as "
                                 f"{LAYOUTS.get(layout, 'N x C x H x W')}: only the swaps between N x C x H x W "
                                 "and N x H x W x C are supported")
            return None, out_value
        if op in ACTIVATIONS or op in ("LeakyRelu", "Elu"):
            state["layout"] = None  # the record below is the same whatever the order
            rec, out = self.layer(node, shape, state)
            state["layout"] = "nhwc"
            return rec, out
        if op in ("Flatten", "Reshape"):
            state["layout"] = None
            rec, out = self.layer(node, shape, state)
            state["image_flattened"] = None  # N x H x W x C flattens in ctnn's order: nothing to reorder
            return rec, out
        raise node_error(node, "on an image laid out as N x H x W x C: ctnn maps Conv, pools and BatchNormalization "
                         "on N x C x H x W (transpose first), and flattens or activates either")

    def prelu(self, node, shape, state):
        """PRelu: its slope broadcasts against the whole batch, so it is one value (PReLU<Slopes::one>),
        one per channel or feature (PReLU<Slopes::per_channel>; on a vector, PReLU<>), or refused."""
        slope = self.const(node, 1, "slope")
        layout = state["layout"]
        if layout is None:  # a vector, or an image: ONNX's whole batch is N x F or N x C x H x W
            full = [1] + ([shape[2], shape[0], shape[1]] if len(shape) == 3 else list(shape))
        else:
            full = {"btf": lambda: [1, shape[0], shape[1]], "bft": lambda: [1, shape[1], shape[0]],
                    "tbf": lambda: [shape[0], 1, shape[1]]}.get(layout, lambda: None)()
        if full is None or slope.ndim > len(full):
            raise node_error(node, f"a slope of shape {list(slope.shape)} on a sequence laid out as "
                             f"{LAYOUTS.get(layout, layout)}")
        if self.opset() < 7 and slope.ndim == 1 and slope.size > 1:  # PRelu-6: a slope per channel, axis 1
            dims = [1, slope.size] + [1] * (len(full) - 2)
        else:  # numpy's broadcasting, aligned at the last axis
            dims = [1] * (len(full) - slope.ndim) + list(slope.shape)
        axis = channel_axis(len(full), layout)
        if any(d not in (1, f) for d, f in zip(dims, full)):
            raise node_error(node, f"a slope of shape {list(slope.shape)} does not broadcast to {full}")
        if all(d == 1 for d in dims):
            spec, alpha = "ctnn::PReLU<ctnn::Slopes::one>", slope.reshape(-1)[:1]
        elif all(d == 1 for k, d in enumerate(dims) if k != axis):
            spec = "ctnn::PReLU<>" if len(shape) == 1 else "ctnn::PReLU<ctnn::Slopes::per_channel>"
            alpha = slope.reshape(-1)
        else:
            raise node_error(node, f"a slope of shape {list(slope.shape)}: the importer maps one slope, or one per "
                             "channel (feature); not slopes that vary over positions or steps")
        return Record("PReLU", spec, shape, shape, [matrix("alpha", alpha)])

    def sequence_node(self, node, op, a, shape, state):
        """A node on a sequence whose meaning depends on its layout: (record or None, output value), or
        False for a node that works as on any other value (activations, Softmax refused, Flatten)."""
        layout, out_value = state["layout"], node.output[0]
        if op == "Transpose":
            perm = tuple(a.get("perm", ()))
            to = TRANSPOSES.get((layout, perm))
            if to is None:
                raise node_error(node, f"attribute perm = {list(perm)} on a sequence laid out as "
                                 f"{LAYOUTS.get(layout, layout)}: only swaps of time and features or of time and "
                                 "batch are supported")
            state["layout"] = to
            return None, out_value
        if op == "Squeeze":
            axes = a.get("axes") if "axes" in a else [int(x) for x in self.consts.get(node.input[1], [])] \
                if len(node.input) > 1 else None
            if layout == "tdbh" and axes is not None and list(axes) == [1]:
                state["layout"] = "tbf"
                return None, out_value
            if layout == "dbh" and axes is not None and list(axes) == [0]:
                state["layout"] = None
                return None, out_value
            raise node_error(node, f"attribute axes = {axes} on a sequence laid out as {LAYOUTS.get(layout)}: only "
                             "the direction axis of a recurrent node's output is squeezed")
        if layout in ("tdbh", "dbh"):
            raise node_error(node, "reads a recurrent node's output before its direction axis is squeezed")
        if op == "Pad":
            mode = a.get("mode", b"constant")
            pads = [int(x) for x in (self.consts.get(node.input[1]) if len(node.input) > 1 else a.get("pads", []))]
            value = float(self.consts[node.input[2]]) if len(node.input) > 2 and node.input[2] else 0.0
            if layout != "bft" or mode not in (b"constant", "constant") or value != 0 or len(pads) != 6 or \
                    any(pads[i] for i in (0, 1, 3, 4, 5)):
                raise node_error(node, f"attribute pads = {pads}: only zeros before the time axis of an N x C x T "
                                 "sequence, before a Conv (causal padding)")
            state["pad"] = pads[2]
            return None, out_value
        if op in ("Gather", "Slice"):
            time_axis = {"btf": 1, "tbf": 0}.get(layout)
            rec = state["recurrent"]
            if op == "Gather":
                index = self.consts.get(node.input[1])
                axis = a.get("axis", 0)
                last = index is not None and np.ndim(index) == 0 and int(index) in (-1, shape[0] - 1)
            else:  # opsets 9 and 10 take x[:, -1] as a Slice of one step, then a Squeeze of its axis
                def given(k, name):
                    if name in a:
                        return [int(x) for x in a[name]]
                    v = node.input[k] if len(node.input) > k and node.input[k] else None
                    return [int(x) for x in self.consts[v]] if v in self.consts else (None if v else [])
                starts, ends, axes, steps = given(1, "starts"), given(2, "ends"), given(3, "axes"), given(4, "steps")
                axis = axes[0] if axes and len(axes) == 1 else axes
                last = (starts is not None and ends is not None and len(starts) == 1 and starts[0] in (-1, shape[0] - 1)
                        and ends[0] >= shape[0] and steps in ([], [1]))
                state["squeeze"] = time_axis
            if not last or axis != time_axis:
                raise node_error(node, f"attribute axis = {axis}: only the last time step of a sequence is taken")
            if rec is None or not rec.spec.endswith(", ctnn::Returns::sequences>"):
                raise node_error(node, "takes the last step of what is not a recurrent layer's output: ctnn's "
                                 "recurrent layers return their last step (Returns::last)")
            rec.spec = rec.spec.replace(", ctnn::Returns::sequences>", ">")
            rec.outs = rec.outs[1:]
            state["layout"], state["recurrent"], state["shape"] = None, None, rec.outs
            return (None, out_value)
        if op in RECURRENT:
            return self.recurrent(node, op, a, shape, state), self.recurrent_output
        if op in ("MaxPool", "AveragePool", "GlobalAveragePool"):
            if layout != "bft":
                raise node_error(node, f"on a sequence laid out as {LAYOUTS.get(layout)}: ONNX pools N x C x T")
            if op == "GlobalAveragePool":  # N x C x 1; ctnn gives the C vector
                state["layout"] = None
                return Record("GlobalAveragePool1D", "ctnn::GlobalAveragePool1D", shape, [shape[1]]), out_value
            k = list(a.get("kernel_shape", []))
            self.check_pool(node, a, k)
            name = "MaxPool1D" if op == "MaxPool" else "AveragePool1D"
            return Record(name, f"ctnn::{name}<{k[0]}>", shape, [shape[0] // k[0], shape[1]]), out_value
        if op == "Conv":
            return self.conv1d(node, a, shape, state), out_value
        if op in ("Gemm", "MatMul"):
            if layout not in ("btf", "tbf") or op == "Gemm":
                raise node_error(node, f"on a sequence laid out as {LAYOUTS.get(layout)}: a Dense at every step "
                                 "(MatMul on the feature axis) is supported")
            w = self.const(node, 1, "weight")
            kernel, bias = w.T, np.zeros(w.shape[1])
            users = self.consumers.get(out_value, [])
            if len(users) == 1 and users[0].op_type == "Add" and not self.is_merge(users[0]):
                other = [v for v in users[0].input if v != out_value][0]
                bias, out_value = self.consts[other].astype(np.float64).reshape(-1), users[0].output[0]
            if kernel.shape[1] != shape[1]:
                raise node_error(node, f"weight {w.shape} does not fit steps of {shape[1]} features")
            f = kernel.shape[0]
            return Record("TimeDistributed", f"ctnn::TimeDistributed<ctnn::Dense<{f}>>", shape, [shape[0], f],
                          [matrix("kernel", kernel), matrix("bias", vector_bias(node, bias, f))]), out_value
        if op in ("Flatten", "Reshape") and layout != "btf":
            raise node_error(node, f"flattens a sequence laid out as {LAYOUTS.get(layout)}: ctnn's is N x T x F")
        if op == "Softmax":
            raise node_error(node, "over a sequence: ctnn's Softmax takes a vector")
        return False

    def recurrent(self, node, op, a, shape, state):
        if state["layout"] != "tbf":
            raise node_error(node, f"reads a sequence laid out as {LAYOUTS.get(state['layout'])}: ONNX's recurrent "
                             "nodes take T x N x F (layout 0)")
        for attr, ok in (("direction", a.get("direction", b"forward") in (b"forward", "forward")),
                         ("layout", a.get("layout", 0) == 0), ("clip", "clip" not in a),
                         ("input_forget", a.get("input_forget", 0) == 0),
                         ("activation_alpha", "activation_alpha" not in a),
                         ("activations", [x.decode() if isinstance(x, bytes) else x for x in a.get("activations", [])]
                          in ([], {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"],
                                   "RNN": ["Tanh"]}[op]))):
            if not ok:
                raise node_error(node, f"attribute {attr} = {a.get(attr)}: ctnn's recurrent layers run forward, with "
                                 "their default activations, unclipped")
        ins = list(node.input) + [""] * 8
        if ins[4]:
            raise node_error(node, "input sequence_lens: ctnn runs every sample over all its steps")
        for k in (5, 6):
            if ins[k] and (ins[k] not in self.consts or np.any(self.consts[ins[k]])):
                raise node_error(node, f"input {k} (initial state) is not zero: ctnn's recurrent layers start at zero")
        if op == "LSTM" and ins[7]:
            raise node_error(node, "input P (peepholes): ctnn's LSTM has none")
        u = int(a["hidden_size"])
        w, r = self.const(node, 1, "W")[0], self.const(node, 2, "R")[0]
        g = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
        b = self.const(node, 3, "B")[0] if ins[3] else np.zeros(2 * g * u)
        if w.shape != (g * u, shape[1]):
            raise node_error(node, f"W of shape {w.shape} after steps of {shape[1]} features")
        wb, rb = b[:g * u], b[g * u:]
        kind = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}[op]
        extra = ""
        if op == "LSTM":  # ONNX's gates i, o, f, c; ctnn's (Keras') i, f, c, o
            rows = np.concatenate([np.arange(0, u), np.arange(2 * u, 3 * u), np.arange(3 * u, 4 * u),
                                   np.arange(u, 2 * u)])
            w, r, bias = w[rows], r[rows], (wb + rb)[rows].reshape(-1, 1)
        elif op == "GRU":  # z, r, h in both
            if a.get("linear_before_reset", 0):
                bias = np.stack([wb, rb], axis=1)
            else:  # the recurrent bias stays outside the reset gate, as the input's: one bias
                bias, extra = (wb + rb).reshape(-1, 1), ", false"
        else:
            bias = (wb + rb).reshape(-1, 1)
        y, y_h = (list(node.output) + ["", ""])[:2]
        reads_y = bool(y and (self.consumers.get(y) or y in self.output_names))
        reads_h = bool(y_h and (self.consumers.get(y_h) or y_h in self.output_names))
        if len(node.output) > 2 and node.output[2] and self.consumers.get(node.output[2]):
            raise node_error(node, "output Y_c (the cell state) is read: ctnn's LSTM gives its hidden state")
        if reads_y and reads_h:
            raise node_error(node, "outputs Y and Y_h are both read: ctnn's layer returns one of them")
        if reads_h:  # the last step: 1 x N x H, squeezed by the next node
            self.recurrent_output, state["layout"] = y_h, "dbh"
            spec, outs = f"ctnn::{kind}<{u}" + (f", ctnn::Returns::last{extra}>" if extra else ">"), [u]
        else:
            self.recurrent_output, state["layout"] = y, "tdbh"
            spec, outs = f"ctnn::{kind}<{u}, ctnn::Returns::sequences{extra}>", [shape[0], u]
        tensors = [matrix("kernel", w), matrix("recurrent_kernel", r), matrix("bias", bias)]
        return Record(kind, spec, shape, outs, tensors)

    def conv1d(self, node, a, shape, state):
        w = self.const(node, 1, "weight")
        if w.ndim != 3 or state["layout"] != "bft":
            raise node_error(node, f"weight of rank {w.ndim} on a sequence laid out as "
                             f"{LAYOUTS.get(state['layout'])}: a Conv1D reads N x C x T")
        f, c, k = w.shape
        if c != shape[1]:
            raise node_error(node, f"{c} input channels after shape {shape}")
        if a.get("group", 1) != 1:
            raise node_error(node, f"attribute group = {a['group']}: ctnn's Conv1D has no groups")
        (stride,), (dilation,) = a.get("strides", [1]), a.get("dilations", [1])
        pads = list(a.get("pads", [0, 0]))
        auto = a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        span, t = (k - 1) * dilation + 1, shape[0]
        before = pads[0] + (state["pad"] or 0)
        state["pad"] = None
        if before == span - 1 and pads[1] == 0 and stride == 1 and auto == "NOTSET" and span > 1:
            padding, length = "causal", t
        elif (auto == "VALID" or auto == "NOTSET") and before == 0 and pads[1] == 0:
            if span > t:
                raise node_error(node, f"spans {span} steps of a sequence of {t}")
            padding, length = "valid", (t - span) // stride + 1
        elif stride == 1 and span % 2 == 1 and ((auto == "NOTSET" and before == pads[1] == span // 2) or
                                                auto in ("SAME_UPPER", "SAME_LOWER")):
            padding, length = "same", t
        else:
            raise node_error(node, f"attribute pads = {pads} at stride {stride}: ctnn's Conv1D pads none (valid), "
                             "as Keras' same (at stride 1) or causal ((K - 1) D zeros before)")
        kernel = w.transpose(0, 2, 1).reshape(f, -1)  # F x (K C), column k C + c
        bias = self.const(node, 2, "bias") if len(node.input) > 2 and node.input[2] else np.zeros(f)
        spec = f"ctnn::Conv1D<{f}, {k}, ctnn::Padding::{padding}, {stride}, {dilation}>"
        return Record("Conv1D", spec, shape, [length, f], [matrix("kernel", kernel), matrix("bias", bias)])

    def check_pool(self, node, a, k):
        s = list(a.get("strides", [1] * len(k)))  # ONNX's default stride is 1, not the kernel
        for attr, bad in (("pads", any(a.get("pads", [0]))), ("ceil_mode", a.get("ceil_mode", 0)),
                          ("dilations", any(d != 1 for d in a.get("dilations", [1]))),
                          ("auto_pad", a.get("auto_pad", b"NOTSET") not in (b"NOTSET", b"VALID")),
                          ("strides", s != k), ("storage_order", a.get("storage_order", 0))):
            if bad:
                raise node_error(node, f"attribute {attr} = {a.get(attr, [1] * len(k) if attr == 'strides' else None)}"
                                 ": ctnn pools with stride = kernel, no padding, floor")
        if len(node.output) > 1 and node.output[1]:
            raise node_error(node, "the indices output is not supported")

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


# Layers whose kernel has a row and whose bias has a value per output channel: a BatchNormalization
# right after one folds into it (--fold-batch-norm).
FOLDABLE = ("Dense", "Conv2D", "Conv1D", "TimeDistributed")


def fold(layer, bn):
    """Folds BatchNormalization `bn` (inference: gamma (x - mean) / sqrt(variance + epsilon) + beta per
    channel) into the layer before it: each output channel's kernel row and bias scaled, the bias moved."""
    t = {name: np.asarray(v, dtype=np.float64).reshape(r, c, order="F") for name, r, c, v in layer.tensors}
    b = {name: np.asarray(v, dtype=np.float64).reshape(-1) for name, _, _, v in bn.tensors + bn.buffers}
    scale = b["gamma"] / np.sqrt(b["moving_variance"] + bn.epsilon)
    kernel = t["kernel"] * scale[:, None]
    bias = (t["bias"].reshape(-1) - b["moving_mean"]) * scale + b["beta"]
    layer.tensors = [matrix("kernel", kernel), matrix("bias", bias)]


def write_file(path, records, input_shape):
    records = records or [Record("Linear", "ctnn::Linear", input_shape, input_shape)]
    layers = [(r.name, r.ins, r.outs, r.parameters) for r in records]
    tensors = [(i, t, rows, cols, [float(v) for v in values.astype(np.float32)])
               for i, r in enumerate(records) for t, rows, cols, values in r.tensors]
    buffers = [(i, t, rows, cols, [float(v) for v in values.astype(np.float32)])
               for i, r in enumerate(records) for t, rows, cols, values in r.buffers]
    ctnn_format.write(path, layers, tensors, buffers=buffers)


def import_model(path, out, fold_batch_norm=False):
    model = Model(path, fold_batch_norm)
    records = model.convert()
    write_file(out, records, model.input_shapes[0])  # only once the whole graph mapped
    return model.code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    i = sub.add_parser("import")
    i.add_argument("model")
    i.add_argument("out")
    i.add_argument("--header", help="also write the weights as a constexpr header (tools/ctnn_embed.py)")
    i.add_argument("--name", help="the header's C++ namespace (default: from its file name)")
    i.add_argument("--fold-batch-norm", action="store_true",
                   help="fold each BatchNormalization that follows a Dense, Conv or per-step Dense in a Sequential "
                        "into that layer's kernel and bias (the network then has no BatchNormalization)")
    args = ap.parse_args()
    try:
        print(import_model(args.model, args.out, args.fold_batch_norm))
    except Error as err:
        sys.exit(f"ctnn_onnx.py: {err}")
    if args.header:
        embed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ctnn_embed.py")
        extra = ["--name", args.name] if args.name else []
        sys.exit(subprocess.run([sys.executable, embed, args.out, args.header] + extra).returncode)


if __name__ == "__main__":
    main()
