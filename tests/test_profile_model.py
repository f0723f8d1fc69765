"""``mcusim profile MODEL.tflite``: the runner firmware gets the model and input through the
probe, the output matches the reference, per-op rows carry the model's MACs, and models that
do not fit are refused with the shortfall."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from simtest import run_cli

from mcusim.tflite.model import load_model

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
pytestmark = pytest.mark.skipif(not MODELS.is_dir(), reason="../shared/models not present")
AD = MODELS / "ad01_int8.tflite"


def test_profile_runs_the_ad_model_on_apollo3_bit_exact_with_macs_per_op(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli(
        "profile", AD, "--target", "apollo3", "--input", MODELS / "ad01_int8_input0.npy",
        "--check", "--json", out, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    expected = np.load(MODELS / "ad01_int8_output0.npy")
    assert bytes.fromhex(d["output_hex"]) == expected.tobytes()
    assert d["check_ok"] is True
    assert "matches the tflite-micro interpreter" in p.stdout
    model = load_model(AD)
    rows = d["op_report"]["rows"]
    assert [r["op"] for r in rows] == [o.op for o in model.operators]
    assert [r["macs"] for r in rows] == [o.macs for o in model.operators]
    assert d["op_report"]["total"]["macs"] == model.total_macs == 264_192
    for r in rows:
        assert r["cycles_per_mac"] == pytest.approx(r["cycles"] / r["macs"])
        assert r["energy_uj"] == pytest.approx(0.9504 * r["cycles"] / 48e6 * 1e3)  # 6 µA/MHz
        assert r["arena_bytes_changed"] <= 640 and r["stack_peak_bytes"] > 0
    assert "per op type" in p.stdout and "FULLY_CONNECTED" in p.stdout


def test_seeded_random_input_is_said_in_the_report():
    p = run_cli("profile", AD, "--target", "apollo3", timeout=300)
    assert p.returncode == 0, p.stderr
    assert "seeded random input (numpy default_rng(0), int8 [1, 640])" in p.stdout


def test_a_model_larger_than_the_flash_region_is_refused_by_how_much():
    kws = MODELS / "kws_ref_model.tflite"
    p = run_cli("profile", kws, "--target", "stm32f103")
    assert p.returncode == 2
    need = 32 + kws.stat().st_size
    assert "does not fit the flash of 'stm32f103'" in p.stderr
    assert f"needs {need:,} B" in p.stderr and "too many" in p.stderr


def test_a_model_whose_arena_does_not_fit_is_refused_by_how_much():
    p = run_cli("profile", MODELS / "pretrainedResnet_quant.tflite", "--target", "efm32wg")
    assert p.returncode == 2
    assert "arena does not fit" in p.stderr and "49,152 B" in p.stderr and "over" in p.stderr


def test_input_of_the_wrong_size_is_a_usage_error(tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros(10, dtype=np.int8))
    p = run_cli("profile", AD, "--target", "apollo3", "--input", x)
    assert p.returncode == 2 and "has 10 values" in p.stderr
