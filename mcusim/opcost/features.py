"""Loop counts of our engine's kernels (L4): what each op's cycles are a linear function of.

For every kernel flavour (``reference``: the C loops of ``firmware_samples/engine/mce_*.c``;
``optimized``: ``mce_*_opt.c``) a function maps an op's shapes and options to the number of
times each loop body of the kernel runs (windows clipped to the input exactly as the kernel
clips them). The fitted tables in ``cost_models/ops/`` give cycles per count. Stdlib only.
"""

from __future__ import annotations

from mcusim.opcost.graph import OpInfo, padding_offset


class NoCostModel(Exception):
    """The op (or its quantisation) has no cost model; the message says why."""


def _valid_taps(in_size: int, k: int, stride: int, dil: int, out: int, pad: int) -> int:
    """How many (output position, filter tap) pairs land inside the input, summed over the
    ``out`` positions: per tap t, the positions o with 0 <= o*stride - pad + t*dil < in_size
    (arithmetic, so a corrupted shape cannot make it slow)."""
    if k > MAX_TAPS or stride < 1 or dil < 1:
        raise NoCostModel(f"a window of {k} taps, stride {stride}, dilation {dil}")
    total = 0
    for t in range(k):
        off = t * dil - pad  # input index of tap t at o = 0
        lo = 0 if off >= 0 else (-off + stride - 1) // stride  # first o inside the input
        last = in_size - 1 - off
        hi = min(out - 1, last // stride) if last >= 0 else -1  # last o inside it
        total += max(0, hi - lo + 1)
    return total


MAX_TAPS = 1 << 16  # a window wider than this is not a model we can cost


def _spatial(op: OpInfo, k_h: int, k_w: int) -> dict:
    n, in_h, in_w, in_c = op.inputs[0]
    _, out_h, out_w, out_c = op.output
    o = op.options
    dil_h, dil_w = o.get("dil_h", 1), o.get("dil_w", 1)
    pt = padding_offset(o["padding"], in_h, k_h, o["stride_h"], dil_h, out_h)
    pl = padding_offset(o["padding"], in_w, k_w, o["stride_w"], dil_w, out_w)
    sy = _valid_taps(in_h, k_h, o["stride_h"], dil_h, out_h, pt)
    sx = _valid_taps(in_w, k_w, o["stride_w"], dil_w, out_w, pl)
    return dict(n=n, in_c=in_c, out_h=out_h, out_w=out_w, out_c=out_c, sy=sy, sx=sx)


def _check_int8(op: OpInfo, n_inputs: int) -> None:
    types = [t for t in op.input_types[:n_inputs] if t is not None]
    bad = [t for t in (*types, op.output_type) if t != "int8"]
    if bad:
        raise NoCostModel(f"{op.op} with {bad[0]} tensors (the cost tables cover int8 only)")


def _rank4(op: OpInfo) -> None:
    if len(op.inputs[0] or ()) != 4 or len(op.output) != 4:
        raise NoCostModel(f"{op.op} on tensors that are not 4-D (NHWC)")


def conv_reference(op: OpInfo) -> dict:
    _check_int8(op, 2)
    _rank4(op)
    oc, k_h, k_w, fic = op.inputs[1]
    g = _spatial(op, k_h, k_w)
    n, px = g["n"], g["out_h"] * g["out_w"]
    outputs = n * px * oc
    rows = n * g["out_w"] * g["sy"] * oc  # filter rows inside the input (kx loop entries)
    taps = n * g["sy"] * g["sx"] * oc  # filter taps inside the input (ic loop entries)
    return {
        "calls": 1,
        "out_rows": n * g["out_h"],
        "out_pixels": n * px,
        "outputs": outputs,
        "ky_steps": outputs * k_h,
        "kx_steps": rows * k_w,
        "taps": taps,
        "macs": taps * fic,
    }


def conv_optimized(op: OpInfo) -> dict:
    _check_int8(op, 2)
    _rank4(op)
    oc, k_h, k_w, fic = op.inputs[1]
    g = _spatial(op, k_h, k_w)
    n, px = g["n"], g["out_h"] * g["out_w"]
    groups = max(g["in_c"] // fic, 1)
    ocg = oc // groups
    k = k_h * k_w * fic
    k4, kt = (k // 4), k - (k & ~3)
    pairs, odd = px // 2, px % 2
    reps = n * groups
    taps_in = g["sy"] * g["sx"]  # valid (ky, kx) taps summed over output pixels
    taps_all = px * k_h * k_w
    if fic % 4 == 0:
        vec, scalar = taps_in * fic // 4, (taps_all - taps_in) * fic
    else:
        vec, scalar = 0, taps_all * fic
    f = {
        "calls": 1,
        "groups": reps,
        "columns": reps * px,
        "column_rows": reps * px * k_h,
        "column_taps": reps * taps_all,
        "fill_words": reps * vec,
        "fill_bytes": reps * scalar,
        "blocks_2x2": reps * pairs * (ocg // 2),
        "inner_2x2": reps * pairs * (ocg // 2) * k4,
        "tail_2x2": reps * pairs * (ocg // 2) * kt,
        "blocks_1x2": reps * pairs * (ocg % 2),
        "inner_1x2": reps * pairs * (ocg % 2) * k4,
        "tail_1x2": reps * pairs * (ocg % 2) * kt,
        "blocks_1x1": reps * odd * ocg,
        "inner_1x1": reps * odd * ocg * k4,
        "tail_1x1": reps * odd * ocg * kt,
    }
    return f


def depthwise_reference(op: OpInfo) -> dict:
    _check_int8(op, 2)
    _rank4(op)
    _, k_h, k_w, oc = op.inputs[1]
    g = _spatial(op, k_h, k_w)
    n, px = g["n"], g["out_h"] * g["out_w"]
    outputs = n * px * oc
    return {
        "calls": 1,
        "out_rows": n * g["out_h"],
        "out_pixels": n * px,
        "pixel_channels": n * px * g["in_c"],
        "outputs": outputs,
        "ky_steps": outputs * k_h,
        "kx_steps": n * g["out_w"] * g["sy"] * oc * k_w,
        "macs": n * g["sy"] * g["sx"] * oc,
    }


def depthwise_optimized(op: OpInfo) -> dict:
    _check_int8(op, 2)
    _rank4(op)
    _, k_h, k_w, oc = op.inputs[1]
    g = _spatial(op, k_h, k_w)
    n, px = g["n"], g["out_h"] * g["out_w"]
    in_c = g["in_c"]
    dm = op.options.get("depth_multiplier", 1) or max(oc // max(in_c, 1), 1)
    c4 = (in_c & ~3) if dm == 1 else 0
    rest = (in_c - c4) * dm  # scalar output channels per pixel
    rows = n * g["out_w"] * g["sy"]  # clipped window rows summed over pixels
    taps = n * g["sy"] * g["sx"]
    return {
        "calls": 1,
        "out_rows": n * g["out_h"],
        "out_pixels": n * px,
        "clip_calls": n * (g["out_h"] + px),
        # clip_taps() steps over every tap that falls outside the input, row and column
        "clipped_taps": n
        * ((g["out_h"] * k_h - g["sy"]) + g["out_h"] * (g["out_w"] * k_w - g["sx"])),
        "quads": n * px * (c4 // 4),
        "quad_rows": rows * (c4 // 4),
        "quad_taps": taps * (c4 // 4),
        "scalar_channels": n * px * rest,
        "scalar_rows": rows * rest,
        "scalar_taps": taps * rest,
        # pixels that run both the four-channel and the scalar loop: their code together can
        # outgrow a small instruction cache and be fetched again for every pixel
        "mixed_pixels": n * px if c4 and rest else 0,
    }


def _fc_dims(op: OpInfo) -> tuple[int, int, int]:
    _check_int8(op, 2)
    units, depth = op.inputs[1]
    total = 1
    for d in op.inputs[0]:
        total *= d
    return max(total // max(depth, 1), 1), units, depth


def fc_reference(op: OpInfo) -> dict:
    b, u, d = _fc_dims(op)
    return {"calls": 1, "batches": b, "outputs": b * u, "macs": b * u * d}


def fc_optimized(op: OpInfo) -> dict:
    b, u, d = _fc_dims(op)
    d4, dt = d // 4, d % 4
    return {
        "calls": 1,
        "batches": b,
        "pairs": b * (u // 2),
        "pair_quads": b * (u // 2) * d4,
        "pair_tail": b * (u // 2) * dt,
        "singles": b * (u % 2),
        "single_quads": b * (u % 2) * d4,
        "single_tail": b * (u % 2) * dt,
    }


def pool(op: OpInfo) -> dict:
    _check_int8(op, 1)
    _rank4(op)
    o = op.options
    g = _spatial(op, o["filter_h"], o["filter_w"])
    n, px = g["n"], g["out_h"] * g["out_w"]
    c = g["in_c"]
    return {
        "calls": 1,
        "out_rows": n * g["out_h"],
        "out_pixels": n * px,
        "outputs": n * px * c,
        "window_rows": n * g["out_w"] * g["sy"] * c,
        "window_taps": n * g["sy"] * g["sx"] * c,
    }


MAX_DIMS = 6  # MCE_MAX_DIMS (firmware_samples/engine/mce.h)


def elementwise(op: OpInfo) -> dict:
    _check_int8(op, 2)
    shapes = [s for s in op.inputs[:2] if s is not None]
    out = op.output
    if len(out) > MAX_DIMS or any(len(s) > MAX_DIMS for s in shapes):
        raise NoCostModel(f"{op.op} of rank above {MAX_DIMS}")
    dims = [1] * (MAX_DIMS - len(out)) + list(out)
    n = 1
    for d in dims:
        n *= d
    steps, inner = 0, 1  # odometer: each element advances the last dim, a wrap the next one
    for d in reversed(dims):
        steps += n // inner
        inner *= d
        if inner > n:
            break
    return {"calls": 1, "elements": n, "odometer_steps": steps}


def softmax(op: OpInfo) -> dict:
    """Rows x depth. Our kernel does the same work for every element (values below the
    cut-off are masked, not skipped), so the shape alone sets its time."""
    _check_int8(op, 1)
    shape = op.inputs[0]
    depth = shape[-1] if shape else 1
    total = 1
    for d in shape:
        total *= d
    return {"calls": 1, "rows": total // max(depth, 1), "elements": total}


def reshape(op: OpInfo) -> dict:
    total = 1
    for d in op.output:
        total *= d
    size = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "float32": 4}.get(op.output_type)
    if size is None:
        raise NoCostModel(f"RESHAPE of {op.output_type} tensors")
    n = total * size
    # newlib's memcpy for the aligned case (arena buffers are 16-byte aligned): a loop of
    # 64-byte blocks, one of 16-byte blocks, one of words, then 0-3 tail bytes. Each loop
    # costs per pass plus once for being entered or skipped (its branch falls through or is
    # taken), hence a count and a taken flag per loop.
    blocks64, blocks16, words, tail = n // 64, n % 64 // 16, n % 16 // 4, n % 4
    return {
        "calls": 1,
        "blocks64": blocks64,
        "big_loop": 1 if blocks64 else 0,
        "blocks16": blocks16,
        "mid_loop": 1 if blocks16 else 0,
        "words": words,
        "word_loop": 1 if words else 0,
        # the 1-3 tail bytes take three different branch paths (byte, halfword, both)
        "tail1": 1 if tail == 1 else 0,
        "tail2": 1 if tail == 2 else 0,
        "tail3": 1 if tail == 3 else 0,
    }


# (op, kernels) -> feature function; ops not listed have no cost model
FEATURES = {
    ("CONV_2D", "reference"): conv_reference,
    ("CONV_2D", "optimized"): conv_optimized,
    ("DEPTHWISE_CONV_2D", "reference"): depthwise_reference,
    ("DEPTHWISE_CONV_2D", "optimized"): depthwise_optimized,
    ("FULLY_CONNECTED", "reference"): fc_reference,
    ("FULLY_CONNECTED", "optimized"): fc_optimized,
    ("AVERAGE_POOL_2D", "reference"): pool,
    ("MAX_POOL_2D", "reference"): pool,
    ("ADD", "reference"): elementwise,
    ("MUL", "reference"): elementwise,
    ("SOFTMAX", "reference"): softmax,
    ("RESHAPE", "reference"): reshape,
}
# the optimized build keeps the reference code for every other kernel
SHARED = {"AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD", "MUL", "SOFTMAX", "RESHAPE"}


def kernel_flavour(op: str, kernels: str) -> str:
    """The flavour whose code runs ``op`` in a ``kernels`` build."""
    return "reference" if op in SHARED else kernels


# Loops whose weight loads miss the flash data cache on every pass when the whole filter does
# not fit in it (the kernels re-read the filter for every output pixel or pixel pair)
UNCACHED = {
    ("CONV_2D", "reference"): ("macs",),
    ("CONV_2D", "optimized"): ("inner_2x2", "inner_1x2", "inner_1x1"),
    ("DEPTHWISE_CONV_2D", "reference"): ("macs",),
    ("DEPTHWISE_CONV_2D", "optimized"): ("quad_taps", "scalar_taps"),
}


# Code paths of a kernel with code of their own (the two-row and odd-row FC loops and their
# quad and tail loops; memcpy's three copy loops and its tail steps): the first op of a model
# to take one fetches that code into the instruction cache (``cold_<path>``).
COLD_PATHS = {
    ("FULLY_CONNECTED", "optimized"): (
        "pairs",
        "pair_quads",
        "pair_tail",
        "singles",
        "single_quads",
        "single_tail",
    ),
    ("RESHAPE", "reference"): ("big_loop", "mid_loop", "word_loop", "tail1", "tail2", "tail3"),
}


# The weight loads of an FC (each weight read once per batch row): loads per loop pass.
# Weights that fit the flash data cache are found there by every batch row after the first,
# and by every row of a call whose weights an earlier call of the model already read (the
# fitting grid's repeated calls; a model's layers each have their own weights):
# ``warm_weight_loads`` counts those loads (each saves the flash wait states of a miss).
WEIGHT_LOADS = {
    ("FULLY_CONNECTED", "reference"): {"macs": 1},
    ("FULLY_CONNECTED", "optimized"): {
        "pair_quads": 2,
        "pair_tail": 2,
        "single_quads": 1,
        "single_tail": 1,
    },
}


def features(
    op: OpInfo, kernels: str, *, seen: set | None = None, dcache_bytes: int | None = None
) -> dict[str, int]:
    """The loop counts of ``op`` under ``kernels``; :class:`NoCostModel` when there is none.
    ``seen``: the kernels and code paths earlier ops of the model have run (updated here;
    None: none). The first call of a kernel counts ``cold`` (its code is not yet in the
    instruction cache), the first to take a path of COLD_PATHS ``cold_<path>``.
    ``dcache_bytes``: the data cache in front of the flash holding the weights (0: none); a
    filter larger than it adds ``*_uncached`` counts."""
    key = (op.op, kernel_flavour(op.op, kernels))
    fn = FEATURES.get(key)
    if fn is None:
        raise NoCostModel(f"no cost model for {op.op} (not fitted for our engine)")
    try:
        f = fn(op)
        seen = set() if seen is None else seen
        f["cold"] = 0 if op.op in seen else 1
        seen.add(op.op)
        for path in COLD_PATHS.get(key, ()):
            f[f"cold_{path}"] = 1 if f[path] and (op.op, path) not in seen else 0
            if f[path]:
                seen.add((op.op, path))
        if key in WEIGHT_LOADS and dcache_bytes is not None:
            share = 0.0  # of the passes over the weights that find them in the cache
            if op.weight_tensors and op.weight_bytes <= dcache_bytes:
                batches = max(f.get("batches", 1), 1)
                read = all(("weights", t) in seen for t in op.weight_tensors)
                share = 1.0 if read else (batches - 1) / batches
            loads = sum(f[name] * n for name, n in WEIGHT_LOADS[key].items())
            f["warm_weight_loads"] = loads * share
        seen.update(("weights", t) for t in op.weight_tensors)
        if key in UNCACHED and dcache_bytes is not None:
            filter_bytes = 1
            for d in op.inputs[1]:
                filter_bytes *= d
            spill = 1 if filter_bytes > dcache_bytes else 0
            for name in UNCACHED[key]:
                f[f"{name}_uncached"] = f[name] * spill
        return f
    except (KeyError, IndexError, ValueError, TypeError, ZeroDivisionError) as e:
        raise NoCostModel(f"{op.op}: shapes or options the cost model cannot read ({e})") from None
