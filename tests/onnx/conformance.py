#!/usr/bin/python3
"""ONNX's own conformance data (Debian's libonnx-testdata: data/node, data/pytorch-converted,
data/pytorch-operator, data/simple) through tools/ctnn_onnx.py.

  conformance.py generate DATA_ROOT TOOL OUT_DIR
      For every case: the model, with the inputs after the first (weights, biases, initial states,
      which the backend tests feed as inputs) made constants from the case's test data; imported
      with the tool. Each case it maps gets OUT_DIR/<case>/weights.ctnn, x.f32 and y.f32 (the first
      input and the expected output, sample after sample in ctnn's layout) and a namespace in
      OUT_DIR/cases.cpp with its C++ type; each case it does not is listed in OUT_DIR/skipped.tsv with
      the importer's reason.
  conformance.py check OUT_DIR RUNNER
      Runs RUNNER (cases.cpp compiled with runner.hpp), which compares ctnn's outputs with the
      expected ones (|ctnn - expected| <= 1e-6 + 1e-5 |expected|), and prints, per operator, the cases
      run, passed and skipped, with the reasons. Fails if a case that ran did not pass.
"""
import collections
import glob
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

ATOL, RTOL = 1e-6, 1e-5


def read_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def numbered(paths):
    return sorted(paths, key=lambda p: int(re.search(r"_(\d+)\.pb$", p).group(1)))


def per_sample(a, rank, layout, batch_axis_first=True):
    """A batch as ctnn's samples, one row each: images NCHW -> NHWC, sequences to N x T x F."""
    if rank == 3:
        return (a if layout == "nhwc" else a.transpose(0, 2, 3, 1)).reshape(a.shape[0], -1)
    if rank == 2:
        moves = {"btf": (0, 1, 2), "bft": (0, 2, 1), "tbf": (1, 0, 2), "tdbh": (2, 0, 1, 3)}
        a = a.transpose(moves.get(layout, tuple(range(a.ndim))))
        return a.reshape(a.shape[0], -1)
    if layout == "dbh":  # a recurrent node's Y_h, 1 x N x H
        a = a[0]
    return a.reshape(a.shape[0], -1)


def imported(model, fed, inputs, data_count, path, ctnn_onnx):
    """The case with its first `data_count` inputs as data and the rest as constants, imported: ((model,
    the data inputs' values), None), or (None, the importer's reason)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    given = {t.name for t in g.initializer}
    for i, a in zip(fed[data_count:], inputs[data_count:]):
        g.initializer.append(numpy_helper.from_array(a, i.name))
    kept = fed[:data_count] + [i for i in g.input if i.name in given]
    rest = fed[data_count:]
    del g.input[:]
    g.input.extend(kept + rest)
    onnx.save(m, path)
    try:
        net = ctnn_onnx.Model(path)
        records = net.convert()
        ctnn_onnx.write_file(os.path.join(os.path.dirname(path), "weights.ctnn"), records, net.input_shapes[0])
    except ctnn_onnx.Error as err:
        text = str(err)
        return None, text.split(": ", 1)[-1] if text.startswith("node ") else text
    if any(a.dtype != np.float32 for a in inputs[:data_count]):
        return None, "its data is not float32"
    return (net, inputs[:data_count]), None


def generate(root, tool, out):
    sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
    import ctnn_onnx  # noqa: E402
    os.makedirs(out, exist_ok=True)
    cases, skipped = [], []
    for model_path in sorted(glob.glob(os.path.join(root, "*", "*", "model.onnx"))):
        case_dir = os.path.dirname(model_path)
        name = os.path.relpath(case_dir, root)
        model = onnx.load(model_path)
        ops = "+".join(sorted({n.op_type for n in model.graph.node})) or "(none)"
        data = os.path.join(case_dir, "test_data_set_0")
        try:
            inputs = [read_tensor(p) for p in numbered(glob.glob(os.path.join(data, "input_*.pb")))]
            outputs = [read_tensor(p) for p in numbered(glob.glob(os.path.join(data, "output_*.pb")))]
        except Exception:
            skipped.append((name, ops, "its test data is not tensors (sequences or optionals)"))
            continue
        g = model.graph
        given = {t.name for t in g.initializer}
        fed = [i for i in g.input if i.name not in given]
        if not fed or len(inputs) != len(fed) or len(outputs) != len(g.output):
            skipped.append((name, ops, "its test data does not match its inputs and outputs"))
            continue
        if inputs[0].dtype != np.float32 or any(o.dtype != np.float32 for o in outputs):
            skipped.append((name, ops, "its data is not float32"))
            continue
        safe = re.sub(r"\W", "_", name)
        work = os.path.join(out, safe)
        os.makedirs(work, exist_ok=True)
        path = os.path.join(work, "model.onnx")
        # First with the first input as the data and the others (weights, biases, states) as constants;
        # where that does not map and there are several, with every input as data (a Graph's inputs).
        m, reason = imported(model, fed, inputs, 1, path, ctnn_onnx)
        if m is None and len(fed) > 1:
            m, _ = imported(model, fed, inputs, len(fed), path, ctnn_onnx)
        if m is None:
            skipped.append((name, ops, reason))  # the reason with its weights as constants
            continue
        net, data = m
        xs = [per_sample(a, len(s), layout) for a, s, layout in zip(data, net.input_shapes, net.input_layouts)]
        ys = [per_sample(a, len(s), layout) for a, s, layout in zip(outputs, net.output_shapes, net.output_layouts)]
        if len({len(a) for a in xs + ys}) != 1:
            skipped.append((name, ops, f"{[len(a) for a in xs]} input samples against {[len(a) for a in ys]} "
                            "output samples"))
            continue
        # A sample's inputs one after another, and its outputs.
        x, y, code = np.concatenate(xs, axis=1), np.concatenate(ys, axis=1), net.code
        x.astype(np.float32).tofile(os.path.join(work, "x.f32"))
        y.astype(np.float32).tofile(os.path.join(work, "y.f32"))
        cases.append((name, safe, ops, code))
    with open(os.path.join(out, "skipped.tsv"), "w") as f:
        for row in skipped:
            f.write("\t".join(row) + "\n")
    lines = ["// Generated by tests/onnx/conformance.py: ONNX's conformance cases that tools/ctnn_onnx.py maps.",
             "#include \"runner.hpp\"", ""]
    for name, safe, ops, code in cases:
        lines += [f"namespace {safe} {{", code, "}", ""]
    lines += ["int main(int argc, char** argv) {", "  const conformance::entry cases[] = {"]
    for name, safe, ops, _ in cases:
        lines.append(f"      {{\"{name}\", \"{ops}\", \"{safe}\", &conformance::run<{safe}::Net>}},")
    lines += ["  };", "  return conformance::main(argc, argv, cases);", "}", ""]
    with open(os.path.join(out, "cases.cpp"), "w") as f:
        f.write("\n".join(lines))
    print(f"{len(cases)} cases mapped, {len(skipped)} skipped")


def check(out, runner):
    done = subprocess.run([runner, out], capture_output=True, text=True)
    table = collections.defaultdict(lambda: {"ran": 0, "passed": 0, "skipped": collections.Counter()})
    failed, worst = [], 0.0
    for line in done.stdout.splitlines():
        name, ops, verdict, error = line.split("\t")
        for op in ops.split("+"):
            table[op]["ran"] += 1
            table[op]["passed"] += verdict == "pass"
        worst = max(worst, float(error))
        if verdict != "pass":
            failed.append(f"{name}: {verdict}, largest difference {error}")
    with open(os.path.join(out, "skipped.tsv")) as f:
        for row in f:
            name, ops, reason = row.rstrip("\n").split("\t")
            for op in ops.split("+"):
                table[op]["skipped"][reason] += 1
    print(f"{'operator':24s} {'ran':>4s} {'passed':>6s} {'skipped':>7s}  why skipped (cases)")
    for op in sorted(table):
        t = table[op]
        why = "; ".join(f"{r} ({n})" for r, n in t["skipped"].most_common())
        print(f"{op:24s} {t['ran']:4d} {t['passed']:6d} {sum(t['skipped'].values()):7d}  {why}")
    ran = sum(1 for line in done.stdout.splitlines())
    print(f"{ran} cases ran, {ran - len(failed)} passed; the largest difference from an expected output: {worst:.2e}")
    if done.returncode != 0 and not failed:
        failed.append(f"the runner failed: {done.stderr.strip()}")
    if failed:
        print("FAILED:\n" + "\n".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "generate":
        generate(*sys.argv[2:5])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(*sys.argv[2:4])
    else:
        sys.exit(__doc__)
