"""MEAN (int8): single-op models, engine vs the tflite-micro interpreter, bit for bit.

The interpreter (tflite-micro commit 8f6596d) computes every int8 MEAN with one fixed-point
path, also when input and output quantization are equal: QuantizeMultiplier(in/out scale)
with the element count folded into the multiplier (truncated) and the shift. A plain rounded
division of the sum differs from it in about a fifth of the outputs, so the equal-quantization
cases below (with inputs clustered around the zero point to produce ties) pin that down.
"""

import re

import numpy as np
import pytest
from mce_testlib import TT, ModelBuilder, Op, Opt, fb, options, run_engine, tflm_run

SEEDS = range(40)


def logu(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def pick_zp(rng):
    if rng.random() < 0.3:
        return int(rng.choice([-128, 127]))
    return int(rng.integers(-128, 128))


def mean_model(shape, axes, keep, si, zi, so, zo, options_present=True):
    """One MEAN operator; returns (model bytes, output shape)."""
    rank = len(shape)
    red = {a % rank for a in axes}
    if keep:
        oshape = [1 if d in red else n for d, n in enumerate(shape)]
    else:
        oshape = [n for d, n in enumerate(shape) if d not in red]
    mb = ModelBuilder()
    x = mb.tensor(shape, TT.INT8, si, zi)
    a = mb.tensor([len(axes)], TT.INT32, data=np.array(axes, dtype=np.int32))
    y = mb.tensor(oshape, TT.INT8, so, zo)
    if options_present:
        mb.op(Op.MEAN, [x, a], [y], Opt.ReducerOptions, options(fb.ReducerOptionsT, keepDims=keep))
    else:
        mb.op(Op.MEAN, [x, a], [y])
    return mb.build([x], [y]), oshape


def inputs_for(rng, shape, zi, clustered):
    if clustered:  # values near the zero point: many sums land on rounding ties
        return np.clip(rng.integers(-3, 4, size=shape) + zi, -128, 127).astype(np.int8)
    return rng.integers(-128, 128, size=shape).astype(np.int8)


def check_mean(exe, tmp_path, model, x, oshape):
    ours = run_engine(exe, model, [x], tmp_path)
    assert ours.returncode == 0, ours.stderr
    want = np.asarray(tflm_run(model, [x])[0], dtype=np.int8)
    assert want.size == int(np.prod(oshape))
    got = np.frombuffer(ours.output, dtype=np.int8)
    assert got.tobytes() == want.tobytes(), (
        f"{int((got != want.reshape(-1)).sum())} of {want.size} outputs differ"
    )


def random_case(rng, seed):
    rank = int(rng.integers(1, 5))
    shape = [int(v) for v in rng.choice([1, 2, 3, 5, 7, 8, 11], size=rank)]
    k = int(rng.integers(1, rank + 1))
    axes = [int(a) for a in rng.choice(rank, size=k, replace=False)]
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]
    if rng.random() < 0.2:
        axes.append(axes[0])  # duplicates are allowed and count once
    keep = bool(rng.random() < 0.5)
    si, zi = logu(rng, 1e-3, 4.0), pick_zp(rng)
    if seed % 2 == 0:  # even seeds: input and output quantization are identical
        so, zo = si, zi
    else:
        so = si * (logu(rng, 0.2, 5.0) if rng.random() < 0.7 else logu(rng, 1e-3, 1e3))
        zo = pick_zp(rng)
    return shape, axes, keep, si, zi, so, zo


@pytest.mark.parametrize("seed", SEEDS)
def test_mean_over_random_axes_and_ranks_matches_tflm_bit_for_bit(mce_run, tmp_path, seed):
    rng = np.random.default_rng(11000 + seed)
    shape, axes, keep, si, zi, so, zo = random_case(rng, seed)
    model, oshape = mean_model(shape, axes, keep, si, zi, so, zo)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, zi, seed % 3 == 0), oshape)


@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("quant", ["equal", "different"])
@pytest.mark.parametrize("seed", range(4))
def test_spatial_mean_over_height_and_width_the_global_average_pooling_case_is_exact(
    mce_run, tmp_path, seed, quant, keep
):
    rng = np.random.default_rng(12000 + 10 * seed + (quant == "equal") * 2 + keep)
    n, h, w, c = (
        int(rng.integers(1, 3)),
        int(rng.choice([1, 3, 5, 7, 13])),
        int(rng.choice([1, 2, 5, 6, 13])),
        int(rng.choice([1, 3, 8, 17])),
    )
    si, zi = logu(rng, 1e-3, 2.0), pick_zp(rng)
    so, zo = (si, zi) if quant == "equal" else (si * logu(rng, 0.1, 10.0), pick_zp(rng))
    axes = [1, 2] if seed % 2 == 0 else [2, -3]
    model, oshape = mean_model([n, h, w, c], axes, keep, si, zi, so, zo)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, [n, h, w, c], zi, seed < 2), oshape)


@pytest.mark.parametrize("quant", ["equal", "different"])
def test_spatial_mean_of_a_large_feature_map_with_a_non_power_of_two_count_is_exact(
    mce_run, tmp_path, quant
):
    rng = np.random.default_rng(12500 + (quant == "equal"))
    shape = [1, 31, 29, 24]
    si, zi = 0.0235, -7
    so, zo = (si, zi) if quant == "equal" else (0.0117, 19)
    model, oshape = mean_model(shape, [1, 2], True, si, zi, so, zo)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, zi, False), oshape)


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1])
@pytest.mark.parametrize("keep", [True, False])
def test_mean_over_a_single_axis_of_a_4d_tensor_is_exact(mce_run, tmp_path, axis, keep):
    rng = np.random.default_rng(13000 + 2 * (axis % 4) + keep)
    shape = [3, 5, 7, 9]
    si, zi, so, zo = 0.04, pick_zp(rng), 0.03, pick_zp(rng)
    model, oshape = mean_model(shape, [axis], keep, si, zi, so, zo)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, zi, False), oshape)


@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("quant", ["equal", "different"])
def test_mean_over_all_axes_gives_one_value_equal_to_tflm(mce_run, tmp_path, keep, quant):
    rng = np.random.default_rng(14000 + 2 * keep + (quant == "equal"))
    shape = [2, 3, 5, 7]
    si, zi = 0.1, 5
    so, zo = (si, zi) if quant == "equal" else (0.013, -100)
    model, oshape = mean_model(shape, [3, 0, 2, 1], keep, si, zi, so, zo)
    assert int(np.prod(oshape)) == 1
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, zi, quant == "equal"), oshape)


@pytest.mark.parametrize(
    "zi,zo,fill",
    [(-128, -128, 127), (127, 127, -128), (-128, 127, 127), (127, -128, -128), (-128, 127, -128)],
)
@pytest.mark.parametrize("ratio", [1.0, 0.37, 3.1])
def test_extreme_zero_points_and_saturating_outputs_match_tflm(
    mce_run, tmp_path, zi, zo, fill, ratio
):
    rng = np.random.default_rng(15000 + zi + 2 * zo + fill)
    shape = [1, 4, 6, 5]
    model, oshape = mean_model(shape, [1, 2], False, 0.05, zi, 0.05 / ratio, zo)
    x = np.full(shape, fill, dtype=np.int8)
    x[0, 0, 0, :] = rng.integers(-128, 128, size=5)  # one channel row differs from the fill
    check_mean(mce_run, tmp_path, model, x, oshape)


@pytest.mark.parametrize("ratio", [2.0**-40, 1e-9, 1e-4, 2.0**-31, 1e4, 3e6, 2.0**31])
def test_extreme_scale_ratios_round_like_tflm_including_a_multiplier_flushed_to_zero(
    mce_run, tmp_path, ratio
):
    rng = np.random.default_rng(16000 + int(np.log2(ratio) + 64))
    shape = [2, 3, 3, 4]
    model, oshape = mean_model(shape, [1, 2], True, 0.5, 3, 0.5 / ratio, -11)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, 3, ratio > 1), oshape)


@pytest.mark.parametrize(
    "shape,axes,keep",
    [
        ([2, 3, 4, 5, 3], [1, 3], True),  # 5-D, reduced groups separated by kept ones
        ([2, 3, 4, 5, 3], [0, 4], False),
        ([3, 4], [], True),  # no axes: a requantizing copy
        ([3, 4], [1, 1, -1], False),  # duplicate axes
        ([13], [0], False),  # 1-D to a scalar
        ([1, 1, 9, 1], [0, 1, 3], True),  # only size-1 dimensions reduced
    ],
)
def test_mean_on_unusual_ranks_and_axis_lists_matches_tflm(mce_run, tmp_path, shape, axes, keep):
    rng = np.random.default_rng(17000 + len(shape) * 10 + len(axes))
    model, oshape = mean_model(shape, axes, keep, 0.1, -3, 0.07, 9)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, shape, -3, False), oshape)


def test_mean_without_builtin_options_defaults_to_dropping_the_reduced_dimensions(
    mce_run, tmp_path
):
    rng = np.random.default_rng(17500)
    model, oshape = mean_model([2, 5, 3], [1], False, 0.2, 4, 0.1, -4, options_present=False)
    check_mean(mce_run, tmp_path, model, inputs_for(rng, [2, 5, 3], 4, False), oshape)


@pytest.mark.parametrize("seed", range(6))
def test_sanitizer_build_runs_random_mean_cases_cleanly_and_exactly(mce_run_asan, tmp_path, seed):
    rng = np.random.default_rng(18000 + seed)
    shape, axes, keep, si, zi, so, zo = random_case(rng, seed)
    model, oshape = mean_model(shape, axes, keep, si, zi, so, zo)
    check_mean(mce_run_asan, tmp_path, model, inputs_for(rng, shape, zi, False), oshape)


def test_mean_needs_no_scratch_only_its_input_and_output_in_the_arena(mce_run, tmp_path):
    shape = [1, 7, 7, 40]
    model, oshape = mean_model(shape, [1, 2], True, 0.02, 0, 0.01, 0)
    r = run_engine(mce_run, model, None, tmp_path)
    assert r.returncode == 0, r.stderr
    activation = int(re.search(r"activation=(\d+)", r.stdout).group(1))
    need = int(re.search(r"arena_needed=(\d+)", r.stdout).group(1))
    assert activation == 1968 + 48  # 1960 B input and 40 B output, each rounded up to 16 B
    x = np.arange(7 * 7 * 40, dtype=np.int64).astype(np.int8).reshape(shape)
    assert run_engine(mce_run, model, [x], tmp_path, arena=need).returncode == 0
    short = run_engine(mce_run, model, [x], tmp_path, arena=need - 1)
    assert short.returncode == 2 and "MCE_ERR_ARENA" in short.stderr


def _refused(mce_run, tmp_path, model):
    r = run_engine(mce_run, model, None, tmp_path)
    assert r.returncode == 2
    assert "operator index 0 (MEAN)" in r.stderr
    return r.stderr


def test_mean_axis_outside_the_input_rank_is_refused_as_a_shape_error(mce_run, tmp_path):
    model, _ = mean_model([2, 3], [0], True, 0.1, 0, 0.1, 0)
    mb = ModelBuilder()
    x = mb.tensor([2, 3], TT.INT8, 0.1, 0)
    a = mb.tensor([1], TT.INT32, data=np.array([2], dtype=np.int32))
    y = mb.tensor([2, 3], TT.INT8, 0.1, 0)
    mb.op(Op.MEAN, [x, a], [y], Opt.ReducerOptions, options(fb.ReducerOptionsT, keepDims=True))
    err = _refused(mce_run, tmp_path, mb.build([x], [y]))
    assert "MCE_ERR_SHAPE" in err and "MEAN axis out of range" in err


def test_mean_with_axes_computed_at_run_time_is_refused(mce_run, tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([2, 3], TT.INT8, 0.1, 0)
    a = mb.tensor([1], TT.INT32)
    y = mb.tensor([2], TT.INT8, 0.1, 0)
    mb.op(Op.MEAN, [x, a], [y], Opt.ReducerOptions, options(fb.ReducerOptionsT))
    err = _refused(mce_run, tmp_path, mb.build([x, a], [y]))
    assert "MCE_ERR_SHAPE" in err and "MEAN axes must be a constant" in err


def test_mean_with_a_keep_dims_output_of_the_wrong_shape_is_refused(mce_run, tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([2, 3, 4], TT.INT8, 0.1, 0)
    a = mb.tensor([1], TT.INT32, data=np.array([1], dtype=np.int32))
    y = mb.tensor([2, 4], TT.INT8, 0.1, 0)
    mb.op(Op.MEAN, [x, a], [y], Opt.ReducerOptions, options(fb.ReducerOptionsT, keepDims=True))
    err = _refused(mce_run, tmp_path, mb.build([x], [y]))
    assert "MCE_ERR_SHAPE" in err and "keep_dims" in err


def test_mean_whose_combined_shift_exceeds_30_is_refused_as_out_of_range(mce_run, tmp_path):
    # scale ratio 2^31 and one element per output: shift 32 (2^31 over 4 elements: 30, runs)
    model, _ = mean_model([1, 1, 1, 3], [1, 2], True, 1.0, 0, 2.0**-31, 0)
    err = _refused(mce_run, tmp_path, model)
    assert "MCE_ERR_QUANT" in err and "MEAN input/output scale ratio" in err


def test_mean_on_int16_tensors_is_refused_as_an_unsupported_type(mce_run, tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([2, 3], TT.INT16, 0.1, 0)
    a = mb.tensor([1], TT.INT32, data=np.array([1], dtype=np.int32))
    y = mb.tensor([2], TT.INT16, 0.1, 0)
    mb.op(Op.MEAN, [x, a], [y], Opt.ReducerOptions, options(fb.ReducerOptionsT))
    err = _refused(mce_run, tmp_path, mb.build([x], [y]))
    assert "MCE_ERR_UNSUPPORTED_TYPE" in err and "MEAN input must be int8" in err
