"""The engine's host build against the tflite-micro interpreter on the MLPerf Tiny models."""

import re

import numpy as np
import pytest
from mce_testlib import MODEL_NAMES, MODELS_DIR, run_engine, tflm_run

CASES = [(m, n) for m in MODEL_NAMES for n in range(4)]


def _load(model, n):
    x = np.load(MODELS_DIR / f"{model}_input{n}.npy")
    ref = np.load(MODELS_DIR / f"{model}_output{n}.npy")
    return (MODELS_DIR / f"{model}.tflite").read_bytes(), x, ref


@pytest.mark.parametrize("model,n", CASES)
def test_engine_output_equals_tflm_byte_for_byte_on_every_reference_input(
    mce_run, tmp_path, model, n
):
    blob, x, _ = _load(model, n)
    r = run_engine(mce_run, MODELS_DIR / f"{model}.tflite", [x], tmp_path)
    assert r.returncode == 0, r.stderr
    (oracle,) = tflm_run(blob, [x])
    assert r.output == oracle.astype(np.int8).tobytes()


@pytest.mark.parametrize("model,n", CASES)
def test_engine_output_also_equals_the_stored_npy_reference_output(mce_run, tmp_path, model, n):
    _, x, ref = _load(model, n)
    r = run_engine(mce_run, MODELS_DIR / f"{model}.tflite", [x], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.output == ref.astype(np.int8).tobytes()


def _arena_needed(stdout):
    return int(re.search(r"arena_needed=(\d+)", stdout).group(1))


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_engine_runs_in_exactly_the_arena_it_reports_and_fails_cleanly_one_byte_short(
    mce_run, tmp_path, model
):
    blob, x, ref = _load(model, 0)
    path = MODELS_DIR / f"{model}.tflite"
    need = _arena_needed(run_engine(mce_run, path, [x], tmp_path).stdout)
    ok = run_engine(mce_run, path, [x], tmp_path, arena=need)
    assert ok.returncode == 0 and ok.output == ref.astype(np.int8).tobytes()
    short = run_engine(mce_run, path, [x], tmp_path, arena=need - 1)
    assert short.returncode == 2
    assert "MCE_ERR_ARENA" in short.stderr
    assert _arena_needed(short.stdout) == need
    tiny = run_engine(mce_run, path, [x], tmp_path, arena=64)
    assert tiny.returncode == 2 and "MCE_ERR_ARENA" in tiny.stderr


# Planned activation bytes (TFLM's RecordingMicroAllocator "head", /work/shared/models/README.md)
TFLM_HEAD = {"kws_ref_model": 16000, "ad01_int8": 768, "pretrainedResnet_quant": 49152}


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_lifetime_planner_needs_no_more_activation_memory_than_tflm(mce_run, tmp_path, model):
    r = run_engine(mce_run, MODELS_DIR / f"{model}.tflite", None, tmp_path)
    activation = int(re.search(r"activation=(\d+)", r.stdout).group(1))
    assert r.returncode == 0
    assert activation <= TFLM_HEAD[model]
