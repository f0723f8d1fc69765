"""``mcusim profile MODEL --runner RUNNER.elf``: any firmware that follows the runner contract
(firmware_samples/apps/runner/mce_runner.h) runs the model; what breaks the contract, or does
not fit the runner's buffers, is refused with one line naming the file and exit 2.

The TFLM part needs a runner the user built from firmware_samples/apps/runner/tflm_runner.cc
(README, "A runner on your own TFLM build"): set MCUSIM_TFLM_RUNNER to its path (several paths
separated by os.pathsep), MCUSIM_TFLM_TARGET to its target (default mps2-an386).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from simtest import build_bare_m4, run_cli

from mcusim.tflite.model import load_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ELF = ROOT / "firmware_samples" / "elf"
SAMPLE_MODELS = ROOT / "firmware_samples" / "models"
SHARED = ROOT.parent / "shared" / "models"
needs_gcc = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc"
)


def _one_line_error(p) -> str:
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    return lines[0]


def test_our_runner_given_with_runner_gives_the_builtin_result(tmp_path):
    model = SAMPLE_MODELS / "digits.tflite"
    runs = {}
    for how, extra in (
        ("builtin", ("--kernels", "optimized")),
        ("runner", ("--runner", ELF / "apollo3" / "runner-opt.elf")),
    ):
        out = tmp_path / f"{how}.json"
        p = run_cli("profile", model, "--target", "apollo3", *extra, "--json", out, timeout=300)
        assert p.returncode == 0, p.stderr
        runs[how] = json.loads(out.read_text())
    a, b = runs["builtin"], runs["runner"]
    assert a["output_hex"] == b["output_hex"] and len(a["output_hex"]) == 20
    assert (a["cycles"], a["instructions"]) == (b["cycles"], b["instructions"])
    assert a["runner_status"] == b["runner_status"]
    ops_a = [(r["op"], r["cycles"], r["macs"]) for r in a["op_report"]["rows"]]
    ops_b = [(r["op"], r["cycles"], r["macs"]) for r in b["op_report"]["rows"]]
    assert ops_a == ops_b
    assert [o for o, _, _ in ops_a] == [o.op for o in load_model(model).operators]


def test_a_firmware_without_the_contract_symbols_is_refused_naming_them():
    elf = ELF / "mps2-an386" / "sine.elf"
    p = run_cli("profile", SAMPLE_MODELS / "sine.tflite", "--target", "mps2-an386", "--runner", elf)
    assert p.returncode == 2
    line = _one_line_error(p)
    assert str(elf) in line
    assert (
        "missing symbol(s) mce_runner_model, mce_runner_input, mce_runner_output, "
        "mce_runner_status" in line
    )


def test_a_model_larger_than_the_runners_model_buffer_is_refused():
    model = SAMPLE_MODELS / "kws.tflite"
    elf = ELF / "stm32f103" / "runner-ref.elf"
    p = run_cli("profile", model, "--target", "stm32f103", "--runner", elf)
    assert p.returncode == 2
    line = _one_line_error(p)
    need = 32 + model.stat().st_size
    assert f"{model}: model too large for runner runner-ref.elf: needs {need:,} B" in line
    assert "mce_runner_model holds 24,576 B" in line


@needs_gcc
def test_an_input_larger_than_the_runners_input_buffer_is_refused(tmp_path):
    elf = build_bare_m4(HERE / "runner" / "fake_runner.S", tmp_path / "fake.elf")
    model = SAMPLE_MODELS / "digits.tflite"  # 64 input bytes; the fake runner holds 16
    p = run_cli("profile", model, "--target", "mps2-an386", "--runner", elf)
    assert p.returncode == 2
    line = _one_line_error(p)
    assert f"{model}: input too large for runner fake.elf" in line
    assert "inputs take 64 B, mce_runner_input holds 16 B" in line


@needs_gcc
def test_a_host_written_buffer_in_bss_is_refused(tmp_path):
    elf = build_bare_m4(HERE / "runner" / "fake_runner.S", tmp_path / "bss.elf", "INPUT_IN_BSS")
    p = run_cli("profile", SAMPLE_MODELS / "sine.tflite", "--target", "mps2-an386", "--runner", elf)
    assert p.returncode == 2
    line = _one_line_error(p)
    assert f"{elf}: mce_runner_input is in .bss, which start-up code zeroes" in line


@needs_gcc
def test_a_host_written_buffer_in_the_heap_is_refused(tmp_path):
    # a linker script without .noinit puts .noinit.* after .bss, where newlib's heap starts
    elf = build_bare_m4(HERE / "runner" / "fake_runner.S", tmp_path / "heap.elf", "WITH_HEAP")
    p = run_cli("profile", SAMPLE_MODELS / "sine.tflite", "--target", "mps2-an386", "--runner", elf)
    assert p.returncode == 2
    line = _one_line_error(p)
    assert f"{elf}: mce_runner_model is in the heap (from 'end' = 0x" in line
    assert "where malloc may overwrite what mcusim wrote" in line
    # the same buffers above 'end' without _sbrk: no heap (our own runners are built so)
    elf = build_bare_m4(HERE / "runner" / "fake_runner.S", tmp_path / "ok.elf", "INPUT_BYTES=64")
    p = run_cli("profile", SAMPLE_MODELS / "sine.tflite", "--target", "mps2-an386", "--runner", elf)
    assert p.returncode == 1 and "never wrote mce_runner_status" in p.stderr


@needs_gcc
def test_a_runner_that_never_writes_its_status_fails_with_what_it_printed(tmp_path):
    elf = build_bare_m4(HERE / "runner" / "fake_runner.S", tmp_path / "f.elf", "INPUT_BYTES=1024")
    p = run_cli(
        "profile", SAMPLE_MODELS / "digits.tflite", "--target", "mps2-an386", "--runner", elf
    )
    assert p.returncode == 1
    line = _one_line_error(p)
    assert f"{elf}: the runner never wrote mce_runner_status" in line
    assert line.endswith(": fake runner: no engine here")


# -- a TFLM runner built by the user (tflm_runner.cc) ------------------------------------------
TFLM_RUNNERS = [Path(p) for p in os.environ.get("MCUSIM_TFLM_RUNNER", "").split(os.pathsep) if p]
TFLM_TARGET = os.environ.get("MCUSIM_TFLM_TARGET", "mps2-an386")
needs_tflm = pytest.mark.skipif(
    not TFLM_RUNNERS,
    reason="set MCUSIM_TFLM_RUNNER to a TFLM build of firmware_samples/apps/runner/tflm_runner.cc",
)
MODELS = ("kws_ref_model", "pretrainedResnet_quant", "ad01_int8")


@needs_tflm
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/models not present")
@pytest.mark.parametrize("runner", TFLM_RUNNERS, ids=lambda p: p.name)
@pytest.mark.parametrize("name", MODELS)
def test_every_shared_model_on_a_tflm_runner_matches_its_reference_op_by_op(name, runner, tmp_path):
    assert runner.is_file(), f"MCUSIM_TFLM_RUNNER: no file {runner}"
    path = SHARED / f"{name}.tflite"
    model = load_model(path)
    inputs = sorted(SHARED.glob(f"{name}_input*.npy"))
    assert inputs
    for x in inputs:
        out = tmp_path / f"{x.stem}.json"
        p = run_cli(
            "profile", path, "--target", TFLM_TARGET, "--runner", runner, "--input", x,
            "--json", out, timeout=900,
        )  # fmt: skip
        assert p.returncode == 0, p.stderr
        d = json.loads(out.read_text())
        expected = np.load(SHARED / x.name.replace("_input", "_output"))
        assert bytes.fromhex(d["output_hex"]) == expected.tobytes(), x.name
        rows = d["op_report"]["rows"]
        assert [r["op"] for r in rows] == [o.op for o in model.operators], x.name
        assert [r["macs"] for r in rows] == [o.macs for o in model.operators]
        assert all(r["cycles"] > 0 for r in rows)
        assert 0 < d["op_report"]["total"]["cycles"] < d["cycles"]
        mp = d["op_report"].get("micro_profiler")  # a runner built with -DMCE_RUNNER_PROFILE
        if mp and not mp["all_zero"]:  # ... and a timer: its ticks enclose our op cycles
            assert mp["matched"] == len(rows)
            assert all(0 <= r["fw_ticks"] - r["cycles"] < 1000 for r in rows), rows


@needs_tflm
@pytest.mark.parametrize("runner", TFLM_RUNNERS, ids=lambda p: p.name)
def test_an_op_the_tflm_runner_lacks_is_refused_with_tflms_own_message(runner):
    # digits.tflite has MAX_POOL_2D, which tflm_runner.cc does not register
    model = SAMPLE_MODELS / "digits.tflite"
    p = run_cli("profile", model, "--target", TFLM_TARGET, "--runner", runner, timeout=300)
    assert p.returncode == 2
    line = _one_line_error(p)
    assert f"{model}: runner {runner.name} could not load the model (status 4, stage init)" in line
    # TFLM's message; the 2020 releases add the op's version (" version '2'")
    message = line.split("stage init): ", 1)[-1]
    assert message.startswith("Didn't find op for builtin opcode 'MAX_POOL_2D'"), line


def test_a_zero_status_short_of_the_done_stage_is_a_failure_not_a_result():
    # the status word is written last: a runner that faulted in Invoke left it at 0
    from mcusim.config import load_target
    from mcusim.profile.runner import STATUS_MAGIC, RunnerLoader

    loader = RunnerLoader(b"", b"", None)
    loader.status = {"magic": STATUS_MAGIC, "status": 0, "stage": 3, "engine_status": 0}
    assert loader.error(load_target("mps2-an386")) == (
        "the runner stopped in stage 3 without finishing"
    )
    loader.status["stage"] = 4
    assert loader.error(load_target("mps2-an386")) is None
