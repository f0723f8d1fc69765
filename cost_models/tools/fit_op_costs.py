"""Fit the per-kernel cost tables of cost_models/ops/mce_costs/ to mcusim's own emulation.

For every target (core + memory set-up) and kernel flavour, a seeded grid of single-op
.tflite models of varied shapes (plus RESHAPE chains that vary the op and tensor counts for
the arena) is run on the runner firmware (firmware_samples/elf/<target>/runner-*.elf) in
mcusim with the op profiler. Each kernel's cycles are fitted as a linear function of its loop
counts (mcusim/opcost/features.py) by least squares on relative error, on three quarters of
the grid; the other quarter (held out, never fitted) gives the error written into the table.
Never fitted to hardware scores.

    .venv/bin/python cost_models/tools/fit_op_costs.py [--targets a,b] [--jobs 2] [--seed 12]

Needs the test extras (numpy, flatbuffers and the TFLite schema module of tflite-micro) to
build the models; it writes one TOML per (target, kernels) and prints the held-out errors.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "engine"))
sys.path.insert(0, str(REPO))

from mce_testlib import TT, ModelBuilder, Op, Opt, fb, options  # noqa: E402

from mcusim.errors import McusimError  # noqa: E402
from mcusim.opcost.features import features, kernel_flavour  # noqa: E402
from mcusim.opcost.graph import load_graph  # noqa: E402
from mcusim.opcost.tables import (  # noqa: E402
    OUT_DIR,
    data_cache_bytes,
    memory_setup,
    persistent_terms,
)

DEFAULT_TARGETS = [
    ("apollo3", "reference"), ("apollo3", "optimized"),
    ("nrf52840", "reference"), ("nrf52840", "optimized"),
    ("stm32l4r5", "reference"), ("stm32l4r5", "optimized"),
    ("samd51", "reference"), ("samd51", "optimized"),
    ("efm32wg", "reference"), ("efm32wg", "optimized"),
    ("mps2-an386", "reference"), ("mps2-an386", "optimized"),
    ("rp2040", "reference"), ("stm32f103", "reference"), ("mps2-an385", "reference"),
]  # fmt: skip
HOLD_OUT_EVERY = 4  # case i is held out when i % 4 == 3
SYMBOLS = {
    "CONV_2D": "mce_conv2d_s8",
    "DEPTHWISE_CONV_2D": "mce_depthwise_conv2d_s8",
    "FULLY_CONNECTED": "mce_fully_connected_s8",
    "AVERAGE_POOL_2D": "mce_avg_pool2d_s8",
    "MAX_POOL_2D": "mce_max_pool2d_s8",
    "ADD": "mce_add_s8",
    "MUL": "mce_mul_s8",
    "SOFTMAX": "mce_softmax_s8",
    "RESHAPE": "mce_reshape",
}
COUNTS = {  # grid cases per op
    "CONV_2D": 96,
    "DEPTHWISE_CONV_2D": 96,
    "FULLY_CONNECTED": 96,
    "AVERAGE_POOL_2D": 28,
    "MAX_POOL_2D": 28,
    "ADD": 24,
    "MUL": 16,
    "SOFTMAX": 28,
    "RESHAPE": 48,
}


# ------------------------------------------------------------------ the grid of models


def logi(rng, lo, hi):
    """An integer log-uniform in [lo, hi]."""
    return int(round(float(np.exp(rng.uniform(np.log(lo), np.log(hi + 0.49))))))


def out_size(padding, n, k, s, d=1):
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if padding == fb.Padding.SAME else (n + s - eff) // s


def small(rng):
    """About 40 % of the cases fit the smallest runner (1 KiB input, 512 B output)."""
    return rng.random() < 0.4


def quant(rng, n):
    return (
        float(np.exp(rng.uniform(-6, 1))),
        int(rng.integers(-128, 128)),
        np.exp(rng.uniform(-8, -2, size=n)).astype(np.float32),
    )


def maybe_twice(rng, mb, inputs, y) -> bytes:
    """A third of the cases run the same op twice on the same input (two graph outputs): the
    second call finds the kernel's code in the caches, as repeated layers of a model do."""
    if rng.random() >= 1 / 3:
        return mb.build(inputs, [y])
    import copy

    t = copy.deepcopy(mb.tensors[y])
    t.name = t.name + "_again"
    mb.tensors.append(t)
    y2 = len(mb.tensors) - 1
    op = copy.deepcopy(mb.operators[-1])
    op.outputs = [y2]
    mb.operators.append(op)
    return mb.build(inputs, [y, y2])


def conv_like(rng, depthwise):
    while True:
        sm = small(rng)
        h = logi(rng, 1, 12 if sm else 48)
        w = logi(rng, 1, 12 if sm else 48)
        c = logi(rng, 1, 8 if sm else 64)
        if depthwise:
            dm = int(rng.choice([1, 1, 1, 1, 2, 3]))
            oc = c * dm
        else:
            oc = logi(rng, 1, 16 if sm else 64)
        kh, kw = (int(v) for v in rng.choice([1, 1, 2, 3, 3, 3, 4, 5, 7, 10], size=2))
        if rng.random() < 0.4:
            kw = kh
        sh, sw = (int(v) for v in rng.choice([1, 1, 1, 2, 2, 3], size=2))
        dh, dw = (int(v) for v in rng.choice([1, 1, 1, 1, 2], size=2))
        pad = int(rng.choice([fb.Padding.SAME, fb.Padding.VALID]))
        if rng.random() < 1 / 3:
            # the layers of mobile networks (MobileNet, DS-CNN): square 3x3 depthwise or 1x1 /
            # 3x3 convolutions, channels a multiple of 8, stride 1 or 2, 'same' padding. Drawn
            # apart so that the four-channel loops they run are well covered by the fit (the
            # draw above mostly gives odd channel counts and kernel shapes).
            h = w = logi(rng, 2, 12 if sm else 48)
            c = int(rng.choice([8, 16, 24, 32, 48, 64, 96, 128]))
            oc = c if depthwise else int(rng.choice([8, 16, 24, 32, 48, 64]))
            kh = kw = 3 if depthwise or rng.random() < 0.5 else 1
            sh = sw = int(rng.choice([1, 1, 2]))
            dh = dw = 1
            pad = int(fb.Padding.SAME)
        oh, ow = out_size(pad, h, kh, sh, dh), out_size(pad, w, kw, sw, dw)
        if oh < 1 or ow < 1:
            continue
        macs = oh * ow * oc * kh * kw * (1 if depthwise else c)
        if macs > 1_500_000 or h * w * c > 64_000 or oh * ow * oc > 16_000:
            continue
        if sm and (h * w * c > 1024 or oh * ow * oc > 512):
            continue
        break
    in_s, in_zp, w_s = quant(rng, oc)
    mb = ModelBuilder()
    x = mb.tensor([1, h, w, c], TT.INT8, in_s, in_zp)
    if depthwise:
        wt = mb.tensor([1, kh, kw, oc], TT.INT8, w_s, 0,
                       data=rng.integers(-128, 128, (1, kh, kw, oc)), qdim=3)  # fmt: skip
    else:
        wt = mb.tensor([oc, kh, kw, c], TT.INT8, w_s, 0,
                       data=rng.integers(-128, 128, (oc, kh, kw, c)), qdim=0)  # fmt: skip
    bias = mb.tensor([oc], TT.INT32, in_s * w_s, 0,
                     data=rng.integers(-4096, 4096, oc), qdim=0)  # fmt: skip
    out_s = float(in_s * float(np.mean(w_s)) * 110 * np.sqrt(kh * kw * c))
    y = mb.tensor([1, oh, ow, oc], TT.INT8, out_s, int(rng.integers(-128, 128)))
    act = int(rng.choice([0, 1, 3]))
    if depthwise:
        opt = options(fb.DepthwiseConv2DOptionsT, padding=pad, strideW=sw, strideH=sh,
                      depthMultiplier=oc // c, fusedActivationFunction=act,
                      dilationWFactor=dw, dilationHFactor=dh)  # fmt: skip
        mb.op(Op.DEPTHWISE_CONV_2D, [x, wt, bias], [y], Opt.DepthwiseConv2DOptions, opt)
    else:
        opt = options(fb.Conv2DOptionsT, padding=pad, strideW=sw, strideH=sh,
                      fusedActivationFunction=act, dilationWFactor=dw, dilationHFactor=dh)  # fmt: skip
        mb.op(Op.CONV_2D, [x, wt, bias], [y], Opt.Conv2DOptions, opt)
    return maybe_twice(rng, mb, [x], y)


def mlp(rng):
    """2-3 FULLY_CONNECTED layers in a row (a small MLP, often ending in a 1-3-output head):
    the later layers find the kernel's code in the caches but may take a code path (the
    odd-row loop) for the first time, as a model's head does."""
    dims = [logi(rng, 1, 256)]
    for i in range(int(rng.integers(2, 4))):
        head = i > 0 and rng.random() < 0.5
        dims.append(int(rng.integers(1, 4)) if head else logi(rng, 1, 64))
    mb = ModelBuilder()
    in_s, in_zp, _ = quant(rng, 1)
    x = mb.tensor([1, dims[0]], TT.INT8, in_s, in_zp)
    cur, cur_s = x, in_s
    for d, u in zip(dims, dims[1:], strict=False):
        cur, cur_s = fc_layer(rng, mb, cur, cur_s, quant(rng, 1)[2][0], 1, d, u)
    return mb.build([x], [cur])


def fc_layer(rng, mb, x, x_scale, w_scale, b, d, u):
    """A FULLY_CONNECTED op of ``u`` outputs on ``x`` (``b`` x ``d``), random weights, bias
    and activation; returns its output tensor and that tensor's scale."""
    wt = mb.tensor([u, d], TT.INT8, w_scale, 0, data=rng.integers(-127, 128, (u, d)))
    bias = mb.tensor([u], TT.INT32, x_scale * w_scale, 0, data=rng.integers(-4096, 4096, u))
    out_s = float(x_scale * w_scale * 110 * np.sqrt(d))
    y = mb.tensor([b, u], TT.INT8, out_s, 0)
    opt = options(fb.FullyConnectedOptionsT, fusedActivationFunction=int(rng.choice([0, 1])))
    mb.op(Op.FULLY_CONNECTED, [x, wt, bias], [y], Opt.FullyConnectedOptions, opt)
    return y, out_s


def fully_connected(rng):
    if rng.random() < 0.25:
        return mlp(rng)
    sm = small(rng)
    b = 1 if rng.random() < 0.8 else int(rng.integers(2, 4))
    d = logi(rng, 1, 1024 // b if sm else 2048)
    # a quarter are model heads (1-3 outputs: a regression or a few classes), whose odd
    # single-row path and short calls are otherwise rare in a log-uniform draw
    u = int(rng.integers(1, 4)) if rng.random() < 0.25 else logi(rng, 1, 256 // b if sm else 512)
    while d * u > 200_000:
        u = max(u // 2, 1)
    in_s, in_zp, w_s = quant(rng, 1)
    mb = ModelBuilder()
    x = mb.tensor([b, d], TT.INT8, in_s, in_zp)
    y, _ = fc_layer(rng, mb, x, in_s, w_s[0], b, d, u)
    return maybe_twice(rng, mb, [x], y)


def pool(rng, code):
    while True:
        sm = small(rng)
        h, w = logi(rng, 1, 16 if sm else 48), logi(rng, 1, 16 if sm else 48)
        c = logi(rng, 1, 16 if sm else 64)
        kh, kw = (int(v) for v in rng.choice([1, 2, 2, 3, 3, 5], size=2))
        if rng.random() < 0.2:  # global pooling, as the models end with
            kh, kw, pad = h, w, fb.Padding.VALID
            sh, sw = h, w
        else:
            sh, sw = (int(v) for v in rng.choice([1, 2, 2, 3], size=2))
            pad = int(rng.choice([fb.Padding.SAME, fb.Padding.VALID]))
        oh, ow = out_size(pad, h, kh, sh), out_size(pad, w, kw, sw)
        if oh < 1 or ow < 1 or h * w * c > 60_000:
            continue
        if sm and (h * w * c > 1024 or oh * ow * c > 512):
            continue
        break
    s, zp = float(np.exp(rng.uniform(-5, 0))), int(rng.integers(-128, 128))
    mb = ModelBuilder()
    x = mb.tensor([1, h, w, c], TT.INT8, s, zp)
    y = mb.tensor([1, oh, ow, c], TT.INT8, s, zp)
    opt = options(fb.Pool2DOptionsT, padding=pad, strideW=sw, strideH=sh, filterWidth=kw,
                  filterHeight=kh, fusedActivationFunction=0)  # fmt: skip
    mb.op(code, [x], [y], Opt.Pool2DOptions, opt)
    return maybe_twice(rng, mb, [x], y)


def elementwise(rng, code):
    sm = small(rng)
    rank = int(rng.integers(1, 5))
    while True:
        out = [logi(rng, 1, 24) for _ in range(rank)]
        n = int(np.prod(out))
        if n <= (256 if sm else 16_000):
            break
    a, b = list(out), list(out)
    for d in range(rank):
        r = rng.random()
        if r < 0.15:
            a[d] = 1
        elif r < 0.3:
            b[d] = 1
    s1, s2 = float(np.exp(rng.uniform(-5, 0))), float(np.exp(rng.uniform(-5, 0)))
    mb = ModelBuilder()
    x1 = mb.tensor(a, TT.INT8, s1, int(rng.integers(-128, 128)))
    x2 = mb.tensor(b, TT.INT8, s2, int(rng.integers(-128, 128)),
                   data=rng.integers(-128, 128, b))  # fmt: skip
    so = max(s1, s2) * 2 if code == Op.ADD else s1 * s2 * 128
    y = mb.tensor(out, TT.INT8, float(so), 0)
    if code == Op.ADD:
        mb.op(code, [x1, x2], [y], Opt.AddOptions, options(fb.AddOptionsT))
    else:
        mb.op(code, [x1, x2], [y], Opt.MulOptions, options(fb.MulOptionsT))
    return maybe_twice(rng, mb, [x1], y)


def softmax(rng):
    """FULLY_CONNECTED then SOFTMAX, as a classifier ends: the softmax sees the values a
    fully-connected layer gives (how many it exponentiates depends on them)."""
    sm = small(rng)
    rows = 1 if rng.random() < 0.7 else logi(rng, 2, 4)
    d = logi(rng, 4, 1024 // rows if sm else 1024)
    depth = logi(rng, 2, 500 // rows if sm else 1000)
    while d * depth > 200_000:
        d = max(d // 2, 1)
    in_s, in_zp, w_s = quant(rng, 1)
    mb = ModelBuilder()
    x = mb.tensor([rows, d], TT.INT8, in_s, in_zp)
    wt = mb.tensor([depth, d], TT.INT8, w_s[0], 0, data=rng.integers(-127, 128, (depth, d)))
    bias = mb.tensor([depth], TT.INT32, in_s * w_s[0], 0, data=rng.integers(-4096, 4096, depth))
    logit_s = float(in_s * w_s[0] * 110 * np.sqrt(d) * np.exp(rng.uniform(-1.5, 1.5)))
    z = mb.tensor([rows, depth], TT.INT8, logit_s, int(rng.integers(-20, 20)))
    mb.op(Op.FULLY_CONNECTED, [x, wt, bias], [z], Opt.FullyConnectedOptions,
          options(fb.FullyConnectedOptionsT))  # fmt: skip
    y = mb.tensor([rows, depth], TT.INT8, 1 / 256, -128)
    mb.op(Op.SOFTMAX, [z], [y], Opt.SoftmaxOptions, options(fb.SoftmaxOptionsT, beta=1.0))
    return mb.build([x], [y])


def reshape_chain(rng):
    """1-6 RESHAPEs in a row: the ops vary the tensor and op counts the arena depends on."""
    sm = small(rng)
    n = logi(rng, 1, 500 if sm else 16_000)
    k = int(rng.integers(1, 7))
    mb = ModelBuilder()
    x = mb.tensor([1, n], TT.INT8, 0.1, 0)
    cur = x
    for _ in range(k):
        shp = mb.tensor([2], TT.INT32, data=np.array([n, 1] if rng.random() < 0.5 else [1, n]))
        nxt = mb.tensor(list(np.array([n, 1])), TT.INT8, 0.1, 0)
        mb.op(Op.RESHAPE, [cur, shp], [nxt], Opt.ReshapeOptions,
              options(fb.ReshapeOptionsT, newShape=[n, 1]))  # fmt: skip
        cur = nxt
    return mb.build([x], [cur])


def build_grid(seed: int) -> list[tuple[str, int, bytes]]:
    """(op, case number, model bytes) for every case, from one seeded generator per op."""
    makers = {
        "CONV_2D": lambda r: conv_like(r, False),
        "DEPTHWISE_CONV_2D": lambda r: conv_like(r, True),
        "FULLY_CONNECTED": fully_connected,
        "AVERAGE_POOL_2D": lambda r: pool(r, Op.AVERAGE_POOL_2D),
        "MAX_POOL_2D": lambda r: pool(r, Op.MAX_POOL_2D),
        "ADD": lambda r: elementwise(r, Op.ADD),
        "MUL": lambda r: elementwise(r, Op.MUL),
        "SOFTMAX": softmax,
        "RESHAPE": reshape_chain,
    }
    cases = []
    for i, (op, make) in enumerate(makers.items()):
        rng = np.random.default_rng([seed, i])
        cases += [(op, j, make(rng)) for j in range(COUNTS[op])]
    return cases


# ------------------------------------------------------------------ emulation


def run_case(job):
    target_name, kernels, op, j, data = job
    from mcusim.config import load_target
    from mcusim.sweep.emulate import emulate_model

    try:
        r = emulate_model(data, load_target(target_name), kernels, name=f"{op}#{j}")
    except McusimError as e:
        return job[:4], None, str(e)
    return job[:4], r, None


# ------------------------------------------------------------------ fitting


def fit(rows: list[tuple[dict, int, bool]]):
    """Least squares on relative error over the fitting rows; errors on the held-out ones."""
    names = sorted({k for f, _, _ in rows for k in f})
    fit_rows = [(f, y) for f, y, held in rows if not held]
    held_rows = [(f, y) for f, y, held in rows if held]
    X = np.array([[f.get(k, 0) for k in names] for f, _ in fit_rows], dtype=float)
    y = np.array([y for _, y in fit_rows], dtype=float)
    A = X / y[:, None]
    # Fetching code into an empty cache cannot save cycles: the cold counts' coefficients are
    # kept >= 0. Least squares, then the most negative of them fixed at 0 and the rest
    # solved again, until none is negative (the active-set step of non-negative least squares)
    free = list(range(len(names)))
    while True:
        sub, *_ = np.linalg.lstsq(A[:, free], np.ones(len(y)), rcond=None)
        coef = np.zeros(len(names))
        coef[free] = sub
        neg = [i for i in free if names[i].startswith("cold") and coef[i] < 0]
        if not neg:
            break
        free.remove(min(neg, key=lambda i: coef[i]))

    def errors(rs):
        if not rs:
            return []
        Xh = np.array([[f.get(k, 0) for k in names] for f, _ in rs], dtype=float)
        yh = np.array([y for _, y in rs], dtype=float)
        return list(np.abs(Xh @ coef - yh) / yh * 100)

    return (
        dict(zip(names, (float(c) for c in coef), strict=True)),
        errors(fit_rows),
        errors(held_rows),
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fmt(v: float) -> str:
    return f"{v:.6g}"


def write_table(target_name, kernels, results, grid_note, args, stamp) -> Path:
    from mcusim.config import load_target
    from mcusim.profile.runner import runner_elf

    target = load_target(target_name)
    elf = runner_elf(target, kernels)
    per_op: dict[str, list] = {}
    stack: dict[str, int] = {}
    arena_rows = []
    for (_, _, op, j), r in results:
        graph = load_graph(r["data"], f"{op}#{j}")
        held = j % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1
        seen: set = set()
        dcache = data_cache_bytes(target)
        for info, meas in zip(graph.ops, r["ops"], strict=True):
            f = features(info, kernels, seen=seen, dcache_bytes=dcache)
            per_op.setdefault(info.op, []).append((f, meas["cycles"], held))
            stack[info.op] = max(stack.get(info.op, 0), meas["stack_peak_bytes"] or 0)
        arena_rows.append((graph, r["arena_needed_bytes"]))
    lines = [
        "# Per-kernel cycle costs of mcusim's int8 engine (firmware_samples/engine), fitted to",
        "# mcusim's own emulation of the runner firmware; never to hardware scores.",
        "# Generated by cost_models/tools/fit_op_costs.py: do not edit, re-run the script.",
        "schema = 1",
        'engine = "mce"',
        f'target = "{target.name}"',
        f'core = "{target.core}"',
        f'kernels = "{kernels}"',
        f'memory = "{memory_setup(target)}"',
        f"data_cache_bytes = {data_cache_bytes(target)}  # filters larger than this: *_uncached",
        f'target_sha256 = "{hashlib.sha256(Path(target.path).read_bytes()).hexdigest()}"',
        f'core_table = "cost_models/cores/{target.core}.toml"',
        f'core_table_sha256 = "{sha(REPO / "cost_models" / "cores" / f"{target.core}.toml")}"',
        f'runner_elf = "firmware_samples/elf/{target.name}/{elf.name}"',
        f'runner_elf_sha256 = "{hashlib.sha256(elf.read_bytes()).hexdigest()}"',
        "",
        "[fit]",
        'script = "cost_models/tools/fit_op_costs.py"',
        f'command = ".venv/bin/python cost_models/tools/fit_op_costs.py --seed {args.seed} '
        f'--targets {target.name}:{kernels}"',
        f"seed = {args.seed}",
        f'grid = "{grid_note}"',
        f'held_out = "case numbers i with i % {HOLD_OUT_EVERY} == {HOLD_OUT_EVERY - 1} of each '
        'op: never fitted, their error is held_out_*_error_pct"',
        'method = "least squares on relative error of cycles = sum(coefficient x loop count), '
        'loop counts from mcusim/opcost/features.py; the cold counts\' coefficients kept >= 0"',
        f'date = "{stamp["date"]}"',
        f'mcusim_commit = "{stamp["commit"]}"',
        f'source = "mcusim emulation (op profiler cycles from kernel entry to return) on '
        f"{target.name}, clock {target.clock_hz} Hz; cycles do not depend on the clock in "
        "mcusim (wait states are the target file's)\"",
    ]
    from mcusim.image.elf import Firmware
    from mcusim.profile.runner import regions

    reg = regions(Firmware(elf))
    lines += [
        "",
        "[runner]",
        "# the runner's reserved regions (its ELF symbols): what a model and its arena must fit",
        f"model_region_bytes = {reg.model_bytes}",
        f"arena_bytes = {reg.arena_bytes}",
        f"input_bytes = {reg.input_bytes}",
        f"output_bytes = {reg.output_bytes}",
    ]
    # arena: engine's persistent tail = a + per tensor + per op + quantization tables
    X, y = [], []
    for graph, need in arena_rows:
        from mcusim.opcost.tables import activation_plan

        t = persistent_terms(graph)
        X.append([1, t["tensors"], t["ops"]])
        y.append(need - activation_plan(graph, kernels) - t["quant_table_bytes"])
    c, *_ = np.linalg.lstsq(np.array(X, float), np.array(y, float), rcond=None)
    c = [round(float(v)) for v in c]
    resid = [abs(yy - (c[0] + c[1] * xx[1] + c[2] * xx[2])) for xx, yy in zip(X, y, strict=True)]
    lines += [
        "",
        "[arena]",
        "# engine arena = activation plan (tensors and kernel scratch, by lifetime) + persistent",
        "# tail = base + per_tensor x tensors + per_op x ops + quantization tables (8-aligned)",
        f"base_bytes = {c[0]}",
        f"per_tensor_bytes = {c[1]}",
        f"per_op_bytes = {c[2]}",
        f"max_error_bytes = {max(resid):.0f}",
        f"cases = {len(X)}",
    ]
    report = []
    for op in sorted(per_op):
        rows = per_op[op]
        coef, e_fit, e_held = fit(rows)
        flavour = kernel_flavour(op, kernels)
        lines += [
            "",
            f'[kernel."{op}"]',
            f'symbol = "{SYMBOLS[op]}"',
            f'code = "{flavour}"',
            f"cases_fitted = {len(e_fit)}",
            f"cases_held_out = {len(e_held)}",
            f"held_out_max_error_pct = {fmt(max(e_held, default=float('nan')))}",
            f"held_out_mean_error_pct = {fmt(float(np.mean(e_held)) if e_held else float('nan'))}",
            f"fit_max_error_pct = {fmt(max(e_fit))}",
            f"stack_peak_bytes = {stack[op]}",
            '[kernel."' + op + '".cycles_per]',
        ]
        lines += [f"{k} = {fmt(v)}" for k, v in coef.items()]
        report.append((op, len(e_fit), len(e_held), max(e_held, default=0.0), max(e_fit)))
    out = OUT_DIR() / f"{target.name}-{kernels}.toml"
    out.write_text("\n".join(lines).replace("nan", "nan") + "\n")
    print(f"{target.name} {kernels}: wrote {out.relative_to(REPO)}")
    for op, nf, nh, eh, ef in report:
        print(f"  {op:20s} fit {nf:3d} held-out {nh:3d}: held-out max {eh:6.2f} %  "
              f"fit max {ef:6.2f} %")  # fmt: skip
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument(
        "--targets",
        help="comma list of target:kernels (default: every runner build)",
    )
    args = p.parse_args()
    todo = DEFAULT_TARGETS
    if args.targets:
        todo = [tuple(t.split(":")) for t in args.targets.split(",")]
    grid = build_grid(args.seed)
    counts = ", ".join(f"{n} {op}" for op, n in COUNTS.items())
    grid_note = (
        f"{len(grid)} seeded single-op int8 models ({counts}; a third of the cases run their op twice on the same input (the second call warm); a third of CONV_2D and DEPTHWISE_CONV_2D with mobile-network layer shapes (3x3 depthwise, 1x1 or 3x3 conv, channels a multiple of 8, stride 1-2, same padding); a quarter of FULLY_CONNECTED 1-3-output heads and a quarter 2-3-layer MLPs; SOFTMAX after a FULLY_CONNECTED; RESHAPE as chains of 1-6 ops), "
        "shapes log-uniform, about 40 % small enough for the 1 KiB input of the smallest "
        "runner; cases that do not fit a target's runner are skipped"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "mcusim", "cost_models/tools", "firmware_samples"],
        capture_output=True, text=True, cwd=REPO,
    ).stdout.strip()  # fmt: skip
    if dirty:
        commit += " with uncommitted changes"
    stamp = {"date": datetime.date.today().isoformat(), "commit": commit}
    for target_name, kernels in todo:
        t0 = time.time()
        jobs = [(target_name, kernels, op, j, data) for op, j, data in grid]
        results = []
        skipped = 0
        with ProcessPoolExecutor(args.jobs) as pool:
            for key, r, err in pool.map(run_case, jobs, chunksize=4):
                if r is None:
                    skipped += 1
                    continue
                r["data"] = next(d for op, j, d in grid if (op, j) == key[2:])
                results.append((key, r))
        write_table(target_name, kernels, results, grid_note, args, stamp)
        print(f"  {len(results)} cases run, {skipped} skipped (do not fit), "
              f"{time.time() - t0:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
