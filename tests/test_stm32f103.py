"""The stm32f103 target (blue pill) and the clock its firmware sets: the stm32f1 RCC rule against
values worked out by hand from RM0008 §7.3.2, our own start-up probe (tests/stm32f1/probe.c,
written from RM0008: HSE, FLASH_ACR latency 2, PLL x9 through the RCC bit-band alias, SW = PLL)
on the built-in target and on a board at the chip's reset state (tests/data/stm32f103-reset.toml),
and an STM32CubeF1 HAL program built outside this repository (MCUSIM_CUBEF1_ELF) that sets 72 MHz,
prints on USART1 and runs one inference with our engine (nothing of ST's code is used here)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from simtest import DATA, build_bare_m4, elf, needs_gcc, run_cli, unmodelled

from mcusim.config import load_target
from mcusim.config.clocktree import stm32f1_core_hz

PROBE = Path(__file__).resolve().parent / "stm32f1" / "probe.c"
RESET_BOARD = DATA / "stm32f103-reset.toml"
CUBEF1 = os.environ.get("MCUSIM_CUBEF1_ELF")


def hz(cfgr: int, hse_hz: float = 8e6) -> float:
    return stm32f1_core_hz(lambda offset: cfgr if offset == 0x04 else 0xDEAD, hse_hz=hse_hz)


def test_stm32f1_clock_from_rcc_cfgr_as_computed_by_hand():
    pll, hse, x9 = 0b10 << 2, 1 << 16, 0b0111 << 18  # SWS = PLL; PLLSRC = HSE; PLLMUL 0111
    assert hz(0x0) == 8e6  # reset: SWS = HSI, 8 MHz
    assert hz(0b01 << 2, hse_hz=12e6) == 12e6  # SWS = HSE: the board's crystal
    assert hz(pll | hse | x9) == 72e6  # the blue pill: 8 MHz HSE x 9
    assert hz(pll | hse | x9 | (1 << 17)) == 36e6  # PLLXTPRE: HSE / 2 = 4 MHz, x 9
    assert hz(pll | x9) == 36e6  # PLLSRC 0: HSI / 2 = 4 MHz, x 9
    assert hz(pll) == 8e6  # PLLMUL 0000: x 2 of HSI / 2
    assert hz(pll | (0b1110 << 18)) == hz(pll | (0b1111 << 18)) == 64e6  # x16, and 1111 too
    assert hz(pll | hse | x9 | (0b1000 << 4)) == 36e6  # HPRE 1000: AHB / 2
    assert hz(pll | hse | x9 | (0b1111 << 4)) == 72e6 / 512
    assert hz(0b11 << 2) == 0.0  # SWS 11: not applicable, no clock


def test_the_built_in_target_starts_in_the_72_mhz_start_up_state():
    t = load_target("stm32f103")
    regs = next(p for p in t.peripherals if p.name == "rcc").params["registers"]
    values = {r["offset"]: r["reset"] for r in regs}
    assert t.clock_tree.core_hz(lambda o: values.get(o, 0)) == t.clock_hz == 72e6
    assert t.region_at(0x08000000, 4).wait_states == 2 and t.bit_band
    assert [t.clock_tree.max_hz(ws) for ws in range(3)] == [24e6, 48e6, 72e6]
    reset = load_target(str(RESET_BOARD))
    regs = next(p for p in reset.peripherals if p.name == "rcc").params["registers"]
    values = {r["offset"]: r["reset"] for r in regs}
    assert reset.clock_tree.core_hz(lambda o: values.get(o, 0)) == reset.clock_hz == 8e6
    assert reset.region_at(0x08000000, 4).wait_states == 0


def _probe(tmp_path: Path, *defines: str) -> Path:
    flags = ("-mcpu=cortex-m3", "-O1", "-ffreestanding")
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines, flags=flags, base=0x08000000)


def _run(elf_path: Path, target, tmp_path: Path, *more: str) -> dict:
    out = tmp_path / "run.json"
    p = run_cli("run", elf_path, "--target", target, "-q", "--json", out, *more)
    # exit code: bitmask of the probe's failed checks (see tests/stm32f1/probe.c)
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "stm32f103 ok\n"
    r = json.loads(out.read_text())
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert r["warnings"] == [], r["warnings"]  # printed in the text report, not on stderr
    return r


def _time(history: list, cycles: int) -> float:
    """Seconds: each stretch of cycles at its own clock (the probe never sleeps)."""
    ends = [c for c, _ in history[1:]] + [cycles]
    return sum((end - start) / f for (start, f), end in zip(history, ends, strict=True))


@needs_gcc
def test_the_probe_switches_to_the_hsi_and_back_to_72_mhz_and_time_follows(tmp_path):
    r = _run(_probe(tmp_path), "stm32f103", tmp_path)
    history = r["clock_history"]
    assert [f for _, f in history] == [72e6, 8e6, 72e6]
    (_, _), (n1, _), (n2, _) = history
    assert 0 < n1 < n2 < 1000  # the start-up is the probe's first few hundred cycles
    c = r["cycles"]
    assert r["time_s"] == pytest.approx(n1 / 72e6 + (n2 - n1) / 8e6 + (c - n2) / 72e6, rel=1e-12)
    assert r["time_s"] == pytest.approx(_time(history, c), rel=1e-12)


@needs_gcc
def test_from_the_reset_state_the_probe_runs_at_8_then_72_mhz(tmp_path):
    probe = _probe(tmp_path)
    r = _run(probe, RESET_BOARD, tmp_path)
    (start, f0), (n, f1) = r["clock_history"]
    assert (start, f0, f1) == (0, 8e6, 72e6) and 0 < n < 1000
    c = r["cycles"]
    assert r["time_s"] == pytest.approx(n / 8e6 + (c - n) / 72e6, rel=1e-12)
    # the same firmware with the clock pinned at 72 MHz: the same cycles (FLASH_ACR still sets
    # the wait states), less time: the cycles before the switch count at 72 MHz
    pinned = _run(probe, RESET_BOARD, tmp_path, "--clock-hz", "72000000")
    assert pinned["cycles"] == c and pinned["clock_history"] == []
    assert pinned["time_s"] == pytest.approx(c / 72e6, rel=1e-12)
    assert r["time_s"] - pinned["time_s"] == pytest.approx(n / 8e6 - n / 72e6, rel=1e-9)


@needs_gcc
def test_waiting_for_an_hse_never_enabled_is_stuck_on_rcc_cr(tmp_path):
    p = run_cli("run", _probe(tmp_path, "FORGET_HSEON"), "--target", "stm32f103", "-q")
    assert p.returncode == 3, p.stderr
    assert "0x40021000 (rcc CR)" in p.stderr


def test_a_sample_that_never_touches_the_rcc_runs_at_72_mhz_as_before(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", elf("stm32f103", "hello"), "--target", "stm32f103", "-q", "--json", out)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    assert r["clock_history"] == [] and r["clock_hz"] == 72e6
    assert r["time_s"] == pytest.approx(r["cycles"] / 72e6, rel=1e-12)


@pytest.mark.skipif(
    not CUBEF1,
    reason="MCUSIM_CUBEF1_ELF not set: the path of an STM32CubeF1 HAL program with a digits "
    "inference (README: Vendor start-up code; not in this repository)",
)
def test_a_cube_f1_program_sets_72_mhz_prints_and_infers(tmp_path):
    runs = {}
    for target in ("stm32f103", RESET_BOARD):
        out = tmp_path / "r.json"
        p = run_cli("run", CUBEF1, "--target", target, "-q", "--json", out, timeout=600)
        assert p.returncode == 0, p.stderr
        assert "SystemCoreClock=72000000" in p.stdout and "FLASH_ACR=00000032" in p.stdout
        assert "reference=match" in p.stdout
        assert "inference: output matches tflite-micro" in p.stdout
        r = json.loads(out.read_text())
        assert r["unknown_mmio"] == [] and r["warnings"] == []
        runs[str(target)] = (r, int(re.search(r"dwt_cycles=(\d+)", p.stdout).group(1)))
    (builtin, dwt), (reset, dwt_reset) = runs.values()
    assert builtin["clock_history"] == []  # the HAL keeps the PLL it finds at 72 MHz
    assert [f for _, f in reset["clock_history"]] == [8e6, 72e6]  # HSI, then HSE x 9
    assert dwt == dwt_reset > 0  # the inference runs at 72 MHz and 2 WS in both
