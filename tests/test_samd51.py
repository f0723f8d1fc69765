"""The samd51 target's clock, flash and cache controllers and SERCOM USART as data: the
registers Microchip's start-up code (the device pack's startup_samd51.c / system_samd51.c, ASF4's
_init_chip and SERCOM USART driver) waits on, each ready flag following its enable bit. Our own
probe (tests/samd51/probe.c, written from the data sheet) runs the same register sequence;
nothing of Microchip's code is used here. MCUSIM_SAMD51_ELF names an externally built vendor
program to run as well."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli, run_cli_report, unmodelled

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.flashctl import FlashControl
from mcusim.machine.peripherals.registry import build

PROBE = Path(__file__).resolve().parent / "samd51" / "probe.c"


class FakeSystem:
    def __init__(self):
        self.flash = load_target("samd51").memory[0]
        self.calls: list[dict] = []

    def memory_region(self, name):
        return self.flash if name == "flash" else None

    def configure_flash(self, region, **settings):
        self.calls.append(settings)


def _peripheral(name: str):
    t = load_target("samd51")
    (spec,) = [p for p in t.peripherals if p.name == name]
    return spec, build(spec, FakeSystem(), where=f"samd51: {name}")


def test_cmcc_status_follows_the_cache_enable_and_ctrl_switches_the_flash_cache():
    spec, cmcc = _peripheral("cmcc")
    assert spec.base == 0x41006000 and isinstance(cmcc, FlashControl)
    assert cmcc.read(0x08, 4) == 1 and cmcc.read(0x0C, 4) == 1  # CTRL.CEN, SR.CSTS
    assert (cmcc.read(0x00, 4) >> 8) & 7 == 2  # TYPE.CSIZE: 4 KB, as the region's cache
    cmcc.write(0x08, 4, 0)
    assert cmcc.read(0x0C, 4) == 0
    assert cmcc.system.calls[-1] == {"icache_on": False, "dcache_on": False}
    cmcc.write(0x0C, 4, 1)  # SR is read-only
    assert cmcc.read(0x0C, 4) == 0
    cmcc.write(0x04, 4, 0x40)  # CFG reads back
    assert cmcc.read(0x04, 4) == 0x40
    _, maint = _peripheral("cmcc_maint")
    maint.write(0x00, 4, 1)  # MAINT0.INVALL
    assert maint.system.calls[-1]["invalidate_icache"] is True and maint.read(0, 4) == 0


def test_a_flash_controller_refuses_registers_at_its_controlled_offset():
    with pytest.raises(ConfigError, match="controlled register"):
        FlashControl(
            "c", 0x41006000, 0x20, system=FakeSystem(), where="t", region="flash", value=0,
            offset=8, icache={"bit": 0}, registers=[{"offset": 8, "reset": 1}],
        )  # fmt: skip
    with pytest.raises(ConfigError, match=r"t\.offset must be a register offset"):
        FlashControl("c", 0, 4, system=FakeSystem(), where="t", region="flash", value=0, offset=4)


def test_oscillator_ready_and_lock_flags_follow_their_enable_bits():
    _, osc = _peripheral("oscctrl")
    assert osc.read(0x40, 4) == 3 and osc.read(0x10, 4) & (1 << 16)  # DPLL0 locked at start
    osc.write(0x30, 1, 0)  # DPLL0CTRLA.ENABLE = 0
    assert osc.read(0x40, 4) == 0 and not osc.read(0x10, 4) & (1 << 16)
    osc.write(0x30, 1, 2)
    assert osc.read(0x40, 4) == 3
    assert osc.read(0x10, 4) & (1 << 8)  # DFLLRDY: DFLL48M on from reset
    osc.write(0x1C, 1, 0)
    assert not osc.read(0x10, 4) & (1 << 8)
    assert not osc.read(0x10, 4) & 1  # XOSC0 off: not ready
    osc.write(0x14, 4, 0x82)
    assert osc.read(0x10, 4) & 1
    osc.write(0x3C, 4, 0xFF)  # DPLL0SYNCBUSY: never busy
    assert osc.read(0x3C, 4) == 0


def test_samd51_clock_registers_describe_the_clock_it_runs_at():
    # GCLK0 = DPLL0 = GCLK5 (DFLL48M / DIV) x (LDR + 1), CPUDIV 1: the target's 120 MHz
    t = load_target("samd51")
    _, gclk = _peripheral("gclk")
    _, osc = _peripheral("oscctrl")
    _, mclk = _peripheral("mclk")
    gen0, gen5 = gclk.read(0x20, 4), gclk.read(0x34, 4)
    assert gen0 & 0xF == 7 and gen0 & (1 << 8)  # SRC DPLL0, GENEN
    assert osc.read(0x38, 4) >> 5 & 7 == 0  # DPLL0CTRLB.REFCLK: GCLK
    assert gclk.read(0x84, 4) & 0xF == 5 and gclk.read(0x84, 4) & (1 << 6)  # channel 1: GCLK5
    assert gen5 & 0xF == 6  # DFLL48M
    ref = 48e6 / (gen5 >> 16)
    dpll0 = ref * ((osc.read(0x34, 4) & 0x1FFF) + 1)
    assert dpll0 / mclk.read(0x05, 1) / max(1, gen0 >> 16) == t.clock_hz == 120e6


def _probe(tmp_path: Path, *defines: str) -> Path:
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines, flags=("-O1", "-ffreestanding"))


@needs_gcc
def test_the_120_mhz_start_up_sequence_and_the_sercom_usart_run_and_print(tmp_path):
    out = tmp_path / "run.json"
    p = run_cli("run", _probe(tmp_path), "--target", "samd51", "-q", "--json", out)
    # exit code: bitmask of the probe's failed checks (see tests/samd51/probe.c)
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "samd51 ok\n"
    r = json.loads(out.read_text())
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert r["warnings"] == [], r["warnings"]  # printed in the text report, not on stderr
    # the clock the registers select, by the target's [clock_tree]: the start state, the
    # parking clock while the fast one is reconfigured, then the fast one again
    assert [hz for _, hz in r["clock_history"]] == [120e6, 32768, 120e6]


@needs_gcc
def test_waiting_for_a_dpll_lock_that_was_never_enabled_is_stuck_on_dpll0status(tmp_path):
    p = run_cli("run", _probe(tmp_path, "FORGET_DPLL_ENABLE"), "--target", "samd51", "-q")
    assert p.returncode == 3, p.stderr
    assert "0x40001040 (oscctrl DPLL0STATUS)" in p.stderr


VENDOR_ELF = os.environ.get("MCUSIM_SAMD51_ELF")


@pytest.mark.skipif(
    not VENDOR_ELF,
    reason="MCUSIM_SAMD51_ELF not set: the path of a program built with Microchip's SAMD51 "
    "start-up and ASF4 drivers (not in this repository)",
)
def test_a_vendor_built_samd51_program_boots_and_prints():
    """The ASF4 program the README describes: _init_chip to 120 MHz, the core clock read back
    from GCLK/OSCCTRL, ASF4's SysTick delay_ms(5) timed by DWT, then, when linked, one
    inference."""
    p, r = run_cli_report("run", VENDOR_ELF, "--target", "samd51", "-q")
    assert p.returncode == 0, p.stderr
    assert "stuck" not in p.stderr
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert "core clock 120000000 Hz" in p.stdout
    m = re.search(r"delay_ms\(5\): (\d+) DWT cycles", p.stdout)
    assert m, p.stdout
    # 5 ms of SysTick counts at 120 MHz, + the driver's loop around the COUNTFLAG poll
    assert 600_000 <= int(m.group(1)) <= 600_000 * 1.001
    if "inference" in p.stdout:
        assert "inference: output matches tflite-micro" in p.stdout
