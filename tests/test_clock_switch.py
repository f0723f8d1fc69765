"""The clock the firmware configures is the clock mcusim uses: a firmware that switches its
core from MSI (4 MHz) to the PLL (120 MHz) gets its time and energy per clock segment, checked
against the arithmetic done here, and a clock its flash wait states do not allow is a warning.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from simtest import build_bare_m4

from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc to build"
)
V, UA_PER_MHZ, SLEEP_UA = 3.0, 100.0, 50.0  # the test board's power figures

BOARD = """schema = 1
extends = "mps2-an386"
name = "clocked"
clock_hz = 120000000
[[memory]]
name = "ssram1"
wait_states = {ws}
[[peripheral]]
name = "rcc"
model = "registers"
base = 0x40021000
size_bytes = 0x400
registers = [
  {{ offset = 0x000, name = "CR", reset = 0x63, read_only = 0x2A020402, follow = [[24, 25]] }},
  {{offset = 8, name = "CFGR", read_only = 12, follow = [{{from = 0, to = 2, width = 2}}]}},
  {{ offset = 0x00C, name = "PLLCFGR", reset = 0x1000 }},
  {{ offset = 0x094, name = "CSR", reset = 0x0C000600 }},
]
source = "test board: STM32L4+ RCC reset values (RM0432 §6.4)"
[clock_tree]
model = "stm32l4"
peripheral = "rcc"
flash_region = "ssram1"
wait_state_max_hz = [20000000, 40000000, 60000000, 80000000, 100000000, 120000000]
source = "test board: RM0432 §6.2-6.4, flash table of range 1"
[power]
supply_voltage_v = {v}
active_current_ua_per_mhz = {ua}
sleep_current_ua = {sleep}
source = "test board"
"""


def board(tmp_path: Path, *, ws: int = 5, tree: bool = True) -> str:
    text = BOARD.format(ws=ws, v=V, ua=UA_PER_MHZ, sleep=SLEEP_UA)
    if not tree:
        text = text[: text.index("[clock_tree]")] + text[text.index("[power]") :]
    path = tmp_path / f"board-{ws}-{tree}.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_a_clock_switch_changes_time_and_energy_as_computed_by_hand(tmp_path, native):
    elf = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "switch.elf")
    r = Simulator(load_target(board(tmp_path)), RunOptions(native=native)).run(elf)
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    (start, hz0), (n, hz1) = r.clock_history
    assert (start, hz0, hz1) == (0, 4e6, 120e6) and 0 < n < 100  # the CFGR store, early
    c, s = r.cycles, r.sleep_cycles
    assert s > 0  # the WFI, all of it after the switch
    assert r.time_s == pytest.approx(n / 4e6 + (c - n) / 120e6, rel=1e-12)
    # awake: V x µA/MHz x MHz for cycles/Hz seconds = V x µA/MHz x cycles / 1e6 µJ, whatever
    # the clock; asleep: V x µA for the seconds it lasts, at 120 MHz
    active_uj = V * UA_PER_MHZ * (c - s) / 1e6
    sleep_uj = V * SLEEP_UA * 1e-3 * s / 120e6 * 1e3
    assert r.energy_uj == pytest.approx(active_uj + sleep_uj, rel=1e-9)
    assert r.clock_hz == 120e6 and r.warnings == ()
    # the same firmware where the clock is fixed at 120 MHz: same cycles, less time
    fixed = Simulator(load_target(board(tmp_path, tree=False)), RunOptions(native=native)).run(elf)
    assert fixed.cycles == c and fixed.clock_history == ()
    assert fixed.time_s == pytest.approx(c / 120e6) and fixed.time_s < r.time_s


def test_a_clock_its_flash_wait_states_do_not_allow_is_a_warning(tmp_path):
    elf = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "switch.elf")
    r = Simulator(load_target(board(tmp_path, ws=3)), RunOptions()).run(elf)
    assert r.exit_code == 0
    (warning,) = r.warnings
    assert "120 MHz" in warning and "3 flash wait state(s)" in warning
    assert "at most 80 MHz" in warning


def test_the_report_shows_the_clock_history(tmp_path):
    from simtest import run_cli

    elf = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "s.elf")
    p = run_cli("run", str(elf), "--target", board(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "core clock (set by the firmware)" in p.stdout and "4 MHz, then 120 MHz" in p.stdout


def test_seconds_at_adds_each_clock_segment_up_to_the_cycle():
    from mcusim.units import seconds_at

    steps = ((0, 8e6), (7_643, 72e6))  # the STM32F103 HAL's switch from HSI to the PLL
    assert seconds_at(10_000, steps, 72e6) == pytest.approx(7_643 / 8e6 + 2_357 / 72e6)
    assert seconds_at(5_000, steps, 72e6) == pytest.approx(5_000 / 8e6)  # before the switch
    assert seconds_at(7_643, steps, 72e6) == pytest.approx(7_643 / 8e6)
    assert seconds_at(1_000, (), 48e6) == pytest.approx(1_000 / 48e6)  # one clock throughout


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_the_start_up_time_runs_to_the_first_output_across_the_clock_switch(tmp_path, native):
    elf = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "p.elf", "PRINT")
    r = Simulator(load_target(board(tmp_path)), RunOptions(native=native)).run(elf)
    assert (r.exit_code, r.console) == (0, "on the PLL\n")
    (_, _), (n, _) = r.clock_history
    k = r.first_output_cycle
    assert k == r.console_line_cycles[0] and n < k < n + 20  # three instructions after the switch
    assert r.first_output_ms == pytest.approx((n / 4e6 + (k - n) / 120e6) * 1e3, rel=1e-12)
    d = r.to_dict()
    assert (d["first_output_cycle"], d["first_output_ms"]) == (k, r.first_output_ms)


def test_the_report_and_a_startup_budget_use_the_start_up_time(tmp_path):
    from simtest import run_cli

    elf = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "p.elf", "PRINT")
    p = run_cli("run", str(elf), "--target", board(tmp_path), "--budget", "startup_ms=1")
    assert p.returncode == 0, p.stderr
    assert "start-up (reset to first output)" in p.stdout
    p = run_cli("run", str(elf), "--target", board(tmp_path), "--budget", "startup_ms=0.001")
    assert p.returncode == 1 and "startup_ms" in p.stdout + p.stderr
    quiet = build_bare_m4(HERE / "clock" / "switch.S", tmp_path / "q.elf")
    p = run_cli("run", str(quiet), "--target", board(tmp_path), "--budget", "startup_ms=1")
    assert p.returncode == 1 and "printed nothing" in p.stdout + p.stderr
