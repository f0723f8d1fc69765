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
    "benchmarks built for mps2-an386) to check the README's Embench table",
)
def test_embench_geometric_mean_is_within_2_percent_of_the_hardware():
    p = subprocess.run(
        [sys.executable, str(ROOT / "cost_models" / "validation" / "embench.py"),
         "--embench", EMBENCH, "--elf-dir", EMBENCH_ELFS, "--json", "/dev/stdout"],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    geo = float(p.stdout.split("geometric mean ratio ")[1].split()[0])
    assert abs(geo - 1) <= 0.02
    assert Path(EMBENCH).is_dir()
