"""Our own .tflite reader: MACs, tensor sizes and arena plan of the MLPerf Tiny models, and
one-line errors (never a traceback) for malformed files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from simtest import run_cli

from mcusim.errors import InputError
from mcusim.tflite.model import load_model, parse_model

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
needs_models = pytest.mark.skipif(not MODELS.is_dir(), reason="../shared/models not present")

# (model, operators, MACs, input bytes, output bytes, activation arena bytes). The arena sizes
# are the ones the engine's planner and TFLM's planned head give (engine/README.md).
CASES = [
    ("kws_ref_model", 13, 2_656_768, 490, 12, 16_000),
    ("pretrainedResnet_quant", 16, 12_501_632, 3072, 10, 49_152),
    ("ad01_int8", 10, 264_192, 640, 640, 768),
]


@needs_models
@pytest.mark.parametrize(("name", "n_ops", "macs", "inb", "outb", "arena"), CASES)
def test_mlperf_models_give_known_macs_sizes_and_arena(name, n_ops, macs, inb, outb, arena):
    m = load_model(MODELS / f"{name}.tflite")
    assert len(m.operators) == n_ops
    assert m.total_macs == macs
    assert (m.input_bytes, m.output_bytes) == (inb, outb)
    assert m.arena_plan()[0] == arena


@needs_models
def test_first_kws_conv_macs_are_output_elements_times_filter_taps():
    m = load_model(MODELS / "kws_ref_model.tflite")
    op = m.operators[0]
    out = m.tensors[op.outputs[0]].shape  # [1, 25, 5, 64]
    assert tuple(out) == (1, 25, 5, 64)
    f = m.tensors[op.inputs[1]].shape  # [64, 10, 4, 1]
    assert op.op == "CONV_2D"
    assert op.macs == 25 * 5 * 64 * f[1] * f[2] * f[3] == 25 * 5 * 64 * 40


@needs_models
def test_arena_plan_never_overlaps_tensors_that_live_at_the_same_time():
    m = load_model(MODELS / "pretrainedResnet_quant.tflite")
    _, plan = m.arena_plan()
    for a in plan:
        for b in plan:
            if a is b or a.last_op < b.first_op or b.last_op < a.first_op:
                continue
            assert a.offset + a.bytes <= b.offset or b.offset + b.bytes <= a.offset


def test_not_a_model_and_truncated_files_give_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="too short"):
        parse_model(b"TFL3")
    with pytest.raises(InputError, match="not a TFLite model"):
        parse_model(b"\x00" * 64)
    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"\x10\x00\x00\x00TFL3" + b"\xff" * 8)
    p = run_cli("profile", bad, "--target", "apollo3")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "malformed model" in p.stderr


@needs_models
def test_corrupted_models_raise_input_error_or_parse_never_crash():
    data = (MODELS / "kws_ref_model.tflite").read_bytes()
    rng = random.Random(1)
    for _ in range(300):
        blob = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            blob[rng.randrange(0, 4096)] = rng.randrange(256)
        cut = rng.choice([len(blob), rng.randrange(8, len(blob))])
        try:
            parse_model(bytes(blob[:cut]))
        except InputError as e:
            assert "\n" not in e.message
