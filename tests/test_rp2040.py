"""The rp2040 target's chip-specific parts: mcusim's own boot ROM stand-in (the tables of RP2040
Datasheet §2.8.3), the SIO block (CPUID, hardware divider, spinlocks, FIFO status), the
microsecond timer with its alarm interrupts, the atomic register aliases and the clock muxes'
one-hot SELECTED registers, the DMA controller (tests/rp2040/dma.c). Nothing of Raspberry Pi's
code is used; pico-sdk ELFs built elsewhere run in the last tests when MCUSIM_PICO_ELF and
MCUSIM_PICO_DMA_ELF name them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from simtest import ROOT, run_cli, run_cli_report, unmodelled

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.rp2040 import Sio, Timer, Watchdog
from mcusim.machine.peripherals.rp2040dma import Rp2040Dma
from mcusim.machine.peripherals.simple import Registers
from mcusim.simulator.options import RunOptions
from mcusim.simulator.run import Simulator

PROBE = Path(__file__).resolve().parent / "rp2040" / "probe.c"
ROM = ROOT / "targets" / "rom" / "rp2040-bootrom.bin"
ROM_BUILT = ROOT / "firmware_samples" / "elf" / "rom" / "rp2040-bootrom.bin"

skip_no_gcc = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc to build"
)


class FakeSystem:
    """The run as a peripheral sees it: a cycle counter the test moves, a 125 MHz clock, the
    pending exceptions."""

    def __init__(self, hz: float = 125e6):
        self.cycles, self._hz = 0, hz
        self.pending: list[int] = []
        self.stops: list[tuple[str, str]] = []

    def now(self):
        return self.cycles

    def seconds(self, cycles):
        return cycles / self._hz

    def hz(self):
        return self._hz

    def set_pending(self, exception):
        self.pending.append(exception)

    def reschedule(self):
        pass

    def request_stop(self, reason, message):
        self.stops.append((reason, message))


# -- SIO ------------------------------------------------------------------------------------
def sio() -> tuple[Sio, FakeSystem]:
    s = FakeSystem()
    return Sio("sio", 0xD0000000, 0x1000, system=s, where="t"), s


def test_divider_signed_unsigned_and_its_ready_bit_after_8_cycles():
    d, s = sio()
    d.write(0x060, 4, 1000003)  # DIV_UDIVIDEND
    d.write(0x064, 4, 7)  # DIV_UDIVISOR
    assert d.read(0x078, 4) == 0b10  # DIRTY, not READY
    s.cycles = 7
    assert d.read(0x078, 4) & 1 == 0
    s.cycles = 8
    assert d.read(0x078, 4) == 0b11
    assert d.read(0x074, 4) == 4 and d.read(0x070, 4) == 142857
    assert d.read(0x078, 4) == 0b01  # reading QUOTIENT cleared DIRTY
    d.write(0x068, 4, (-7) & 0xFFFFFFFF)  # DIV_SDIVIDEND
    d.write(0x06C, 4, 2)  # DIV_SDIVISOR: rounds towards zero
    assert d.read(0x070, 4) == (-3) & 0xFFFFFFFF and d.read(0x074, 4) == (-1) & 0xFFFFFFFF
    d.write(0x060, 4, 0xFFFFFFF9)  # the same bits unsigned
    assert d.read(0x070, 4) == 0x7FFFFFFC and d.read(0x074, 4) == 1


def test_divide_by_zero_and_restoring_a_saved_result():
    d, s = sio()
    d.write(0x060, 4, 5)
    d.write(0x064, 4, 0)
    assert d.read(0x070, 4) == 0xFFFFFFFF and d.read(0x074, 4) == 5
    d.write(0x068, 4, (-5) & 0xFFFFFFFF)
    d.write(0x06C, 4, 0)
    assert d.read(0x070, 4) == 1 and d.read(0x074, 4) == (-5) & 0xFFFFFFFF
    d.write(0x074, 4, 11)  # a handler restores the state it saved
    d.write(0x070, 4, 22)
    assert d.read(0x078, 4) == 0b11 and d.read(0x070, 4) == 22 and d.read(0x074, 4) == 11


def test_cpuid_fifo_spinlocks_and_gpio_aliases():
    d, _ = sio()
    assert d.read(0x000, 4) == 0  # core 0
    assert d.read(0x050, 4) == 0b0010  # FIFO_ST: room to write, nothing to read
    d.read(0x058, 4)  # reading the empty FIFO sets ROE
    assert d.read(0x050, 4) == 0b1010
    d.write(0x050, 4, 0b1000)  # write 1 to clear
    assert d.read(0x050, 4) == 0b0010
    assert d.read(0x100 + 4 * 31, 4) == 1 << 31  # claims SPINLOCK31
    assert d.read(0x100 + 4 * 31, 4) == 0  # held
    assert d.read(0x05C, 4) == 1 << 31
    d.write(0x100 + 4 * 31, 4, 0)  # any write releases
    assert d.read(0x05C, 4) == 0 and d.read(0x100 + 4 * 31, 4) == 1 << 31
    d.write(0x010, 4, 0b0101)  # GPIO_OUT
    d.write(0x014, 4, 0b0010)  # SET
    d.write(0x018, 4, 0b0001)  # CLR
    d.write(0x01C, 4, 0b1100)  # XOR
    assert d.read(0x010, 4) == 0b1010 and d.read(0x014, 4) == 0b1010
    d.write(0x024, 4, 0b0110)  # GPIO_OE_SET: pins 1 and 2 driven
    assert d.read(0x004, 4) == 0b0010  # GPIO_IN: what the driven pins drive
    # the interpolators are not modelled: their accesses are reported as unmodelled MMIO
    assert d.claims(0x07C) and not d.claims(0x080) and not d.claims(0x0FC) and d.claims(0x100)


# -- TIMER ----------------------------------------------------------------------------------
def timer(hz: float = 125e6) -> tuple[Timer, FakeSystem]:
    s = FakeSystem(hz)
    return Timer("timer", 0x40054000, 0x4000, system=s, where="t", irq=0), s


def test_timer_counts_microseconds_of_modelled_time_at_any_core_clock():
    for hz in (125e6, 48e6):
        t, s = timer(hz)
        s.cycles = int(hz * 3.0000015)  # 3,000,001.5 µs
        assert t.read(0x28, 4) == 3_000_001  # TIMERAWL
        assert t.read(0x24, 4) == 0  # TIMERAWH
    t, s = timer()
    s.cycles = 125 * 2**32 + 125 * 7  # past the low word's wrap
    assert t.read(0x0C, 4) == 7 and t.read(0x08, 4) == 1  # TIMELR latches TIMEHR


def test_alarm_fires_at_its_time_disarms_and_pends_its_irq_while_enabled():
    t, s = timer()
    s.cycles = 125 * 100  # 100 µs
    t.write(0x2000 + 0x38, 4, 0b0100)  # INTE: alarm 2, through the set alias
    t.write(0x18, 4, 150)  # ALARM2 at 150 µs
    assert t.read(0x20, 4) == 0b0100  # ARMED
    assert t.next_event(s.cycles) == 125 * 150
    s.cycles = 125 * 150 - 1
    t.on_time(s.cycles)
    assert s.pending == [] and t.read(0x20, 4) == 0b0100
    s.cycles = 125 * 150
    t.on_time(s.cycles)
    assert t.read(0x20, 4) == 0 and t.read(0x34, 4) == 0b0100 and s.pending == [16 + 2]
    assert t.read(0x40, 4) == 0b0100  # INTS
    assert t.next_event(s.cycles) is None
    t.write(0x2000 + 0x38, 4, 0b0001)  # a write while the line is high pends it no more
    assert s.pending == [16 + 2]
    t.write(0x34, 4, 0b0100)  # INTR: write 1 to clear
    assert t.read(0x40, 4) == 0
    s.pending.clear()
    t.write(0x2000 + 0x3C, 4, 0b0100)  # INTF forces it
    assert s.pending == [16 + 2]
    t.write(0x3000 + 0x3C, 4, 0b0100)  # and the clear alias lets go
    assert t.read(0x3C, 4) == 0


def test_an_alarm_behind_the_count_waits_for_the_low_word_to_wrap_and_armed_disarms():
    t, s = timer()
    s.cycles = 125 * 1000
    t.write(0x10, 4, 999)  # ALARM0 one µs in the past
    assert t.next_event(s.cycles) == 125 * (1000 + 2**32 - 1)
    t.write(0x20, 4, 1)  # ARMED: write 1 to disarm
    assert t.read(0x20, 4) == 0 and t.next_event(s.cycles) is None


def test_timer_can_be_set_and_paused():
    t, s = timer()
    s.cycles = 125 * 10
    t.write(0x00, 4, 2)  # TIMEHW
    t.write(0x04, 4, 5)  # TIMELW: the count becomes 2:5
    assert t.read(0x24, 4) == 2 and t.read(0x28, 4) == 5
    t.write(0x30, 4, 1)  # PAUSE
    s.cycles += 125 * 50
    assert t.read(0x28, 4) == 5
    t.write(0x30, 4, 0)
    s.cycles += 125 * 3
    assert t.read(0x28, 4) == 8


def test_watchdog_counts_down_two_a_microsecond_and_resets_the_chip_at_zero():
    s = FakeSystem()
    w = Watchdog("watchdog", 0x40058000, 0x4000, system=s, where="t")
    w.write(0x04, 4, 2000)  # LOAD
    assert w.read(0x00, 4) & 0xFFFFFF == 2000 and w.next_event(0) is None  # not enabled
    w.write(0x2000, 4, 1 << 30)  # CTRL.ENABLE through the set alias
    s.cycles = 125 * 300
    assert w.read(0x00, 4) & 0xFFFFFF == 2000 - 2 * 300
    assert w.next_event(s.cycles) == 125 * 1000
    w.write(0x04, 4, 2000)  # fed: 1000 µs from now
    assert w.next_event(s.cycles) == 125 * 1300
    w.on_time(125 * 1300 - 1)
    assert s.stops == []
    w.on_time(125 * 1300)
    assert s.stops and s.stops[0][0] == "reset"
    w.write(0x2000 + 0x2C, 4, 1 << 9)  # TICK.ENABLE: RUNNING follows
    assert w.read(0x2C, 4) & (3 << 9) == 3 << 9 and w.read(0x08, 4) == 0  # REASON: power-on
    w.write(0x00, 4, 1 << 31)  # CTRL.TRIGGER
    assert s.stops[-1] == ("reset", "watchdog: CTRL.TRIGGER reset the chip")


def test_bad_timer_and_sio_keys_are_config_errors():
    with pytest.raises(ConfigError, match="irq"):
        Timer("t", 0, 0x4000, system=FakeSystem(), where="t", irq=-1)
    with pytest.raises(ConfigError, match="divider_cycles"):
        Sio("s", 0, 0x1000, system=FakeSystem(), where="t", divider_cycles="8")


# -- registers as data: atomic aliases and one-hot SELECTED --------------------------------
def test_atomic_aliases_xor_set_and_clear_and_one_hot_selected():
    regs = [
        {"offset": 0x30, "name": "CLK_REF_CTRL"},
        {"offset": 0x38, "name": "CLK_REF_SELECTED",
         "one_hot": {"offset": 0x30, "lsb": 0, "width": 2}},
    ]  # fmt: skip
    r = Registers("clocks", 0x40008000, 0x4000, where="t", registers=regs, atomic_aliases=True)
    assert r.read(0x38, 4) == 0b001  # SRC 0
    r.write(0x2000 + 0x30, 4, 0b10)  # set
    assert r.read(0x30, 4) == 0b10 and r.read(0x38, 4) == 0b100 and r.read(0x1038, 4) == 0b100
    r.write(0x1000 + 0x30, 4, 0b11)  # xor
    assert r.read(0x30, 4) == 0b01
    r.write(0x3000 + 0x30, 4, 0b01)  # clear
    assert r.read(0x30, 4) == 0
    r.write(0x2000 + 0x80, 4, 0xF0)  # an undescribed register too
    assert r.read(0x80, 4) == 0xF0
    with pytest.raises(ConfigError, match="atomic_aliases"):
        Registers("x", 0, 0x1000, where="t", atomic_aliases=True)
    with pytest.raises(ConfigError, match="one_hot"):
        Registers("x", 0, 0x400, where="t", registers=[{"offset": 0, "one_hot": {"lsb": 0}}])


# -- the clock the firmware configures -----------------------------------------------------
def test_rp2040_clock_rule_reads_clk_sys_from_the_muxes_dividers_and_plls():
    from mcusim.config.clocktree import rp2040_core_hz

    target = load_target("rp2040")
    tree = target.clock_tree
    assert tree.model == "rp2040" and tree.peripherals == ("clocks", "pll_sys", "pll_usb")
    regs = {  # CLOCKS (0x40008000) registers; PLL_SYS (0x40028000) and PLL_USB (0x4002C000)
        0x30: 2,
        0x34: 0x100,
        0x3C: 1,
        0x40: 0x100,
        0x20000: 1,
        0x20004: 0,
        0x20008: 125,
        0x2000C: 0x62000,
        0x24000: 1,
        0x24004: 0,
        0x24008: 100,
        0x2400C: 0x55000,
    }  # fmt: skip (the PLLs' registers at their offset from CLOCKS, as keys)

    def hz(**changes):
        r = {**regs, **{int(k[1:], 16): v for k, v in changes.items()}}
        blocks = [lambda o, at=at: r.get(at + o, 0) for at in (0, 0x20000, 0x24000)]
        return rp2040_core_hz(*blocks, xosc_hz=12e6)

    assert hz() == 125e6  # the SDK's state: PLL_SYS 1500 MHz / 6 / 2
    assert hz(x3C=0) == 12e6  # clk_sys = clk_ref = XOSC
    assert hz(x3C=0, x30=0) == 6.5e6  # clk_ref = ROSC (nominal)
    assert hz(x3C=0x21) == 48e6  # AUXSRC 1: PLL_USB 1200 MHz / 5 / 5
    assert hz(x40=0x280) == 125e6 / 2.5  # CLK_SYS_DIV 2 + 128/256
    assert hz(x20008=100, x2000C=0x52000) == 120e6  # 1200 MHz / 5 / 2
    assert hz(x20004=1) == 0  # PLL powered down: no clock


def test_a_clock_tree_reading_a_peripheral_that_is_not_registers_is_a_config_error(tmp_path):
    board = tmp_path / "b.toml"
    cases = (
        ('["clocks", "timer", "pll_usb"]', "'timer' is not a registers peripheral"),
        ('["clocks", "pll_sys"]', "the rp2040 rule reads 3"),
    )
    for names, message in cases:
        board.write_text(
            f'schema = 1\nextends = "rp2040"\nname = "b"\n[clock_tree]\nperipheral = {names}\n'
        )
        with pytest.raises(ConfigError, match=message) as e:
            load_target(str(board))
        assert "\n" not in str(e.value)


@skip_no_gcc
def test_the_core_clock_follows_what_the_firmware_selects(tmp_path):
    # our probe switches clk_sys to clk_ref (XOSC, 12 MHz) and back to PLL_SYS (125 MHz)
    r = Simulator(load_target("rp2040"), RunOptions()).run(_probe(tmp_path))
    assert r.exit_code == 0, r.message
    assert [hz for _, hz in r.clock_history] == [125e6, 12e6, 125e6]
    printed_us = int(r.console.split("t=")[1])
    assert 1000 < printed_us <= r.time_s * 1e6 < printed_us + 60


# -- the boot ROM ---------------------------------------------------------------------------
def test_the_targets_rom_image_is_the_one_firmware_samples_builds_and_has_the_header():
    assert ROM.read_bytes() == ROM_BUILT.read_bytes(), (
        "copy firmware_samples/elf/rom/ to targets/rom/"
    )
    assert (ROM_BUILT.with_name(ROM_BUILT.name + ".sha256").read_text().split()[0]
            == hashlib.sha256(ROM.read_bytes()).hexdigest())  # fmt: skip
    rom = ROM.read_bytes()
    assert rom[0x10:0x14] == b"Mu\x01\x03"  # magic, version 3
    func, data, lookup = (int.from_bytes(rom[o : o + 2], "little") for o in (0x14, 0x16, 0x18))
    assert lookup & 1 and not func & 1 and not data & 1

    def table(at):
        out = {}
        while code := int.from_bytes(rom[at : at + 2], "little"):
            out[code.to_bytes(2, "little").decode()] = int.from_bytes(
                rom[at + 2 : at + 4], "little"
            )
            at += 4
        return out

    funcs, datas = table(func), table(data)
    for code in (
        "P3",
        "R3",
        "L3",
        "T3",
        "MS",
        "S4",
        "MC",
        "C4",
        "IF",
        "EX",
        "RE",
        "RP",
        "FC",
        "CX",
    ):
        assert funcs[code] & 1, code  # Thumb functions
    for code in ("SF", "SD"):
        assert rom[datas[code] - 2] == 32  # the table's size in words, two bytes before it
    rp2040 = load_target("rp2040")
    region = rp2040.region_at(0, 4)
    assert region.kind == "rom" and region.image == ROM.read_bytes()
    assert rp2040.flash_bytes == 2 * 1024 * 1024  # the boot ROM is no room for the firmware


def test_a_rom_image_that_is_missing_or_too_large_is_a_one_line_config_error(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(2048))
    for image, message in (("nope.bin", "cannot be read"), ("big.bin", "more than size_bytes")):
        board = tmp_path / "b.toml"
        board.write_text(
            'schema = 1\nextends = "rp2040"\nname = "b"\n'
            f'[[memory]]\nname = "rom"\nsize_bytes = 1024\nimage = "{image}"\n'
        )
        with pytest.raises(ConfigError, match=message) as e:
            load_target(str(board))
        assert "\n" not in str(e.value)
    board = tmp_path / "keep.toml"  # a board file extending rp2040 keeps the built-in ROM
    board.write_text('schema = 1\nextends = "rp2040"\nname = "keep"\n')
    assert load_target(str(board)).region_at(0, 4).image == ROM.read_bytes()


# -- our probe program ----------------------------------------------------------------------
def _probe(tmp_path: Path, *defines: str) -> Path:
    out = tmp_path / "probe.elf"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m0plus", "-mthumb", "-Os", "-ffreestanding", *defines,
         "-nostdlib", "--param=min-pagesize=0", "-Wl,--build-id=none",
         "-Wl,--section-start=.vectors=0x10000100", "-Wl,-Ttext=0x10000200", "-Wl,-e,reset",
         "-o", str(out), str(PROBE), "-lgcc"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out


@skip_no_gcc
def test_probe_uses_the_rom_tables_divider_spinlocks_timer_alarm_and_uart(tmp_path):
    p, r = run_cli_report("run", _probe(tmp_path), "--target", "rp2040", "-q")
    # exit code: bitmask of the probe's failed checks (see tests/rp2040/probe.c)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert p.stdout.startswith("rp2040 ok t=")
    assert r["unknown_mmio"] == [], unmodelled(r)


@skip_no_gcc
@pytest.mark.parametrize("clock_hz", [125e6, 48e6])
def test_the_timer_follows_modelled_time_and_its_alarm_wakes_the_sleeping_core(tmp_path, clock_hz):
    target = load_target("rp2040", clock_hz=clock_hz)
    r = Simulator(target, RunOptions()).run(_probe(tmp_path))
    assert r.exit_code == 0, r.message
    printed_us = int(r.console.split("t=")[1])
    # the count it printed is the run's time, less the few µs it took to print it
    assert 1000 < printed_us <= r.time_s * 1e6 < printed_us + 60
    # the WFI slept until the alarm, 1000 µs after it was armed: that many core cycles
    assert 0.97 * 1000e-6 * clock_hz < r.sleep_cycles <= 1000e-6 * clock_hz


@skip_no_gcc
def test_the_watchdog_resets_a_chip_spinning_with_interrupts_masked(tmp_path):
    r = Simulator(load_target("rp2040"), RunOptions()).run(_probe(tmp_path, "-DWATCHDOG"))
    assert r.exit_reason == "reset" and "watchdog counted down to 0" in r.message, r.message
    printed_us = int(r.console.split("t=")[1])
    assert 1000 <= r.time_s * 1e6 - printed_us < 1100  # 1000 µs after it was loaded


def _crc32_boot2(data: bytes) -> int:
    """The boot ROM's check of boot2 (RP2040 §2.8.1.3): CRC32, polynomial 0x04c11db7, initial
    value 0xffffffff, most significant bit first, no final XOR."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _probe_with_boot2(tmp_path: Path) -> Path:
    """The probe with our own boot2 (tests/rp2040/boot2.S) and its CRC, as the ROM checks it."""
    out = tmp_path / "probe-boot2.elf"

    def build(*defines: str) -> None:
        subprocess.run(
            ["arm-none-eabi-gcc", "-mcpu=cortex-m0plus", "-mthumb", "-Os", "-ffreestanding",
             "-nostdlib", "--param=min-pagesize=0", "-Wl,--build-id=none", *defines,
             "-Wl,--section-start=.boot2=0x10000000", "-Wl,--section-start=.vectors=0x10000100",
             "-Wl,-Ttext=0x10000200", "-Wl,-e,reset", "-o", str(out), str(PROBE),
             str(PROBE.with_name("boot2.S")), "-lgcc"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    build()
    boot2 = tmp_path / "boot2.bin"
    subprocess.run(
        ["arm-none-eabi-objcopy", "-O", "binary", "-j", ".boot2", str(out), str(boot2)],
        check=True,
    )
    build(f"-DBOOT2_CRC=0x{_crc32_boot2(boot2.read_bytes()[:252]):08x}")
    return out


def _chip_boot_board(tmp_path: Path) -> Path:
    board = tmp_path / "rp2040-chipboot.toml"
    board.write_text(
        'schema = 1\nextends = "rp2040"\nname = "rp2040-chipboot"\nvector_table = 0x00000000\n'
    )
    return board


@skip_no_gcc
def test_booting_as_the_chip_does_runs_the_rom_then_a_boot2_whose_crc_matches(tmp_path):
    elf, board = _probe_with_boot2(tmp_path), _chip_boot_board(tmp_path)
    direct = Simulator(load_target("rp2040"), RunOptions()).run(elf)
    chip = Simulator(load_target(str(board)), RunOptions()).run(elf)
    assert direct.exit_code == 0 and chip.exit_code == 0, (direct.message, chip.message)
    assert chip.console.startswith("rp2040 ok t=")
    # the ROM copied boot2 to SRAM and checked its CRC (252 bytes, bit by bit) first
    assert chip.cycles > direct.cycles + 10_000
    bad = run_cli("run", ROOT / "firmware_samples" / "elf" / "rp2040" / "hello.elf",
                  "--target", board, "-q")  # fmt: skip
    # our samples leave boot2 empty: the chip would wait for USB, the ROM stand-in says so
    assert bad.returncode == 1 and "boot2's CRC32 does not match" in bad.stdout, bad


# -- DMA ------------------------------------------------------------------------------------
def _dma_probe(tmp_path: Path, *defines: str) -> Path:
    out = tmp_path / "dma.elf"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m0plus", "-mthumb", "-Os", "-ffreestanding", *defines,
         "-nostdlib", "--param=min-pagesize=0", "-Wl,--build-id=none",
         "-Wl,--section-start=.vectors=0x10000100", "-Wl,-Ttext=0x10000200", "-Wl,-e,reset",
         "-o", str(out), str(PROBE.with_name("dma.c")), "-lgcc"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out


@skip_no_gcc
def test_dma_sends_a_buffer_to_uart0_on_its_dreq_and_copies_memory(tmp_path):
    p, r = run_cli_report("run", _dma_probe(tmp_path), "--target", "rp2040", "-q")
    # exit code: bitmask of the probe's failed checks (see tests/rp2040/dma.c): the channel
    # waits busy until UART0 enables its TX DMA request, then TRANS_COUNT 0, BUSY clear,
    # READ_ADDR advanced, DMA_IRQ_0 taken with INTS0 bit 0; the memory-to-memory copy sets
    # only INTR bit 1
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == "dma ok\n", p.stdout
    assert r["unknown_mmio"] == [], unmodelled(r)


@skip_no_gcc
def test_an_unmodelled_dma_mode_stops_the_run_naming_the_channel(tmp_path):
    r = Simulator(load_target("rp2040"), RunOptions()).run(_dma_probe(tmp_path, "-DCHAIN"))
    assert r.exit_reason == "fault", r.message
    assert r.message == "dma channel 0: chaining to channel 1 is not modelled", r.message
    assert r.console == ""


class _Uart0:
    def __init__(self):
        self.dmacr = 0

    def read(self, offset, size):
        return self.dmacr if offset == 0x048 else 0

    def watch_writes(self, callback):
        pass


class _Mmio:
    def by_name(self, name):
        return _Uart0() if name == "uart0" else None


def test_dma_dreqs_not_in_the_target_and_bad_keys_stop_or_are_config_errors():
    s = FakeSystem()
    uart_tx = {"dreq": 20, "peripheral": "uart0", "enable": {"offset": 0x48, "bit": 1}}
    d = Rp2040Dma("dma", 0x50000000, 0x4000, system=s, where="t", irqs=[11, 12], dreqs=[uart_tx])
    d.connect(_Mmio())
    d.write(0x008, 4, 4)  # TRANS_COUNT
    d.write(0x00C, 4, 1 | 21 << 15)  # CTRL_TRIG: EN, DREQ_UART0_RX (21), not in the target
    assert s.stops == [
        ("fault", "dma channel 0: pacing by DREQ 21 is not modelled (TREQ_SEL 0x15)")
    ]
    assert not d.read(0x00C, 4) & 1 << 24  # stopped, not busy
    d.write(0x04C, 4, 1 | 1 << 11 | 0x3B << 15)  # channel 1 paced by timer 0
    assert s.stops[-1][1] == "dma channel 1: pacing by timer 0 is not modelled (TREQ_SEL 0x3b)"
    d.write(0x08C, 4, 0)  # a null trigger starts nothing
    assert len(s.stops) == 2 and d.read(0x448, 4) == 12  # N_CHANNELS
    assert d.register_name(0x05C) == "CH1_AL1_TRANS_COUNT_TRIG"
    assert d.register_name(0x2000 + 0x40C) == "INTS0" and not d.claims(0x800)
    for bad in ({"irqs": [11]}, {"dreqs": [{"dreq": 20, "peripheral": "uart0"}]}):
        kwargs = {"irqs": [11, 12], **bad}
        with pytest.raises(ConfigError):
            Rp2040Dma("dma", 0x50000000, 0x4000, system=s, where="t", **kwargs)


# -- a pico-sdk program built elsewhere -----------------------------------------------------
PICO_ELF = os.environ.get("MCUSIM_PICO_ELF")


@pytest.mark.skipif(
    not PICO_ELF,
    reason="set MCUSIM_PICO_ELF to a pico-sdk ELF (PICO_BOARD=pico, stdio on UART0) to run it",
)
def test_a_pico_sdk_program_boots_and_prints_on_uart0():
    p, r = run_cli_report("run", PICO_ELF, "--target", "rp2040", "--max-cycles", "400000000",
                          "-q", timeout=300)  # fmt: skip
    assert p.stdout.strip(), p.stderr
    assert "stuck" not in p.stderr, p.stderr
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert "HardFault" not in p.stderr or "BKPT" in p.stderr, p.stderr  # main returned: _exit


PICO_DMA_ELF = os.environ.get("MCUSIM_PICO_DMA_ELF")


@pytest.mark.skipif(
    not PICO_DMA_ELF,
    reason="set MCUSIM_PICO_DMA_ELF to a pico-sdk ELF that prints 'Hello, DMA!' to UART0 by "
    "DMA (hardware_dma, DREQ_UART0_TX), then 'dma done: left=0 irqs=2 copy=ok' with printf",
)
def test_a_pico_sdk_program_sends_a_line_to_uart0_by_dma():
    p, r = run_cli_report("run", PICO_DMA_ELF, "--target", "rp2040", "--max-cycles",
                          "400000000", "-q", timeout=300)  # fmt: skip
    assert p.stdout.startswith("Hello, DMA!\n"), (p.stdout, p.stderr)
    assert "dma done: left=0 irqs=2 copy=ok" in p.stdout, (p.stdout, p.stderr)
    assert "not modelled" not in p.stderr, p.stderr
    assert r["unknown_mmio"] == [], unmodelled(r)
    assert "HardFault" not in p.stderr or "BKPT" in p.stderr, p.stderr  # main returned: _exit
