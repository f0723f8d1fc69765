"""The engine's host build against the tflite-micro interpreter, on our own sample models and
on the MLPerf Tiny models of ../shared/models (those skip, with the reason, when absent)."""

import re

import numpy as np
import pytest
from mce_testlib import (
    MODEL_PARAMS,
    REFERENCE_PARAMS,
    model_path,
    reference_pair,
    run_engine,
    tflm_arena_head,
    tflm_run,
)


@pytest.mark.parametrize("model,n", REFERENCE_PARAMS)
def test_engine_output_equals_tflm_byte_for_byte_on_every_reference_input(
    mce_run, tmp_path, model, n
):
    x, _ = reference_pair(model, n)
    r = run_engine(mce_run, model_path(model), [x], tmp_path)
    assert r.returncode == 0, r.stderr
    (oracle,) = tflm_run(model_path(model).read_bytes(), [x])
    assert r.output == oracle.astype(np.int8).tobytes()


@pytest.mark.parametrize("model,n", REFERENCE_PARAMS)
def test_engine_output_also_equals_the_stored_reference_output(mce_run, tmp_path, model, n):
    x, ref = reference_pair(model, n)
    r = run_engine(mce_run, model_path(model), [x], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.output == ref.tobytes()


def _arena_needed(stdout):
    return int(re.search(r"arena_needed=(\d+)", stdout).group(1))


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_engine_runs_in_exactly_the_arena_it_reports_and_fails_cleanly_one_byte_short(
    mce_run, tmp_path, model
):
    x, ref = reference_pair(model)
    path = model_path(model)
    need = _arena_needed(run_engine(mce_run, path, [x], tmp_path).stdout)
    ok = run_engine(mce_run, path, [x], tmp_path, arena=need)
    assert ok.returncode == 0 and ok.output == ref.tobytes()
    short = run_engine(mce_run, path, [x], tmp_path, arena=need - 1)
    assert short.returncode == 2
    assert "MCE_ERR_ARENA" in short.stderr
    assert _arena_needed(short.stdout) == need
    tiny = run_engine(mce_run, path, [x], tmp_path, arena=64)
    assert tiny.returncode == 2 and "MCE_ERR_ARENA" in tiny.stderr


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_lifetime_planner_needs_no_more_activation_memory_than_tflm(mce_run, tmp_path, model):
    # TFLM's planned activation bytes (RecordingMicroAllocator "head"; for the shared models
    # the same figures are in ../shared/models/README.md: 16,000, 768 and 49,152 B).
    r = run_engine(mce_run, model_path(model), None, tmp_path)
    activation = int(re.search(r"activation=(\d+)", r.stdout).group(1))
    assert r.returncode == 0
    assert 0 < activation <= tflm_arena_head(model_path(model))
