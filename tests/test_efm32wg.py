"""The efm32wg target's CMU, MSC, UART0, DI page and ROM table as data, and the Cortex-M4
bit-band aliases: what Silicon Labs' start-up and emlib (CHIP_Init, CMU_OscillatorEnable,
CMU_ClockSelectSet, USART_InitAsync/USART_Tx) read and wait on. EFM32 oscillators are switched
by write-only command registers (CMU OSCENCMD, CMD; USART CMD) whose bits set and clear status
bits (``commands``). Our own probe (tests/efm32/probe.c, written from the reference manual) runs
the same register sequence; nothing of Silicon Labs' code is used here. MCUSIM_EFM32_ELF names
an externally built vendor program to run as well."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli, run_cli_report, unmodelled

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.registry import build
from mcusim.machine.peripherals.simple import Registers

PROBE = Path(__file__).resolve().parent / "efm32" / "probe.c"


class FakeSystem:
    def memory_region(self, name):
        return load_target("efm32wg").memory[0] if name == "flash" else None

    def configure_flash(self, region, **settings):
        pass


def _peripheral(name: str):
    t = load_target("efm32wg")
    (spec,) = [p for p in t.peripherals if p.name == name]
    return spec, build(spec, FakeSystem(), where=f"efm32wg: {name}")


def test_oscillator_commands_set_and_clear_their_status_bits_and_hfclksel_picks_one_source():
    _, cmu = _peripheral("cmu")
    status = lambda: cmu.read(0x02C, 4)  # noqa: E731
    assert status() == 0x80F  # HFRCO and HFXO on and ready, HFXO selected: 48 MHz
    cmu.write(0x024, 4, 1)  # CMD.HFCLKSEL = HFRCO
    assert status() & 0x3C00 == 0x0400
    cmu.write(0x020, 4, 1 << 3)  # OSCENCMD.HFXODIS
    assert status() & 0xC == 0
    cmu.write(0x020, 4, 1 << 8)  # LFXOEN
    assert status() & 0x300 == 0x300
    cmu.write(0x020, 4, 1 << 2)  # HFXOEN
    cmu.write(0x024, 4, 2)  # HFCLKSEL = HFXO
    assert status() == 0x80F | 0x300
    assert cmu.read(0x020, 4) == 0 and cmu.read(0x024, 4) == 0  # write-only commands
    cmu.write(0x02C, 4, 0)  # STATUS is read-only
    assert status() == 0x80F | 0x300
    cmu.write(0x024, 4, 0)  # HFCLKSEL 0: no selection, nothing changes
    assert status() & 0x3C00 == 0x0800


def test_uart_cmd_enables_the_transmitter_and_status_keeps_txbl_and_txc():
    _, uart = _peripheral("uart0")
    assert uart.read(0x010, 4) == 0x60
    uart.write(0x00C, 4, 0x5)  # RXEN | TXEN
    assert uart.read(0x010, 4) == 0x63
    uart.write(0x00C, 4, 0x8)  # TXDIS
    assert uart.read(0x010, 4) == 0x61


def test_command_descriptions_are_checked():
    def regs(**command):
        r = [{"offset": 0, "commands": [command]}, {"offset": 4}]
        return Registers("x", 0, 0x10, where="t", registers=r)

    regs(mask=1, offset=4, set=1)
    with pytest.raises(ConfigError, match=r"t\.registers\[0\]\.commands\[0\]\.mask"):
        regs(mask=0, set=1)
    with pytest.raises(ConfigError, match=r"commands\[0\] must be a table of"):
        regs(mask=1, sets=1)
    with pytest.raises(ConfigError, match="acts on 0x008, which registers does not describe"):
        regs(mask=1, offset=8, set=1)
    with pytest.raises(ConfigError, match=r"commands\[0\]\.offset must be a word-aligned"):
        regs(mask=1, offset=2, set=1)


def test_the_di_page_and_rom_table_describe_the_part():
    t = load_target("efm32wg")
    spec, di = _peripheral("devinfo")
    assert spec.base + 0x1FC == 0x0FE081FC
    part, msize = di.read(0x1FC, 4), di.read(0x1F8, 4)
    assert (part >> 16) & 0xFF == 75 and part & 0xFFFF == 990  # Wonder Gecko, EFM32WG990
    assert (msize & 0xFFFF) * 1024 == t.flash_bytes and (msize >> 16) * 1024 == t.ram_bytes
    assert 1 << (((di.read(0x1EC, 4) >> 24) + 10) & 0xFF) == 2048  # flash page size
    assert di.read(0x1DC, 4) == 0xFFFFFFFF  # calibration words: not known, read as erased
    spec, rom = _peripheral("romtable")
    assert spec.base + 0xFE0 == 0xE00FFFE0
    assert rom.read(0xFE0, 4) & 0x3F == 1 and rom.read(0xFEC, 4) >> 4 == 2


def test_the_msc_start_state_is_ws2_with_the_cache_on_and_its_other_registers_are_data():
    spec, msc = _peripheral("msc")
    assert spec.base == 0x400C0000 and msc.read(0x004, 4) == 4
    assert msc.read(0x01C, 4) == 0x8 and msc.read(0x054, 4) == 1  # STATUS, MASSLOCK


def test_bit_band_is_an_armv7m_feature(tmp_path):
    board = tmp_path / "m0.toml"
    board.write_text('schema = 1\nextends = "rp2040"\nname = "m0"\nbit_band = true\n')
    with pytest.raises(ConfigError, match="bit_band is an Armv7-M feature; cortex-m0plus has no"):
        load_target(str(board))


def _probe(tmp_path: Path, *defines: str) -> Path:
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines, flags=("-O1", "-ffreestanding"))


@needs_gcc
def test_the_hfxo_start_up_sequence_bit_band_and_uart0_run_and_print(tmp_path):
    out = tmp_path / "run.json"
    p = run_cli("run", _probe(tmp_path), "--target", "efm32wg", "-q", "--json", out)
    # exit code: bitmask of the probe's failed checks (see tests/efm32/probe.c)
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "efm32wg ok\n"
    r = json.loads(out.read_text())
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert r["warnings"] == [], r["warnings"]  # printed in the text report, not on stderr
    # the clock the registers select, by the target's [clock_tree]: the start state, the
    # parking clock while the fast one is reconfigured, then the fast one again
    assert [hz for _, hz in r["clock_history"]] == [48e6, 14e6, 48e6]


@needs_gcc
def test_waiting_for_an_hfxo_never_enabled_is_stuck_on_cmu_status_through_its_alias(tmp_path):
    p = run_cli("run", _probe(tmp_path, "FORGET_HFXO_ENABLE"), "--target", "efm32wg", "-q")
    assert p.returncode == 3, p.stderr
    assert "0x400c802c (cmu STATUS)" in p.stderr


@needs_gcc
def test_without_bit_band_the_alias_is_unmapped_peripheral_space(tmp_path):
    board = tmp_path / "nobb.toml"
    board.write_text('schema = 1\nextends = "efm32wg"\nname = "nobb"\nbit_band = false\n')
    p = run_cli("run", _probe(tmp_path), "--target", board, "-q")
    assert p.returncode == 3, p.stderr  # HFXORDY never seen through the alias
    assert "0x4390058c, a register nothing models" in p.stderr


VENDOR_ELF = os.environ.get("MCUSIM_EFM32_ELF")


@pytest.mark.skipif(
    not VENDOR_ELF,
    reason="MCUSIM_EFM32_ELF not set: the path of a program built with Silicon Labs' EFM32WG "
    "start-up and emlib (not in this repository)",
)
def test_a_vendor_built_efm32wg_program_boots_and_prints():
    """The emlib program the README describes: HFXO at 48 MHz, then a SysTick_Config(core
    clock / 1000) 1 ms tick and Delay(5) timed by DWT (4 to 5 tick periods: the first tick
    comes at most one period after the start), then, when linked, one inference."""
    p, r = run_cli_report("run", VENDOR_ELF, "--target", "efm32wg", "-q")
    assert p.returncode == 0, p.stderr
    assert "stuck" not in p.stderr
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert "HFCLK 48000000 Hz (SystemCoreClock 48000000)" in p.stdout
    m = re.search(r"Delay\(5\) on SysTick: (\d+) ticks, (\d+) DWT cycles", p.stdout)
    assert m, p.stdout
    assert int(m.group(1)) == 5
    assert 4 * 48_000 <= int(m.group(2)) <= 5 * 48_000 + 200  # + the handler's exit and the loop
    if "inference" in p.stdout:
        assert "inference: output matches tflite-micro" in p.stdout
