"""The nrf52840 target's Nordic-specific parts as data: the EasyDMA UART model (UARTE0 and the
legacy UART0 at one address), FICR and UICR read back at their documented addresses, the NVMC
window split around ICACHECNF, the CLOCK tasks and events, GPIO P0 (nrfx_uarte configures its
pins there). Nordic's own start-up (MDK SystemInit with its errata checks) reads these; nothing
of Nordic's code is used here. MCUSIM_NRF_ELF names a program built outside the repository with
nrfx and its MDK (README: Vendor start-up code) that the last test runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli, run_cli_report, unmodelled

from mcusim.config import load_target
from mcusim.config.target import MemoryRegion
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.easydma import EasyDmaUart
from mcusim.machine.peripherals.registry import build
from mcusim.machine.peripherals.simple import Registers

PROBE = Path(__file__).resolve().parent / "nrf" / "probe.S"
CLOCK_PROBE = PROBE.with_name("clock.S")
RAM = MemoryRegion("ram", "ram", 0x20000000, 0x10000, "rwx")
FLASH = MemoryRegion("flash", "flash", 0x0, 0x10000, "rx")

# UARTE0 / UART0 offsets, nRF52840 PS v1.7 (as targets/nrf52840.toml gives them)
UARTE = dict(
    tasks_starttx=0x008, tasks_stoptx=0x00C, events_endtx=0x120, events_txstarted=0x150,
    events_txstopped=0x158, txd_ptr=0x544, txd_maxcnt=0x548, txd_amount=0x54C,
    tx_data_offset=0x51C, events_txdrdy=0x11C,
)  # fmt: skip


class FakeSystem:
    """Guest memory (RAM and flash), the console and stop requests, as the simulator gives a
    peripheral."""

    def __init__(self):
        self.memory = {RAM.name: bytearray(RAM.size_bytes), FLASH.name: bytearray(0x10000)}
        self.out: list[tuple[bytes, str]] = []
        self.stops: list[tuple[str, str]] = []

    def memory_region(self, name):
        return {"ram": RAM, "flash": FLASH}.get(name)

    def read_memory(self, address, size):
        for r in (RAM, FLASH):
            if r.contains(address, size):
                return bytes(self.memory[r.name][address - r.base : address - r.base + size])
        raise LookupError(f"0x{address:08x} is not inside one memory region")

    def console(self, data, source):
        self.out.append((data, source))

    def request_stop(self, reason, message):
        self.stops.append((reason, message))


def uarte(system: FakeSystem, **extra) -> EasyDmaUart:
    keys = dict(UARTE, enable={"offset": 0x500, "legacy": 4, "dma": 8}, dma_regions=["ram"])
    return EasyDmaUart("uart0", 0x40002000, 0x1000, system=system, where="t", **(keys | extra))


def test_starttx_sends_maxcnt_bytes_from_ram_sets_amount_and_the_events():
    s = FakeSystem()
    u = uarte(s)
    s.memory["ram"][0x100:0x110] = b"hello from nrfx\n"
    u.write(0x500, 4, 8)  # ENABLE = UARTE
    u.write(0x544, 4, 0x20000100)
    u.write(0x548, 4, 16)
    assert u.read(0x120, 4) == 0 and u.read(0x150, 4) == 0
    u.write(0x008, 4, 1)
    assert s.out == [(b"hello from nrfx\n", "uart0")]
    assert u.read(0x54C, 4) == 16  # TXD.AMOUNT
    assert u.read(0x120, 4) == 1 and u.read(0x150, 4) == 1  # ENDTX, TXSTARTED
    assert u.read(0x008, 4) == 0  # tasks are write-only
    u.write(0x120, 4, 0)  # events are cleared by writing 0
    assert u.read(0x120, 4) == 0
    u.write(0x54C, 4, 0)  # AMOUNT is read-only
    assert u.read(0x54C, 4) == 16
    assert u.read(0x158, 4) == 0
    u.write(0x00C, 4, 1)  # STOPTX
    assert u.read(0x158, 4) == 1
    u.write(0x008, 4, 0)  # a 0 written to a task does nothing
    assert len(s.out) == 1 and u.bytes_sent == 16


def test_the_legacy_txd_register_works_when_enable_selects_the_legacy_uart():
    s = FakeSystem()
    u = uarte(s)
    u.write(0x500, 4, 4)  # ENABLE = UART
    u.write(0x008, 4, 1)  # legacy STARTTX: no DMA transfer, no ENDTX
    assert u.read(0x120, 4) == 0 and u.read(0x54C, 4) == 0
    u.write(0x11C, 4, 0)
    u.write(0x51C, 4, ord("A"))
    assert s.out == [(b"A", "uart0")] and u.read(0x11C, 4) == 1
    u.write(0x500, 4, 8)  # UARTE enabled: the legacy TXD register is not there
    u.write(0x51C, 4, ord("B"))
    u.write(0x500, 4, 0)  # disabled: neither transmitter runs
    u.write(0x51C, 4, ord("C"))
    u.write(0x008, 4, 1)
    assert s.out == [(b"A", "uart0")] and u.read(0x120, 4) == 0


def test_easydma_from_flash_stops_the_run_as_the_chip_cannot_read_it():
    s = FakeSystem()
    u = uarte(s)
    u.write(0x500, 4, 8)
    u.write(0x544, 4, 0x200)  # a string literal in flash
    u.write(0x548, 4, 4)
    u.write(0x008, 4, 1)
    assert s.out == [] and u.read(0x120, 4) == 0
    assert s.stops and s.stops[0][0] == "fault" and "outside ram" in s.stops[0][1]


def test_bad_descriptions_are_config_errors():
    with pytest.raises(ConfigError, match=r"t\.txd_ptr must be a word-aligned offset"):
        uarte(FakeSystem(), txd_ptr=0x545)
    with pytest.raises(ConfigError, match="no memory region 'sram'"):
        uarte(FakeSystem(), dma_regions=["sram"])
    with pytest.raises(ConfigError, match=r"t\.enable must be \{offset, legacy, dma\}"):
        uarte(FakeSystem(), enable={"offset": 0x500, "uart": 4})


def test_registers_default_is_what_an_unwritten_word_reads():
    r = Registers("uicr", 0x10001000, 0x1000, where="t", default=0xFFFFFFFF)
    assert r.read(0x20C, 4) == 0xFFFFFFFF and r.read(0x305, 1) == 0xFF
    r.write(0x20C, 1, 0xFE)
    assert r.read(0x20C, 4) == 0xFFFFFFFE
    with pytest.raises(ConfigError, match=r"t\.default must be a 32-bit integer"):
        Registers("x", 0, 0x400, where="t", default=-1)


def _peripheral(name: str):
    t = load_target("nrf52840")
    (spec,) = [p for p in t.peripherals if p.name == name]
    return spec, build(spec, FakeSystem(), where=f"nrf52840: {name}")


def test_ficr_reads_a_production_nrf52840_at_the_documented_addresses():
    spec, ficr = _peripheral("ficr")
    assert spec.base == 0x10000000

    def word(address: int) -> int:
        return ficr.read(address - spec.base, 4)

    assert word(0x10000100) == 0x52840  # INFO.PART
    assert word(0x10000104).to_bytes(4, "big") == b"AAF0"  # INFO.VARIANT: Rev 3 build code
    assert word(0x10000108) == 0x2004  # INFO.PACKAGE QI
    assert (word(0x1000010C), word(0x10000110)) == (256, 1024)  # INFO.RAM, INFO.FLASH in KB
    assert (word(0x10000010), word(0x10000014)) == (4096, 256)  # 256 pages of 4 KB = 1 MB
    # the words the MDK's errata checks read: nRF52840, revision code 5 (Rev 3)
    assert (word(0x10000130), word(0x10000134)) == (8, 5)
    ficr.write(0x100, 4, 0)  # read-only
    assert word(0x10000100) == 0x52840
    t = load_target("nrf52840")
    assert word(0x10000014) * word(0x10000010) == t.flash_bytes
    assert word(0x1000010C) * 1024 == t.ram_bytes


def test_uicr_reads_erased():
    spec, uicr = _peripheral("uicr")
    assert spec.base == 0x10001000
    for offset in (0x200, 0x204, 0x208, 0x20C, 0x304):  # PSELRESET, APPROTECT, NFCPINS, REGOUT0
        assert uicr.read(offset, 4) == 0xFFFFFFFF


def test_nvmc_is_split_around_icachecnf_which_controls_the_flash_icache():
    t = load_target("nrf52840")
    by_name = {p.name: p for p in t.peripherals}
    nvmc, icache = by_name["nvmc"], by_name["nvmc_icache"]
    assert nvmc.base + nvmc.size_bytes == icache.base == 0x4001E540
    assert icache.model == "flash_control" and icache.params["region"] == "flash"
    assert icache.params["icache"] == {"bit": 0}


def test_clock_tasks_set_their_events_and_status_and_the_reset_state_is_the_ps_one():
    spec, clock = _peripheral("clock")
    assert spec.base == 0x40000000 and spec.model == "registers"
    # reset (PS v1.7 CLOCK register table): HFCLK on HFINT (HFCLKSTAT SRC = RC), LFCLK not
    # started, no events, LFCLKSRC = RC
    for offset in (0x100, 0x104, 0x408, 0x40C, 0x414, 0x418, 0x41C, 0x518, 0x304):
        assert clock.read(offset, 4) == 0, hex(offset)
    clock.write(0x000, 4, 0)  # a task written 0 does nothing
    assert clock.read(0x100, 4) == 0 and clock.read(0x40C, 4) == 0
    clock.write(0x000, 4, 1)  # TASKS_HFCLKSTART
    assert clock.read(0x100, 4) == 1  # EVENTS_HFCLKSTARTED
    assert clock.read(0x408, 4) == 1  # HFCLKRUN.STATUS
    assert clock.read(0x40C, 4) == 0x00010001  # HFCLKSTAT: SRC Xtal, STATE Running
    assert clock.read(0x000, 4) == 0  # tasks are write-only
    clock.write(0x100, 4, 0)  # events are cleared by writing 0
    assert clock.read(0x100, 4) == 0
    clock.write(0x40C, 4, 0)  # status is read-only
    assert clock.read(0x40C, 4) == 0x00010001
    clock.write(0x004, 4, 1)  # TASKS_HFCLKSTOP: back on HFINT
    assert clock.read(0x40C, 4) == 0 and clock.read(0x408, 4) == 0
    # LFCLKSTART latches the source LFCLKSRC selects: Synth (2), then Xtal (1)
    for src in (2, 1):
        clock.write(0x518, 4, src)
        clock.write(0x008, 4, 1)
        assert clock.read(0x104, 4) == 1 and clock.read(0x414, 4) == 1
        assert clock.read(0x418, 4) == 0x00010000 | src  # LFCLKSTAT: running from src
        assert clock.read(0x41C, 4) == src  # LFCLKSRCCOPY
        clock.write(0x518, 4, 0)  # a later LFCLKSRC write does not change what runs
        assert clock.read(0x418, 4) == 0x00010000 | src and clock.read(0x41C, 4) == src
        clock.write(0x00C, 4, 1)  # TASKS_LFCLKSTOP
        assert clock.read(0x418, 4) == src and clock.read(0x414, 4) == 0
        clock.write(0x104, 4, 0)
    clock.write(0x304, 4, 0x3)  # INTENSET
    clock.write(0x308, 4, 0x1)  # INTENCLR
    assert clock.read(0x304, 4) == clock.read(0x308, 4) == 0x2


def test_gpio_p0_is_mapped_as_registers_where_nrfx_uarte_configures_its_pins():
    # nrfx_uarte's uarte_configure: OUTSET (TX pin high), PIN_CNF[6] and [8] (TX, RX pins)
    t = load_target("nrf52840")
    for address in (0x50000508, 0x50000718, 0x50000720):
        (spec,) = [p for p in t.peripherals if p.base <= address < p.base + p.size_bytes]
        assert (spec.name, spec.model, spec.base) == ("p0", "registers", 0x50000000)
    _, p0 = _peripheral("p0")
    assert p0.claims(0x508) and p0.register_name(0x718) == "PIN_CNF[6]"
    # reset (Nordic's nrf52840.svd): 0, PIN_CNF[n] 0x2 (input, buffer disconnected)
    for offset in range(0x504, 0x528, 4):
        assert p0.read(offset, 4) == 0, hex(offset)
    assert [p0.read(0x700 + 4 * n, 4) for n in range(32)] == [2] * 32


def test_gpio_p0_set_and_clear_registers_act_on_out_and_dir_which_pin_cnf_shares():
    _, p0 = _peripheral("p0")
    for out, set_, clear in ((0x504, 0x508, 0x50C), (0x514, 0x518, 0x51C)):  # OUT, DIR
        for n in range(32):  # a 1 sets its bit; the others (0) change nothing
            p0.write(set_, 4, 1 << n)
            assert p0.read(out, 4) == p0.read(set_, 4) == p0.read(clear, 4) == (2 << n) - 1
        for n in range(32):
            p0.write(clear, 4, 1 << n)
            assert p0.read(out, 4) == 0xFFFFFFFF & ~((2 << n) - 1)
    p0.write(0x518, 1, 0x40)  # DIRSET, a byte: P0.06 an output
    assert p0.read(0x718, 4) == 0x3  # PIN_CNF[6].DIR is DIR's bit 6
    p0.write(0x720, 4, p0.read(0x720, 4) | 0x1)  # PIN_CNF[8]: read-modify-write to output
    assert p0.read(0x514, 4) == 0x140
    p0.write(0x718, 4, 0xC)  # PIN_CNF[6]: input, pull-up
    assert p0.read(0x514, 4) == 0x100 and p0.read(0x718, 4) == 0xC
    p0.write(0x510, 4, 0xFF)  # IN is read-only: pins are not modelled, all read low
    p0.write(0x520, 4, 0xFF)  # LATCH: write 1 to clear; nothing ever latches
    assert p0.read(0x510, 4) == p0.read(0x520, 4) == 0


def test_a_command_copy_needs_offset_and_mask():
    regs = [{"offset": 0, "commands": [{"mask": 1, "offset": 4, "copy": {"offset": 8}}]}]
    regs += [{"offset": 4}, {"offset": 8}]
    with pytest.raises(ConfigError, match=r"commands\[0\]\.copy must be \{offset, mask\}"):
        Registers("x", 0, 0x100, where="t", registers=regs)
    regs[0]["commands"][0]["copy"] = {"offset": 8, "mask": 0xF0}
    r = Registers("x", 0, 0x100, where="t", registers=regs)
    r.write(8, 4, 0xAB)
    r.write(4, 4, 0x0F)
    r.write(0, 4, 1)
    assert r.read(4, 4) == 0xAF  # bits 7:4 copied from 0x8, the others kept


def _probe(tmp_path: Path, *defines: str) -> Path:
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines)


@needs_gcc
def test_firmware_reads_ficr_uicr_nvmc_and_prints_through_uarte_and_the_legacy_uart(tmp_path):
    p, r = run_cli_report("run", _probe(tmp_path), "--target", "nrf52840", "-q")
    # exit code: bitmask of the probe's failed checks (see tests/nrf/probe.S)
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "ok!\nL\n"
    assert "with code 0 (" in p.stderr  # the bitmask's upper bits too (exit codes keep 8)
    assert r["unknown_mmio"] == [], unmodelled(r)


@needs_gcc
def test_firmware_starting_hfclk_and_lfclk_sees_the_events_and_status_follow(tmp_path):
    elf = build_bare_m4(CLOCK_PROBE, tmp_path / "clock.elf")
    p, r = run_cli_report("run", elf, "--target", "nrf52840", "-q")
    # exit code: bitmask of the probe's failed checks (see tests/nrf/clock.S)
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert r["unknown_mmio"] == [], unmodelled(r)


@needs_gcc
def test_waiting_for_hfclkstarted_without_the_task_is_stuck_on_the_event(tmp_path):
    elf = build_bare_m4(CLOCK_PROBE, tmp_path / "clock.elf", "FORGET_HFCLKSTART")
    p = run_cli("run", elf, "--target", "nrf52840", "-q")
    assert p.returncode == 3, p.stderr
    assert "0x40000100 (clock EVENTS_HFCLKSTARTED)" in p.stderr


@needs_gcc
def test_firmware_giving_easydma_a_flash_buffer_stops_with_a_fault(tmp_path):
    p = run_cli("run", _probe(tmp_path, "FLASH_BUFFER"), "--target", "nrf52840", "-q")
    assert p.returncode == 1, p.stderr
    assert "EasyDMA transmit: transfer of 4 byte(s) from 0x" in p.stderr
    assert "outside ram" in p.stderr and "copied to RAM first" in p.stderr


NRF_ELF = os.environ.get("MCUSIM_NRF_ELF")


@pytest.mark.skipif(
    not NRF_ELF,
    reason="MCUSIM_NRF_ELF not set: the path of a program built with Nordic's nrfx 4.2.1 and its "
    "MDK start-up (nrfx_clock, nrf_nvmc, nrfx_uarte, nrfx_systick, one inference linked; not in "
    "this repository)",
)
def test_an_nrfx_program_starts_hfxo_enables_the_icache_delays_on_systick_and_infers():
    p, r = run_cli_report("run", NRF_ELF, "--target", "nrf52840", "-q", timeout=600)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "hello from nrfx" in out
    # nrfx_clock_start(HFCLK) returned after EVENTS_HFCLKSTARTED; HFCLKSTAT SRC Xtal, running
    assert re.search(r"clock: HFCLKSTAT=0x00010001 \(HFXO running\)", out), out
    assert "SystemCoreClock=64000000" in out
    assert "icache: ICACHECNF=0x00000001 (enabled)" in out  # nrf_nvmc_icache_config_set
    m = re.search(r"nrfx_systick_delay_ms\(5\) took (\d+) DWT cycles", out)
    assert m, out
    assert abs(int(m.group(1)) - 5e-3 * 64e6) <= 0.02 * 5e-3 * 64e6, m.group(0)
    assert "reference=match" in out and "inference: output matches tflite-micro" in out
    assert "stuck" not in p.stderr
    assert r["unknown_mmio"] == [], unmodelled(r)
