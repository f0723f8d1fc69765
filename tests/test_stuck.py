"""Firmware that can never go on is told at once: a spin with interrupts masked is halted, a
wait on a register nothing models is 'stuck' (exit 3), naming the register, PC and symbol."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from simtest import build_bare_m4, run_cli

SRC = Path(__file__).resolve().parent / "stuck" / "stuck.S"
pytestmark = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc to build"
)


def build(variant: str, tmp_path: Path) -> Path:
    return build_bare_m4(SRC, tmp_path / f"{variant.lower()}.elf", variant)


def test_a_spin_with_interrupts_masked_halts_at_once_with_pc_and_symbol(tmp_path):
    p = run_cli("run", build("MASKED_SPIN", tmp_path), "--target", "mps2-an386", "-q")
    assert p.returncode == 0, p.stderr
    assert "halted: branch-to-self at 0x" in p.stderr and "(Error_Handler)" in p.stderr
    assert "interrupts masked" in p.stderr


def test_the_same_spin_with_interrupts_enabled_keeps_taking_the_tick(tmp_path):
    p = run_cli("run", build("UNMASKED", tmp_path), "--target", "mps2-an386",
                "--max-cycles", "100000", "--format", "json")  # fmt: skip
    assert p.returncode == 124, p.stderr
    # a tick every 1,000 cycles (RVR 999) for 100,000 cycles
    assert json.loads(p.stdout)["exceptions_taken"]["SysTick"] in (99, 100)


def test_polling_an_unmodelled_register_stops_as_stuck_with_exit_3(tmp_path):
    p = run_cli("run", build("POLL", tmp_path), "--target", "mps2-an386", "-q")
    assert p.returncode == 3, p.stderr
    line = p.stderr.strip().splitlines()[-1]
    assert "stuck: the firmware polls 0x40021000, a register nothing models at 0x" in line
    assert "(reset+0x" in line and "100,000 reads in a row returned 0x0" in line


def test_polling_a_modelled_register_that_never_changes_is_stuck_too(tmp_path):
    p = run_cli("run", build("POLL_UART", tmp_path), "--target", "mps2-an386", "-q",
                "--poll-limit", "5000")  # fmt: skip
    assert p.returncode == 3, p.stderr
    line = p.stderr.strip().splitlines()[-1]
    assert "stuck: the firmware polls 0x40004004 (uart0 +0x4) at 0x" in line
    assert "5,000 reads in a row returned 0x0" in line


def test_poll_limit_0_lets_it_spin_until_the_cycle_limit(tmp_path):
    p = run_cli("run", build("POLL", tmp_path), "--target", "mps2-an386", "-q",
                "--poll-limit", "0", "--max-cycles", "2000000")  # fmt: skip
    assert p.returncode == 124, p.stderr
