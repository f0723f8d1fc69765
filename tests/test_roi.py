"""--roi: cycles and instructions between two functions' entries, and the Embench harness
(cost_models/validation/embench.py) that uses it, on our own micro-benchmark ELF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from simtest import ROOT, elf, run_cli

MICRO = elf("mps2-an386", "microbench")


def test_roi_reports_the_cycles_and_instructions_between_two_function_entries(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", MICRO, "--target", "mps2-an386", "--roi", "bench_alu10,bench_ldr3",
                "--json", out)  # fmt: skip
    assert p.returncode == 0, p.stderr
    roi = json.loads(out.read_text())["extensions"]["roi"]
    # bench_alu10 itself, then report() printing its line through semihosting: more than the
    # 10 ADDS, far less than the whole run
    whole = json.loads(out.read_text())
    assert 10 < roi["instructions"] < whole["instructions"] / 4
    assert roi["instructions"] < roi["cycles"] < whole["cycles"]
    assert "region bench_alu10 -> bench_ldr3" in p.stdout


def test_roi_with_an_unknown_symbol_is_one_line_and_exit_2():
    p = run_cli("run", MICRO, "--target", "mps2-an386", "--roi", "start_trigger,stop_trigger")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"mcusim: error: {MICRO}: --roi: no symbol 'start_trigger' in the ELF"
    ]


def test_roi_that_is_never_reached_says_so(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", MICRO, "--target", "mps2-an386", "--roi", "bench_ldr3,bench_alu10",
                "--json", out)  # fmt: skip
    assert p.returncode == 0
    roi = json.loads(out.read_text())["extensions"]["roi"]
    assert roi["error"] == "'bench_alu10' was never reached"


def test_stop_at_ends_the_run_where_a_breakpoint_would(tmp_path):
    out = tmp_path / "r.json"
    whole = run_cli("run", MICRO, "--target", "mps2-an386", "-q")
    p = run_cli("run", MICRO, "--target", "mps2-an386", "--stop-at", "bench_ldr3",
                "--json", out)  # fmt: skip
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    assert r["exit_reason"] == "stop_at"
    assert "reached bench_ldr3 (--stop-at)" in p.stderr
    # the lines printed before bench_ldr3 ran, none after: a prefix of the whole run's console
    assert whole.stdout.startswith(r["console"]) and 0 < len(r["console"]) < len(whole.stdout)


def test_stop_at_an_unknown_symbol_is_one_line_and_exit_2():
    p = run_cli("run", MICRO, "--target", "mps2-an386", "--stop-at", "AtExit")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"mcusim: error: {MICRO}: --stop-at: no symbol 'AtExit' in the ELF"
    ]


def _text_bytes(elf_path) -> int:
    """Allocated executable PROGBITS bytes, read from objdump's section table (not from the
    harness's own reader)."""
    p = subprocess.run(["arm-none-eabi-objdump", "-h", str(elf_path)], capture_output=True,
                       text=True, check=True)  # fmt: skip
    lines, total = p.stdout.splitlines(), 0
    for head, flags in zip(lines, lines[1:], strict=False):
        cols = head.split()
        if len(cols) >= 7 and cols[0].isdigit():
            f = {x.strip() for x in flags.split(",")}
            if {"ALLOC", "CODE", "CONTENTS"} <= f and "DATA" not in f:
                total += int(cols[2], 16)
    return total


@pytest.mark.skipif(not shutil.which("arm-none-eabi-objdump"), reason="needs binutils")
def test_embench_harness_cross_checks_code_size_against_size_json(tmp_path):
    # alpha's size.json entry is its text less the dummy's (so "same"), beta's is 4 bytes off
    checkout, speed, size = tmp_path / "embench", tmp_path / "speed", tmp_path / "size"
    (checkout / "baseline-data").mkdir(parents=True)
    (checkout / "baseline-data" / "speed.json").write_text('{"alpha": 1, "beta": 1}')
    dummy = elf("mps2-an386", "exitcode")
    text = _text_bytes(MICRO) - _text_bytes(dummy)
    sizes = {"alpha": {"text": text}, "beta": {"text": text + 4}}
    (checkout / "baseline-data" / "size.json").write_text(json.dumps(sizes))
    for name, src in (("alpha", MICRO), ("beta", MICRO), ("dummy-benchmark", dummy)):
        for d in (speed, size):
            (d / name).mkdir(parents=True)
            shutil.copy(src, d / name / name)  # Embench's own layout: DIR/<name>/<name>
    rows_file = tmp_path / "rows.json"
    p = subprocess.run(
        [sys.executable, str(ROOT / "cost_models" / "validation" / "embench.py"),
         "--embench", checkout, "--elf-dir", speed, "--size-dir", size,
         "--roi", "bench_alu10,bench_ldr3", "--json", rows_file, "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(rows_file.read_text())}
    assert rows["alpha"]["code_size"] == rows["alpha"]["reference_code_size"] == text
    assert rows["beta"]["code_size"] == text and rows["beta"]["reference_code_size"] == text + 4
    assert f"{text:,} ({text + 4:,})" in p.stdout and "same" in p.stdout
    assert "1 of 2 with the reference's code size" in p.stdout


def test_embench_harness_tabulates_ratios_against_a_speed_json(tmp_path):
    # Two "benchmarks" (copies of the micro-benchmark ELF) and a speed.json giving each 1 ms
    # at 16 MHz (16,000 cycles): the ratio is the measured region over 16,000.
    checkout, builds = tmp_path / "embench", tmp_path / "build"
    (checkout / "baseline-data").mkdir(parents=True)
    (checkout / "baseline-data" / "speed.json").write_text('{"alpha": 1, "beta": 1}')
    for name in ("alpha", "beta"):
        (builds / name).mkdir(parents=True)
        shutil.copy(MICRO, builds / name / f"{name}.elf")
    rows_file = tmp_path / "rows.json"
    p = subprocess.run(
        [sys.executable, str(ROOT / "cost_models" / "validation" / "embench.py"),
         "--embench", checkout, "--elf-dir", builds, "--roi", "bench_alu10,bench_ldr3",
         "--json", rows_file, "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    rows = json.loads(rows_file.read_text())
    assert [r["published_cycles"] for r in rows] == [16_000, 16_000]
    assert rows[0]["cycles"] == rows[1]["cycles"] > 0
    assert rows[0]["ratio"] == rows[0]["cycles"] / 16_000
    assert "2 benchmarks: geometric mean ratio" in p.stdout


EMBENCH = os.environ.get("MCUSIM_EMBENCH")
EMBENCH_ELFS = os.environ.get("MCUSIM_EMBENCH_ELFS")


@pytest.mark.slow
@pytest.mark.skipif(
    not (EMBENCH and EMBENCH_ELFS),
    reason="set MCUSIM_EMBENCH (an embench-iot checkout) and MCUSIM_EMBENCH_ELFS (its "
    "benchmarks built with its own STM32F407 board support) to check the README's Embench "
    "table",
)
def test_embench_geometric_mean_is_within_2_percent_of_the_hardware():
    p = subprocess.run(
        [sys.executable, str(ROOT / "cost_models" / "validation" / "embench.py"),
         "--embench", EMBENCH, "--elf-dir", EMBENCH_ELFS, "--json", "/dev/stdout",
         "--target", "stm32f407", "--stop-at", "AtExit"],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    geo = float(p.stdout.split("geometric mean ratio ")[1].split()[0])
    assert abs(geo - 1) <= 0.02
    assert Path(EMBENCH).is_dir()
