#!/usr/bin/env python3
"""Turns the benchmark suite's JSON output (scripts/bench) into the performance report.

    python3 bench/report.py build/bench/report [--docs]

Reads peers.json, peers-threads2.json, latency.json, mnist_cnn.json, mnist_cnn-threads2.json and
compile-cost.md from the folder; writes report.md (a table per workload: ctnn, each baseline, the
ratio to the fastest baseline, the fraction of the machine's peak) and performance.png (the chart).
With --docs it also replaces the generated part of docs/performance.md and copies the chart to
docs/performance.png. Benchmark names are workload/side[/argument]; a side named ctnn* is ctnn.
"""
import json
import os
import shutil
import subprocess
import sys

# Multiply-adds per call of each workload, counted as 2 FLOPs each.
MLP = 784 * 512 + 512 * 512 + 512 * 10
CNN_FORWARD = 26 * 26 * 32 * 9 + 24 * 24 * 64 * 288 + 9216 * 128 + 128 * 10
W1_MACS = 16 * 32 + 32 * 32 + 32 * 4
WORKLOADS = {  # name: (description, FLOPs per call, cores)
    "W1": ("one sample, 16-32-32-4, tanh", 2 * W1_MACS, 1),
    "W2_batch1": ("MNIST MLP 784-512-512-10 inference, batch 1", 2 * MLP, 1),
    "W2_batch128": ("MNIST MLP inference, batch 128", 2 * 128 * MLP, 1),
    # Training: forward, weight gradients, and input gradients for every layer but the first.
    "W3": ("MNIST MLP training step, batch 128, SGD, 1 thread", 2 * 128 * (3 * MLP - 784 * 512), 1),
    "W3_threads2": ("the same, 2 cores (OpenBLAS's 2 threads)", 2 * 128 * (3 * MLP - 784 * 512), 2),
    "W4_train": ("MNIST CNN training step, batch 128, Adadelta, 1 thread",
                 2 * 128 * (3 * CNN_FORWARD - 26 * 26 * 32 * 9), 1),
    "W4_train_threads2": ("the same, 2 threads", 2 * 128 * (3 * CNN_FORWARD - 26 * 26 * 32 * 9), 2),
    "W4_predict": ("MNIST CNN, one image", 2 * CNN_FORWARD, 1),
}
for n in (4, 8, 16, 32, 64):
    WORKLOADS[f"W1_width/{n}"] = (f"one sample, 16-{n}-4, tanh", 2 * (16 * n + n * 4), 1)
SIDES = ["ctnn", "ctnn_fit", "ctnn_team", "weight_stream", "eigen_fixed", "eigen_dynamic", "libtorch", "dlib"]
SIDE_NAMES = {
    "ctnn": "ctnn",
    "ctnn_fit": "ctnn through trainer::fit",
    "ctnn_team": "ctnn, trainer::fit with 2 threads",
    "eigen_fixed": "hand-written fixed-size Eigen",
    "eigen_dynamic": "hand-written dynamic-size Eigen",
    "libtorch": "LibTorch",
    "dlib": "dlib",
    "clock": "the timing alone",
    "weight_stream": "reading the weights alone (the bound)",
}
GOALS = {
    "W1": "ctnn at most 0.75x hand-written fixed-size Eigen; at least 50x faster than LibTorch",
    "W2_batch1": "within 1.1x of the weight-streaming bound (25 us measured before ctnn)",
    "W2_batch128": "faster than LibTorch with OpenBLAS",
    "W3": "faster than LibTorch with OpenBLAS; at most 2.0 ms",
    "W3_threads2": "at most 1.2 ms",
}


def load(path):
    """{name: {"ns": real time per call in ns, "counters": {...}}}, medians of repetitions."""
    if not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    rows = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") not in (None, "median"):
            continue
        name = b.get("run_name", b["name"])
        counters = {k: v for k, v in b.items() if k.endswith("_ns") or k == "GFLOP/s"}
        rows[name] = {"ns": b["real_time"] * scale[b["time_unit"]], "counters": counters}
    return rows, data.get("context", {})


def split(name):
    """'W2_batch1/libtorch' -> ('W2_batch1', 'libtorch'); arguments after the side are dropped."""
    parts = name.split("/")
    for i, p in enumerate(parts):
        if p in SIDES or p == "clock":
            return "/".join(parts[:i]), p
    return None, None


def fmt_time(ns):
    if ns < 1e3:
        return f"{ns:.1f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} us"
    return f"{ns / 1e6:.2f} ms"


def package_version(p):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True,
                              text=True, check=False).stdout.strip() or "not installed"
    except OSError:
        return "unknown"


def main():
    folder = sys.argv[1]
    docs = "--docs" in sys.argv[2:]
    rows, context = load(os.path.join(folder, "peers.json"))
    for f in ("peers-threads2.json", "mnist_cnn.json", "mnist_cnn-threads2.json"):
        rows.update(load(os.path.join(folder, f))[0])
    latency, _ = load(os.path.join(folder, "latency.json"))
    peak = rows.get("BM_peak_fma", {}).get("counters", {}).get("GFLOP/s", 0.0) / 1e9

    by_workload = {}
    for name, r in rows.items():
        w, side = split(name)
        if w in WORKLOADS:
            by_workload.setdefault(w, {})[side] = r["ns"]

    out = []
    cpu = context.get("host_name", "")
    out.append(f"Measured by `./scripts/bench` in one run on {context.get('num_cpus', '?')} cores "
               f"({cpu}; {context.get('date', '')}). Peak from the FMA kernel in the same run: "
               f"**{peak:.1f} GFLOP/s** on one core.")
    out.append("")
    out.append("BLAS: OpenBLAS " + package_version("libopenblas0-pthread") + ", core type "
               + os.environ.get("OPENBLAS_CORETYPE", "detected") + " for every side that uses it "
               "(ctnn's large products, LibTorch, dlib). LibTorch " + package_version("libtorch-dev")
               + ", dlib " + package_version("libdlib-dev") + ", Eigen " + package_version("libeigen3-dev")
               + ". Times are medians of the repetitions; ratio = ctnn's time / the fastest baseline's "
               "(below 1: ctnn is faster).")
    out.append("")
    out.append("| workload | ctnn | fastest baseline | ratio | ctnn % of peak | every side |")
    out.append("|---|---:|---|---:|---:|---|")
    chart = []
    for w, (desc, flops, cores) in WORKLOADS.items():
        sides = by_workload.get(w)
        if not sides or "ctnn" not in sides:
            continue
        ctnn = sides["ctnn"]
        baselines = {s: t for s, t in sides.items() if not s.startswith("ctnn") and s != "weight_stream"}
        best = min(baselines, key=baselines.get) if baselines else None
        ratio = f"{ctnn / baselines[best]:.2f}" if best else "-"
        frac = flops / ctnn / (peak * cores) if peak else 0.0
        every = "; ".join(f"{SIDE_NAMES.get(s, s)} {fmt_time(t)}"
                          for s, t in sorted(sides.items(), key=lambda kv: kv[1]) if s != "ctnn")
        out.append(f"| {w}: {desc} | {fmt_time(ctnn)} | "
                   f"{SIDE_NAMES.get(best, '-')} {fmt_time(baselines[best]) if best else ''} | {ratio} | "
                   f"{100 * frac:.1f}% | {every} |")
        if "/" not in w:
            chart.append((w, sides))
    out.append("")
    for w, goal in GOALS.items():
        if w in by_workload:
            out.append(f"- Goal for {w}: {goal}.")
    bound = by_workload.get("W2_batch1", {})
    if "weight_stream" in bound and "ctnn" in bound:
        out.append(f"- W2 batch 1 against reading its weights in the same run "
                   f"({fmt_time(bound['weight_stream'])}): {bound['ctnn'] / bound['weight_stream']:.2f}x.")
    out.append("")

    if latency:
        out.append("**Latency distribution**, 1e6 calls each, every call timed with steady_clock "
                   "(the `clock` row is the timing alone, included in every other row):")
        out.append("")
        out.append("| workload | side | p50 | p99 | p99.9 | max |")
        out.append("|---|---|---:|---:|---:|---:|")
        order = ["clock"] + SIDES

        def key(item):
            w, side = split(item[0])
            return (w or "", order.index(side) if side in order else len(order))

        for name, r in sorted(latency.items(), key=key):
            w, side = split(name)
            c = r["counters"]
            if w is None or "p50_ns" not in c:
                continue
            out.append(f"| {w.replace('_latency', '')} | {SIDE_NAMES.get(side, side)} | "
                       + " | ".join(fmt_time(c[k]) for k in ("p50_ns", "p99_ns", "p99.9_ns", "max_ns")) + " |")
        out.append("")

    cost = os.path.join(folder, "compile-cost.md")
    if os.path.exists(cost):
        out.append("**Compile cost** (`./scripts/compile-cost`: each example alone, -O2, wall time and "
                   "peak memory from /usr/bin/time -v) and **binary size**:")
        out.append("")
        with open(cost) as f:
            out.append(f.read().strip())
        out.append("")
    report = "\n".join(out) + "\n"
    with open(os.path.join(folder, "report.md"), "w") as f:
        f.write(report)
    sys.stdout.write(report)

    png = os.path.join(folder, "performance.png")
    draw(chart, png)
    if docs:
        update_docs(report, png)


def draw(chart, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = ["ctnn", "eigen_fixed", "eigen_dynamic", "libtorch", "dlib"]
    colours = {"ctnn": "#1b6ca8", "eigen_fixed": "#7fb3d5", "eigen_dynamic": "#a9cce3",
               "libtorch": "#e67e22", "dlib": "#27ae60"}
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(chart) * len(order) / 2 + 1.5))
    y = 0.0
    ticks, labels, seen = [], [], set()
    for w, sides in reversed(chart):
        present = [s for s in order if s in sides]
        for i, s in enumerate(present):
            rel = sides[s] / sides["ctnn"]
            ax.barh(y + i * 0.8, rel, height=0.75, color=colours[s],
                    label=SIDE_NAMES[s] if s not in seen else None)
            ax.text(rel * 1.05, y + i * 0.8, f"{rel:.2f}x  ({fmt_time(sides[s])})", va="center", fontsize=7)
            seen.add(s)
        ticks.append(y + (len(present) - 1) * 0.4)
        labels.append(w)
        y += len(present) * 0.8 + 1.0
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)
    ax.set_xlabel("time per call relative to ctnn (log scale; right of the line: slower than ctnn)")
    ax.set_title("ctnn against the peers, one run (scripts/bench)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(right=ax.get_xlim()[1] * 4)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def update_docs(report, png):
    path = "docs/performance.md"
    with open(path) as f:
        text = f.read()
    begin, end = "<!-- scripts/bench: begin -->", "<!-- scripts/bench: end -->"
    if begin not in text or end not in text:
        raise SystemExit(f"{path}: the markers {begin} and {end} are missing")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + report + end + tail)
    shutil.copyfile(png, "docs/performance.png")


if __name__ == "__main__":
    main()
