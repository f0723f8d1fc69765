"""Per-kernel randomized tests: tiny single-op models, engine vs the tflite-micro interpreter.

Every case is seeded. The generators deliberately hit edge cases: extreme scales (outputs that
saturate, multipliers with large right shifts), zero points at both ends of the int8 range,
strides larger than the kernel, 1x1 spatial inputs, odd channel counts, depth multipliers > 1,
dilation, SAME/VALID padding, fused RELU/RELU6, missing bias, broadcasting.
"""

import numpy as np
import pytest
from mce_testlib import TT, ModelBuilder, Op, Opt, fb, options, run_engine, tflm_run

SEEDS = range(24)


def logu(rng, lo, hi, size=None):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size=size)).astype(np.float32)


def pick_zp(rng):
    """Zero point: a range end a quarter of the time, otherwise anywhere."""
    if rng.random() < 0.25:
        return int(rng.choice([-128, 127]))
    return int(rng.integers(-128, 128))


def rand_i8(rng, shape):
    return rng.integers(-128, 128, size=shape).astype(np.int8)


def out_size(padding, n, k, s, d=1):
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if padding == fb.Padding.SAME else (n + s - eff) // s


def check(mce_run, tmp_path, model, inputs):
    ours = run_engine(mce_run, model, inputs, tmp_path)
    assert ours.returncode == 0, ours.stderr
    oracle = tflm_run(model, inputs)
    want = b"".join(np.ascontiguousarray(o).tobytes() for o in oracle)
    got = np.frombuffer(ours.output, dtype=np.int8)
    exp = np.frombuffer(want, dtype=np.int8)
    assert got.tobytes() == want, f"{int((got != exp).sum())} of {exp.size} bytes differ"


def spatial_case(rng):
    """Random input geometry and window that gives a non-empty output."""
    while True:
        n = int(rng.integers(1, 3))
        h, w = (int(v) for v in rng.choice([1, 1, 2, 3, 5, 7, 9], size=2))
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
        dh, dw = (int(v) for v in rng.choice([1, 1, 2], size=2))
        pad = int(rng.choice([fb.Padding.SAME, fb.Padding.VALID]))
        oh, ow = out_size(pad, h, kh, sh, dh), out_size(pad, w, kw, sw, dw)
        if oh >= 1 and ow >= 1:
            return n, h, w, kh, kw, sh, sw, dh, dw, pad, oh, ow


def requant_scales(rng, in_scale, w_scales, taps):
    """Output scale near the accumulator's typical range, sometimes far off (saturation)."""
    typical = float(in_scale) * float(np.mean(w_scales)) * 110.0 * np.sqrt(taps)
    return (
        float(typical * logu(rng, 0.3, 4.0))
        if rng.random() < 0.8
        else float(typical * logu(rng, 1e-3, 1e3))
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_matches_tflm_bit_for_bit_on_random_geometry_and_quantization(
    mce_run, tmp_path, seed
):
    rng = np.random.default_rng(1000 + seed)
    n, h, w, kh, kw, sh, sw, dh, dw, pad, oh, ow = spatial_case(rng)
    c, oc = int(rng.integers(1, 8)), int(rng.integers(1, 8))
    in_s, in_zp = float(logu(rng, 1e-3, 8.0)), pick_zp(rng)
    w_s = logu(rng, 1e-4, 0.2, size=oc)
    out_s, out_zp = requant_scales(rng, in_s, w_s, kh * kw * c), pick_zp(rng)
    act = int(rng.choice([0, 1, 3]))
    mb = ModelBuilder()
    x = mb.tensor([n, h, w, c], TT.INT8, in_s, in_zp)
    wt = mb.tensor([oc, kh, kw, c], TT.INT8, w_s, 0, data=rand_i8(rng, (oc, kh, kw, c)), qdim=0)
    ins = [x, wt]
    if rng.random() < 0.85:
        bias = rng.integers(-(1 << 14), 1 << 14, size=oc).astype(np.int32)
        ins.append(mb.tensor([oc], TT.INT32, in_s * w_s, 0, data=bias, qdim=0))
    else:
        ins.append(-1)
    y = mb.tensor([n, oh, ow, oc], TT.INT8, out_s, out_zp)
    mb.op(
        Op.CONV_2D,
        ins,
        [y],
        Opt.Conv2DOptions,
        options(
            fb.Conv2DOptionsT,
            padding=pad,
            strideW=sw,
            strideH=sh,
            fusedActivationFunction=act,
            dilationWFactor=dw,
            dilationHFactor=dh,
        ),
    )
    check(mce_run, tmp_path, mb.build([x], [y]), [rand_i8(rng, (n, h, w, c))])


@pytest.mark.parametrize("seed", SEEDS)
def test_depthwise_conv2d_matches_tflm_bit_for_bit_including_depth_multiplier_above_one(
    mce_run, tmp_path, seed
):
    rng = np.random.default_rng(2000 + seed)
    n, h, w, kh, kw, sh, sw, dh, dw, pad, oh, ow = spatial_case(rng)
    n = 1  # TFLM's depthwise reference handles batches, but keep cases small
    c, dm = int(rng.integers(1, 8)), int(rng.choice([1, 1, 2, 3]))
    oc = c * dm
    in_s, in_zp = float(logu(rng, 1e-3, 8.0)), pick_zp(rng)
    w_s = logu(rng, 1e-4, 0.2, size=oc)
    out_s, out_zp = requant_scales(rng, in_s, w_s, kh * kw), pick_zp(rng)
    act = int(rng.choice([0, 1, 3]))
    mb = ModelBuilder()
    x = mb.tensor([n, h, w, c], TT.INT8, in_s, in_zp)
    wt = mb.tensor([1, kh, kw, oc], TT.INT8, w_s, 0, data=rand_i8(rng, (1, kh, kw, oc)), qdim=3)
    bias = rng.integers(-(1 << 12), 1 << 12, size=oc).astype(np.int32)
    b = mb.tensor([oc], TT.INT32, in_s * w_s, 0, data=bias, qdim=0)
    y = mb.tensor([n, oh, ow, oc], TT.INT8, out_s, out_zp)
    mb.op(
        Op.DEPTHWISE_CONV_2D,
        [x, wt, b],
        [y],
        Opt.DepthwiseConv2DOptions,
        options(
            fb.DepthwiseConv2DOptionsT,
            padding=pad,
            strideW=sw,
            strideH=sh,
            depthMultiplier=dm,
            fusedActivationFunction=act,
            dilationWFactor=dw,
            dilationHFactor=dh,
        ),
    )
    check(mce_run, tmp_path, mb.build([x], [y]), [rand_i8(rng, (n, h, w, c))])


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_matches_tflm_bit_for_bit_per_tensor_and_per_channel(
    mce_run, tmp_path, seed
):
    rng = np.random.default_rng(3000 + seed)
    batches, depth, units = (
        int(rng.integers(1, 4)),
        int(rng.integers(1, 70)),
        int(rng.integers(1, 20)),
    )
    in_s, in_zp = float(logu(rng, 1e-3, 8.0)), pick_zp(rng)
    w_s = logu(rng, 1e-4, 0.2, size=units if seed % 2 else 1)  # odd seeds: per-channel
    out_s, out_zp = requant_scales(rng, in_s, w_s, depth), pick_zp(rng)
    act = int(rng.choice([0, 1, 3]))
    mb = ModelBuilder()
    x = mb.tensor([batches, depth], TT.INT8, in_s, in_zp)
    wt = mb.tensor([units, depth], TT.INT8, w_s, 0, data=rand_i8(rng, (units, depth)))
    ins = [x, wt]
    if rng.random() < 0.85:
        bias = rng.integers(-(1 << 14), 1 << 14, size=units).astype(np.int32)
        ins.append(mb.tensor([units], TT.INT32, in_s * w_s, 0, data=bias))
    else:
        ins.append(-1)
    y = mb.tensor([batches, units], TT.INT8, out_s, out_zp)
    mb.op(
        Op.FULLY_CONNECTED,
        ins,
        [y],
        Opt.FullyConnectedOptions,
        options(fb.FullyConnectedOptionsT, fusedActivationFunction=act),
    )
    check(mce_run, tmp_path, mb.build([x], [y]), [rand_i8(rng, (batches, depth))])


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_matches_tflm_bit_for_bit_with_padding_and_strides_beyond_the_window(
    mce_run, tmp_path, seed, kind
):
    rng = np.random.default_rng(4000 + seed)
    n, h, w, kh, kw, sh, sw, _, _, pad, oh, ow = spatial_case(rng)
    # TFLM pools use dilation 1; recompute the output with it
    oh, ow = out_size(pad, h, kh, sh), out_size(pad, w, kw, sw)
    if oh < 1 or ow < 1:
        pad, oh, ow = fb.Padding.SAME, out_size(0, h, kh, sh), out_size(0, w, kw, sw)
    c = int(rng.integers(1, 8))
    s, zp = float(logu(rng, 1e-3, 8.0)), pick_zp(rng)
    act = int(rng.choice([0, 1, 3]))
    mb = ModelBuilder()
    x = mb.tensor([n, h, w, c], TT.INT8, s, zp)
    y = mb.tensor([n, oh, ow, c], TT.INT8, s, zp)
    code = Op.AVERAGE_POOL_2D if kind == "avg" else Op.MAX_POOL_2D
    mb.op(
        code,
        [x],
        [y],
        Opt.Pool2DOptions,
        options(
            fb.Pool2DOptionsT,
            padding=pad,
            strideW=sw,
            strideH=sh,
            filterWidth=kw,
            filterHeight=kh,
            fusedActivationFunction=act,
        ),
    )
    check(mce_run, tmp_path, mb.build([x], [y]), [rand_i8(rng, (n, h, w, c))])


def bcast_shapes(rng):
    out = [int(v) for v in rng.integers(1, 7, size=int(rng.integers(1, 5)))]
    a, b = list(out), list(out)
    for d in range(len(out)):
        r = rng.random()
        if r < 0.25:
            a[d] = 1
        elif r < 0.5:
            b[d] = 1
    if rng.random() < 0.3:  # lower rank operand
        b = b[int(rng.integers(0, len(b))) :] or [1]
    return a, b, [max(p, q) for p, q in zip(a, [1] * (len(a) - len(b)) + b, strict=True)]


@pytest.mark.parametrize("kind", ["add", "mul"])
@pytest.mark.parametrize("seed", SEEDS)
def test_add_and_mul_match_tflm_bit_for_bit_with_broadcasting(mce_run, tmp_path, seed, kind):
    rng = np.random.default_rng(5000 + seed)
    sa, sb, so = bcast_shapes(rng)
    s1 = float(logu(rng, 1e-3, 4.0))
    s2 = float(s1 * (logu(rng, 0.1, 10.0) if rng.random() < 0.8 else logu(rng, 1e-3, 1e3)))
    if kind == "add":
        out_s = float(max(s1, s2) * logu(rng, 0.5, 4.0))
    else:
        out_s = float(s1 * s2 * 110 * logu(rng, 0.3, 4.0))
    act = int(rng.choice([0, 1, 3]))
    mb = ModelBuilder()
    a = mb.tensor(sa, TT.INT8, s1, pick_zp(rng))
    b = mb.tensor(sb, TT.INT8, s2, pick_zp(rng))
    y = mb.tensor(so, TT.INT8, out_s, pick_zp(rng))
    if kind == "add":
        mb.op(
            Op.ADD,
            [a, b],
            [y],
            Opt.AddOptions,
            options(fb.AddOptionsT, fusedActivationFunction=act),
        )
    else:
        mb.op(
            Op.MUL,
            [a, b],
            [y],
            Opt.MulOptions,
            options(fb.MulOptionsT, fusedActivationFunction=act),
        )
    check(mce_run, tmp_path, mb.build([a, b], [y]), [rand_i8(rng, sa), rand_i8(rng, sb)])


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_matches_tflm_reference_int8_softmax_bit_for_bit(mce_run, tmp_path, seed):
    rng = np.random.default_rng(6000 + seed)
    rows, depth = int(rng.integers(1, 5)), int(rng.choice([1, 2, 3, 10, 12, 33, 100]))
    in_s = float(logu(rng, 0.01, 0.3) if seed % 6 else logu(rng, 1e-3, 2.0))
    beta = float(rng.choice([1.0, 1.0, 0.5, 2.0]))
    mb = ModelBuilder()
    x = mb.tensor([rows, depth], TT.INT8, in_s, pick_zp(rng))
    y = mb.tensor([rows, depth], TT.INT8, 1.0 / 256, -128)
    mb.op(Op.SOFTMAX, [x], [y], Opt.SoftmaxOptions, options(fb.SoftmaxOptionsT, beta=beta))
    xin = rand_i8(rng, (rows, depth))
    if seed % 4 == 0:
        xin[:] = xin[0, 0]  # all-equal rows
    check(mce_run, tmp_path, mb.build([x], [y]), [xin])


@pytest.mark.parametrize("seed", range(8))
def test_quantize_and_dequantize_match_tflm_bit_for_bit(mce_run, tmp_path, seed):
    rng = np.random.default_rng(7000 + seed)
    shape = [1, int(rng.integers(1, 40))]
    s_in, s_out = float(logu(rng, 1e-3, 2.0)), float(logu(rng, 1e-3, 2.0))
    zp_in, zp_out = pick_zp(rng), pick_zp(rng)
    # float -> int8 -> int8 (requantize) -> float
    mb = ModelBuilder()
    f = mb.tensor(shape, TT.FLOAT32)
    q1 = mb.tensor(shape, TT.INT8, s_in, zp_in)
    q2 = mb.tensor(shape, TT.INT8, s_out, zp_out)
    g = mb.tensor(shape, TT.FLOAT32)
    mb.op(Op.QUANTIZE, [f], [q1])
    mb.op(Op.QUANTIZE, [q1], [q2])
    mb.op(Op.DEQUANTIZE, [q2], [g])
    xin = (rng.standard_normal(shape) * 200 * s_in).astype(np.float32)
    xin.flat[0] = 0.5 * s_in  # a tie
    check(mce_run, tmp_path, mb.build([f], [q1, q2, g]), [xin])


@pytest.mark.parametrize("seed", range(8))
def test_reshape_concatenation_and_pad_move_bytes_exactly_like_tflm(mce_run, tmp_path, seed):
    rng = np.random.default_rng(8000 + seed)
    h, w = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    c1, c2 = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    s, zp = float(logu(rng, 1e-2, 1.0)), pick_zp(rng)
    axis = int(rng.choice([1, 2, 3, -1]))
    sa, sb = [1, h, w, c1], [1, h, w, c1]
    ax = axis % 4
    sb[ax] = {1: h + 1, 2: w + 2, 3: c2}[ax]
    so = list(sa)
    so[ax] = sa[ax] + sb[ax]
    pads = rng.integers(0, 3, size=(4, 2)).astype(np.int32)
    pads[0] = 0
    sp = [d + int(p.sum()) for d, p in zip(so, pads, strict=True)]
    mb = ModelBuilder()
    a = mb.tensor(sa, TT.INT8, s, zp)
    b = mb.tensor(sb, TT.INT8, s, zp)
    cat = mb.tensor(so, TT.INT8, s, zp)
    pt = mb.tensor([4, 2], TT.INT32, data=pads)
    padded = mb.tensor(sp, TT.INT8, s, zp)
    shape_t = mb.tensor([2], TT.INT32, data=np.array([1, int(np.prod(sp))], dtype=np.int32))
    flat = mb.tensor([1, int(np.prod(sp))], TT.INT8, s, zp)
    mb.op(
        Op.CONCATENATION,
        [a, b],
        [cat],
        Opt.ConcatenationOptions,
        options(fb.ConcatenationOptionsT, axis=axis),
    )
    mb.op(Op.PAD, [cat, pt], [padded])
    mb.op(
        Op.RESHAPE,
        [padded, shape_t],
        [flat],
        Opt.ReshapeOptions,
        options(fb.ReshapeOptionsT, newShape=[1, int(np.prod(sp))]),
    )
    check(mce_run, tmp_path, mb.build([a, b], [flat]), [rand_i8(rng, sa), rand_i8(rng, sb)])


def test_unsupported_operator_is_reported_by_name_and_operator_index(mce_run, tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([1, 4], TT.INT8, 0.1, 0)
    y = mb.tensor([1, 4], TT.INT8, 0.1, 0)
    z = mb.tensor([1, 4], TT.INT8, 1.0 / 128, 0)
    mb.op(Op.RESHAPE, [x], [y])
    mb.op(Op.TANH, [y], [z])
    r = run_engine(mce_run, mb.build([x], [z]), None, tmp_path)
    assert r.returncode == 2
    assert "MCE_ERR_UNSUPPORTED_OP" in r.stderr
    assert "TANH" in r.stderr and "operator index 1" in r.stderr


def test_unsupported_tensor_type_is_reported_with_the_operator(mce_run, tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([1, 2, 2, 1], TT.INT16, 0.1, 0)
    y = mb.tensor([1, 1, 1, 1], TT.INT16, 0.1, 0)
    mb.op(
        Op.MAX_POOL_2D,
        [x],
        [y],
        Opt.Pool2DOptions,
        options(fb.Pool2DOptionsT, padding=1, strideW=2, strideH=2, filterWidth=2, filterHeight=2),
    )
    r = run_engine(mce_run, mb.build([x], [y]), None, tmp_path)
    assert r.returncode == 2
    assert "MCE_ERR_UNSUPPORTED_TYPE" in r.stderr and "operator index 0 (MAX_POOL_2D)" in r.stderr


@pytest.mark.parametrize("seed", range(6))
def test_power_of_two_rescales_produce_rounding_ties_that_round_exactly_like_tflm(
    mce_run, tmp_path, seed
):
    # in_scale * w_scale / out_scale = 2^-k exactly: the Q31 multiplier is 2^30, so about
    # half of the accumulators hit an exact tie in both rounding steps (positive and negative).
    rng = np.random.default_rng(9000 + seed)
    k = int(rng.integers(1, 9))
    depth, units = int(rng.integers(1, 9)), 64
    mb = ModelBuilder()
    x = mb.tensor([4, depth], TT.INT8, 0.5, pick_zp(rng))
    wt = mb.tensor([units, depth], TT.INT8, 2.0**-k, 0, data=rand_i8(rng, (units, depth)))
    b = mb.tensor(
        [units],
        TT.INT32,
        0.5 * 2.0**-k,
        0,
        data=rng.integers(-300, 300, size=units).astype(np.int32),
    )
    y = mb.tensor([4, units], TT.INT8, 1.0, int(rng.integers(-20, 20)))
    mb.op(
        Op.FULLY_CONNECTED,
        [x, wt, b],
        [y],
        Opt.FullyConnectedOptions,
        options(fb.FullyConnectedOptionsT),
    )
    check(mce_run, tmp_path, mb.build([x], [y]), [rand_i8(rng, (4, depth))])


@pytest.mark.parametrize("in_scale", [0.002, 0.01, 0.0390625, 0.06, 0.144693, 0.25, 0.5, 1.0, 3.0])
def test_softmax_matches_tflm_on_hundreds_of_rows_per_input_scale(mce_run, tmp_path, in_scale):
    rng = np.random.default_rng(int(in_scale * 1e6))
    rows, depth = 300, int(rng.integers(2, 40))
    mb = ModelBuilder()
    x = mb.tensor([rows, depth], TT.INT8, in_scale, int(rng.integers(-128, 128)))
    y = mb.tensor([rows, depth], TT.INT8, 1.0 / 256, -128)
    mb.op(Op.SOFTMAX, [x], [y], Opt.SoftmaxOptions, options(fb.SoftmaxOptionsT, beta=1.0))
    xin = rand_i8(rng, (rows, depth))
    xin[: rows // 3] //= 8  # narrower logit spreads: outputs spread over the whole int8 range
    check(mce_run, tmp_path, mb.build([x], [y]), [xin])


@pytest.mark.parametrize("in_scale", [0.001, 0.01, 0.03, 0.0625, 0.1, 0.25, 0.5, 1.0, 4.0])
def test_logistic_matches_tflm_reference_int8_logistic_on_every_input_value(
    mce_run, tmp_path, in_scale
):
    rng = np.random.default_rng(int(in_scale * 1e5))
    zp = pick_zp(rng)
    mb = ModelBuilder()
    x = mb.tensor([2, 256], TT.INT8, in_scale, zp)
    y = mb.tensor([2, 256], TT.INT8, 1.0 / 256, -128)
    mb.op(Op.LOGISTIC, [x], [y])
    every = np.arange(-128, 128, dtype=np.int8)
    check(mce_run, tmp_path, mb.build([x], [y]), [np.stack([every, every[::-1]])])
