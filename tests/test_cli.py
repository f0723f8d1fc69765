"""The command line as a user meets it: reports, JSON, budgets, exit codes and bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from simtest import elf, run_cli

HELLO = elf("apollo3", "hello")


def test_run_streams_the_console_then_prints_the_report():
    p = run_cli("run", HELLO, "--target", "apollo3")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.index("hello from the UART on apollo3") < out.index("instructions")
    for label in (
        "cycles",
        "CPI",
        "time at 48 MHz",
        "µJ",
        "mW",
        "flash used",
        "static RAM",
        "stack peak",
        "top functions by cycles",
    ):
        assert label in out
    assert "exit code 0" in p.stderr


def test_json_has_units_in_key_names_and_consistent_numbers(tmp_path):
    path = tmp_path / "r.json"
    p = run_cli("run", HELLO, "--target", "apollo3", "--json", path, "-q")
    assert p.returncode == 0, p.stderr
    d = json.loads(path.read_text())
    assert d["clock_hz"] == 48_000_000 and d["target"] == "apollo3"
    assert d["time_ms"] == pytest.approx(d["cycles"] / 48e6 * 1e3)
    assert d["energy_uj"] == pytest.approx(d["avg_power_mw"] * d["time_s"] * 1e3)
    assert d["footprint"]["flash_used_bytes"] > 0 and d["stack_peak_bytes"] > 0
    assert d["exit_reason"] == "exit" and d["mcusim_exit_code"] == 0
    assert d["top_functions"][0]["cycles"] > 0


def test_format_json_prints_only_json_on_stdout():
    p = run_cli("run", HELLO, "--target", "apollo3", "--format", "json")
    d = json.loads(p.stdout)
    assert d["console"].startswith("hello from semihosting on apollo3")
    assert "hello from the UART" in p.stderr


def test_quiet_prints_only_the_console_and_the_exit_line():
    p = run_cli("run", HELLO, "--target", "apollo3", "-q")
    assert p.stdout.splitlines()[0] == "hello from semihosting on apollo3"
    assert "instructions" not in p.stdout
    assert p.stderr.strip().endswith("(exit code 0)")


def test_exit_code_follows_the_firmware():
    p = run_cli("run", elf("mps2-an386", "exitcode"), "--target", "mps2-an386", "-q")
    assert p.returncode == 3


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize(("code", "process"), [(256, 1), (0x2000, 1), (300, 44), (-1, 255)])
def test_a_firmware_exit_code_a_process_cannot_hold_never_reads_as_success(tmp_path, code, process):
    """A process returns the low byte of its status: 256 (or a failure bit mask above bit 7)
    would be 0, a pass in CI. mcusim returns 1 for those, the low byte otherwise; the report
    and --json keep the firmware's own code."""
    from pathlib import Path

    from simtest import build_bare_m4

    here = Path(__file__).resolve().parent
    image = build_bare_m4(here / "exit" / "code.S", tmp_path / "c.elf", f"CODE={code}")
    p = run_cli(
        "run", str(image), "--target", "mps2-an386", "-q", "--json", str(tmp_path / "r.json")
    )
    assert p.returncode == process, p.stderr
    d = json.loads((tmp_path / "r.json").read_text())
    assert (d["exit_code"], d["mcusim_exit_code"]) == (code, process)
    assert (f"exit code {code} does not fit" in p.stderr) == (code != process)


def test_a_fault_exits_1_with_a_debugger_style_report():
    p = run_cli("run", elf("mps2-an386", "fault"), "--target", "mps2-an386")
    assert p.returncode == 1
    assert "HardFault" in p.stdout and "PC 0x" in p.stdout and "LR 0x" in p.stdout
    assert "stacked frame" in p.stdout and "Traceback" not in p.stdout + p.stderr


def test_a_budget_overrun_exits_1_with_a_one_line_reason():
    p = run_cli(
        "run", HELLO, "--target", "apollo3", "-q", "--budget", "cycles=1000,stack_bytes=4096"
    )
    assert p.returncode == 1
    assert "budget exceeded: cycles" in p.stderr and "> budget 1,000 cycles" in p.stderr
    assert "stack_bytes" not in p.stderr  # within budget


def test_a_budget_the_run_has_no_figure_for_fails_saying_why():
    # hello has no heap (no _sbrk); the MPS2 board has no power figures (energy shown as 0)
    mps2 = elf("mps2-an386", "hello")
    p = run_cli("run", mps2, "--target", "mps2-an386", "-q",
                "--budget", "heap_bytes=100,energy_uj=1000,stack_bytes=4096")  # fmt: skip
    assert p.returncode == 1
    assert "heap_bytes: the firmware has no heap to measure" in p.stderr
    assert "energy_uj: the target has no power figures" in p.stderr
    assert "stack_bytes" not in p.stderr  # measured, within budget
    p = run_cli("run", HELLO, "--target", "apollo3", "-q", "--budget", "energy_uj=1000")
    assert p.returncode == 0, p.stderr  # apollo3 has power figures: within budget
    ok = run_cli(
        "run", HELLO, "--target", "apollo3", "-q", "--budget", "cycles=1e9,flash_bytes=64k"
    )
    assert ok.returncode == 0


def test_max_cycles_gives_a_partial_report_and_exit_124():
    p = run_cli("run", elf("mps2-an386", "spin"), "--target", "mps2-an386", "--max-cycles", "1e5")
    assert p.returncode == 124
    assert "cycle limit" in p.stderr and "instructions" in p.stdout


def test_args_reach_the_firmware_command_line(tmp_path):
    # hello ignores its arguments; the semihosting command line is checked in the unit tests,
    # here the option must be accepted and the run unchanged.
    p = run_cli("run", HELLO, "--target", "apollo3", "-q", "--args", "a", "b")
    assert p.returncode == 0


def test_targets_lists_every_target_and_shows_one():
    p = run_cli("targets")
    for name in ("apollo3", "rp2040", "mps2-an386", "stm32f103"):
        assert name in p.stdout
    show = run_cli("targets", "show", "apollo3", "--clock-mode", "burst")
    assert "96 MHz" in show.stdout and "0x10000000" in show.stdout and "uart0" in show.stdout


def _one_error_line(p, code=2):
    assert p.returncode == code, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mcusim: error:"), p.stderr
    assert "Traceback" not in p.stderr
    return lines[0]


def test_missing_file(tmp_path):
    line = _one_error_line(run_cli("run", tmp_path / "nope.elf", "--target", "apollo3"))
    assert "nope.elf: file not found" in line


def test_not_an_elf(tmp_path):
    f = tmp_path / "fw.elf"
    f.write_text("hello")
    assert "fw.elf: not an ELF file" in _one_error_line(run_cli("run", f, "--target", "apollo3"))


def _patched(tmp_path, offset: int, data: bytes):
    f = tmp_path / "patched.elf"
    blob = bytearray(HELLO.read_bytes())
    blob[offset : offset + len(data)] = data
    f.write_bytes(bytes(blob))
    return f


def test_an_elf_for_another_architecture(tmp_path):
    f = _patched(tmp_path, 18, (62).to_bytes(2, "little"))
    assert "ELF for x86-64, not ARM" in _one_error_line(run_cli("run", f, "--target", "apollo3"))


def test_a_64_bit_or_big_endian_elf(tmp_path):
    assert "64-bit ELF" in _one_error_line(
        run_cli("run", _patched(tmp_path, 4, b"\x02"), "--target", "apollo3")
    )
    assert "big-endian" in _one_error_line(
        run_cli("run", _patched(tmp_path, 5, b"\x02"), "--target", "apollo3")
    )


@pytest.mark.parametrize("length", [30, 200, 1000])
def test_a_truncated_elf(tmp_path, length):
    f = tmp_path / "cut.elf"
    f.write_bytes(HELLO.read_bytes()[:length])
    line = _one_error_line(run_cli("run", f, "--target", "apollo3"))
    assert "cut.elf" in line and ("truncated" in line or "corrupt" in line)


def test_a_segment_outside_the_target_memory(tmp_path):
    line = _one_error_line(run_cli("run", elf("stm32f103", "hello"), "--target", "apollo3"))
    assert "segment 0" in line and "does not fit the memory of target 'apollo3'" in line


def test_an_unknown_target():
    line = _one_error_line(run_cli("run", HELLO, "--target", "apollo9"))
    assert "unknown target 'apollo9'" in line


def test_a_malformed_target_toml(tmp_path):
    f = tmp_path / "board.toml"
    f.write_text('schema = 1\nextends = "apollo3"\nclock_hz = "fast"\n')
    line = _one_error_line(run_cli("run", HELLO, "--target", f))
    assert "board.toml: clock_hz must be an integer" in line


def test_a_bad_option_value():
    assert "--max-cycles: 'lots' is not a number" in _one_error_line(
        run_cli("run", HELLO, "--target", "apollo3", "--max-cycles", "lots")
    )
    assert "--budget" in _one_error_line(
        run_cli("run", HELLO, "--target", "apollo3", "--budget", "speed=fast")
    )


def test_help_explains_units_and_exit_codes():
    p = run_cli("run", "--help")
    assert p.returncode == 0
    assert "exit codes" in p.stdout and "124" in p.stdout and "--semihosting-root" in p.stdout


def test_the_readme_commands_are_the_ones_ci_runs():
    from simtest import ROOT

    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    blocks = [b.split("```")[0].strip() for b in readme.split("```sh\n")[1:3]]
    assert "mcusim run" in blocks[0] and "--target apollo3" in blocks[0]
    assert "pytest" in blocks[1]
    assert blocks[0] in ci and blocks[1] in ci


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs the toolchain")
def test_the_toolchain_is_what_the_samples_record():
    import subprocess

    version = subprocess.run(
        ["arm-none-eabi-gcc", "--version"], capture_output=True, text=True
    ).stdout.splitlines()[0]
    from simtest import ROOT

    assert version.split()[-1] in (ROOT / "firmware_samples" / "README.md").read_text()


def test_several_images_and_targets_run_as_one_parallel_sweep(tmp_path):
    out = tmp_path / "sweep.json"
    p = run_cli(
        "run",
        elf("apollo3", "hello"),
        elf("apollo3", "exitcode"),
        "--target",
        "apollo3,apollo3",
        "--json",
        out,
        "-q",
    )
    doc = json.loads(out.read_text())
    assert [(r["image"].endswith("hello.elf"), r["exit_code"]) for r in doc["runs"]] == [
        (True, 0),
        (True, 0),
        (False, 3),
        (False, 3),
    ]
    assert doc["runs"][0]["result"]["cycles"] == doc["runs"][1]["result"]["cycles"] > 0
    assert p.returncode == 1 and doc["mcusim_exit_code"] == 1
    assert "2 of 4 runs exited 0" in p.stderr
