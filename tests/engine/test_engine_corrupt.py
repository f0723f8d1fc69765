"""Corrupt models: truncated or bit-flipped .tflite files must give an error code, never a crash.

Each case runs the host harness (init + invoke with zero inputs). A clean outcome is exit 0
(the corruption hit weights or left a still-valid model), 2 (mce_init refused it) or 3
(mce_invoke refused it); a signal (negative return code) is a crash. The sanitizer build also
fails the case on any AddressSanitizer/UBSan report.
"""

import os
import zlib

import numpy as np
import pytest
from mce_testlib import (
    MODEL_PARAMS,
    buffer_data_ranges,
    model_path,
    reference_pair,
    run_engine,
)

CLEAN_EXITS = {0, 2, 3}
SAN_ENV = dict(
    os.environ,
    ASAN_OPTIONS="detect_leaks=0:exitcode=99:abort_on_error=0",
    UBSAN_OPTIONS="halt_on_error=1:exitcode=98:print_stacktrace=1",
)


def structural_positions(blob: bytes) -> np.ndarray:
    """Byte positions outside the weight buffers: tables, vtables, vectors, offsets."""
    mask = np.ones(len(blob), dtype=bool)
    for start, end in buffer_data_ranges(blob):
        mask[start:end] = False
    return np.flatnonzero(mask)


def corrupt_variants(blob: bytes, seed: int, n_flips: int, n_multi: int):
    rng = np.random.default_rng(seed)
    n = len(blob)
    for cut in sorted({0, 3, 4, 7, 8, 16, 64, n // 4, n // 2, n - 16, n - 1}):
        yield f"truncated to {cut} bytes", blob[:cut]
    pos = structural_positions(blob)
    for _ in range(n_flips):  # one bit in the metadata
        p = int(rng.choice(pos))
        b = bytearray(blob)
        b[p] ^= 1 << int(rng.integers(0, 8))
        yield f"bit flip at {p}", bytes(b)
    for _ in range(n_multi):  # several random bytes anywhere, incl. weights
        b = bytearray(blob)
        for p in rng.integers(0, n, size=8):
            b[int(p)] = int(rng.integers(0, 256))
        yield "8 random bytes", bytes(b)
    for _ in range(n_multi):  # 32-bit offsets/lengths replaced by extreme values
        b = bytearray(blob)
        p = int(rng.choice(pos[pos < n - 4]))
        b[p : p + 4] = int(rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, n, n - 4])).to_bytes(
            4, "little"
        )
        yield f"extreme u32 at {p}", bytes(b)


def _run_cases(exe, tmp_path, model, n_flips, n_multi, env=None, san=False):
    blob = model_path(model).read_bytes()
    outcomes = {}
    for what, data in corrupt_variants(blob, zlib.crc32(model.encode()), n_flips, n_multi):
        r = run_engine(exe, data, None, tmp_path, env=env)
        assert r.returncode in CLEAN_EXITS, f"{what}: exit {r.returncode}\n{r.stderr[-2000:]}"
        if san:
            assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, (
                f"{what}:\n{r.stderr[-3000:]}"
            )
        outcomes[r.returncode] = outcomes.get(r.returncode, 0) + 1
    return outcomes


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_truncated_and_bit_flipped_models_return_an_error_code_and_never_crash(
    mce_run, tmp_path, model
):
    outcomes = _run_cases(mce_run, tmp_path, model, n_flips=150, n_multi=25)
    assert outcomes.get(2, 0) > 0  # the corruptions are really detected, not just survived


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_corrupt_models_trigger_no_address_or_undefined_behaviour_sanitizer_report(
    mce_run_asan, tmp_path, model
):
    outcomes = _run_cases(
        mce_run_asan, tmp_path, model, n_flips=40, n_multi=8, env=SAN_ENV, san=True
    )
    assert outcomes.get(2, 0) > 0


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_sanitizer_build_runs_the_intact_model_cleanly(mce_run_asan, tmp_path, model):
    x, ref = reference_pair(model)
    r = run_engine(mce_run_asan, model_path(model), [x], tmp_path, env=SAN_ENV)
    assert r.returncode == 0, r.stderr
    assert r.output == ref.tobytes()


def test_an_empty_or_garbage_buffer_is_rejected_as_a_malformed_model(mce_run, tmp_path):
    for blob in (b"", b"\x00" * 8, b"\xff" * 64, bytes(range(256)) * 4):
        r = run_engine(mce_run, blob, None, tmp_path)
        assert r.returncode == 2
        assert "MCE_ERR_MODEL" in r.stderr or "MCE_ERR_VERSION" in r.stderr
