"""The stm32f407's DMA1 (``model = "stm32_dma"``) and USART2's interrupt: a transmission by DMA1
stream 6 on USART2's request reaches the console, with the stream's transfer-complete interrupt
and then the USART's TC interrupt, as STM32CubeF4's HAL_UART_Transmit_DMA relies on. Our own
probe (tests/stm32/dma_probe.c, from RM0090's register descriptions) and, when
MCUSIM_CUBEF4_DMA_ELF names one, an STM32CubeF4 HAL program built outside this repository."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli

from mcusim.config import load_target
from mcusim.config.target import MemoryRegion
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.simple import Uart
from mcusim.machine.peripherals.stm32dma import Stm32Dma
from mcusim.simulator import RunOptions, Simulator

PROBE = Path(__file__).resolve().parent / "stm32" / "dma_probe.c"
CUBEF4_DMA = os.environ.get("MCUSIM_CUBEF4_DMA_ELF")
SRAM = MemoryRegion("sram", "ram", 0x20000000, 0x20000, "rwx")
CCM = MemoryRegion("ccm", "ram", 0x10000000, 0x10000, "rw")
FLASH = MemoryRegion("flash", "flash", 0x08000000, 0x10000, "rx")
USART2, DMA1 = 0x40004400, 0x40026000
S6 = 0x10 + 0x18 * 6  # stream 6's SxCR (RM0090 §10.5.11)
CR, NDTR, PAR, M0AR, FCR = S6, S6 + 4, S6 + 8, S6 + 12, S6 + 0x14
HISR, HIFCR = 0x04, 0x0C
TCIF6, HTIF6 = 1 << 21, 1 << 20
EN, TCIE, M2P, MINC, CHSEL4 = 1, 1 << 4, 1 << 6, 1 << 10, 4 << 25


class FakeSystem:
    """Guest SRAM and CCM, the console, pending exceptions and stop requests."""

    def __init__(self):
        self.memory = {"sram": bytearray(SRAM.size_bytes), "ccm": bytearray(CCM.size_bytes)}
        self.out: list[tuple[bytes, str]] = []
        self.pending: list[int] = []
        self.stops: list[tuple[str, str]] = []

    def memory_region(self, name):
        return {"sram": SRAM, "ccm": CCM, "flash": FLASH}.get(name)

    def read_memory(self, address, size):
        for r in (SRAM, CCM):
            if r.contains(address, size):
                return bytes(self.memory[r.name][address - r.base : address - r.base + size])
        raise LookupError(f"0x{address:08x} is not inside one memory region")

    def console(self, data, source):
        self.out.append((data, source))

    def set_pending(self, exception):
        self.pending.append(exception)

    def request_stop(self, reason, message):
        self.stops.append((reason, message))


class FakeMmio:
    def __init__(self, *peripherals):
        self.peripherals = peripherals

    def by_name(self, name):
        return next((p for p in self.peripherals if p.name == name), None)

    def peripheral_at(self, address):
        return next(
            (p for p in self.peripherals if p.base <= address < p.base + p.size_bytes), None
        )


def machine(system: FakeSystem) -> tuple[Stm32Dma, Uart]:
    """USART2 and DMA1 as targets/stm32f407.toml describes them."""
    specs = {p.name: p.params for p in load_target("stm32f407").peripherals}
    usart = Uart("usart2", USART2, 0x400, system=system, where="u", **_keys(specs["usart2"]))
    dma = Stm32Dma("dma1", DMA1, 0x400, system=system, where="d", **_keys(specs["dma1"]))
    dma.connect(FakeMmio(usart, dma))
    return dma, usart


def _keys(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "source" and not k.endswith("_source")}


def write(p, offset, value):
    p.write(offset, 4, value)
    for w in p.write_watchers:
        w(offset)


def start(system: FakeSystem, dma: Stm32Dma, text: bytes, address: int = 0x20000400) -> None:
    region = SRAM if SRAM.contains(address, 1) else CCM
    offset = address - region.base
    system.memory[region.name][offset : offset + len(text)] = text
    write(dma, PAR, USART2 + 4)
    write(dma, M0AR, address)
    write(dma, NDTR, len(text))
    write(dma, CR, CHSEL4 | MINC | M2P | TCIE)
    write(dma, CR, CHSEL4 | MINC | M2P | TCIE | EN)


def test_a_stream_waits_for_its_request_then_sends_everything_at_once():
    system = FakeSystem()
    dma, usart = machine(system)
    assert dma.read(FCR, 4) == 0x21  # reset value (RM0090 §10.5.10)
    start(system, dma, b"hello")
    # enabled, but USART2 has not asked (CR3.DMAT clear): nothing moves
    assert system.out == [] and dma.read(CR, 4) & EN and dma.read(NDTR, 4) == 5
    write(usart, 0x14, 1 << 7)  # DMAT
    assert b"".join(d for d, _ in system.out) == b"hello"
    assert {s for _, s in system.out} == {"usart2"}
    assert dma.read(NDTR, 4) == 0 and not dma.read(CR, 4) & EN
    assert dma.read(HISR, 4) == TCIF6 | HTIF6
    assert system.pending == [16 + 17]  # DMA1_Stream6, TCIE set
    write(dma, HIFCR, TCIF6 | HTIF6)
    assert dma.read(HISR, 4) == 0 and system.pending == [33]
    # the HAL's next step: CR1.TCIE with SR.TC set raises USART2's interrupt (IRQ 38)
    write(usart, 0x0C, (1 << 13) | (1 << 6))
    assert system.pending == [33, 16 + 38]
    write(usart, 0x0C, 1 << 13)
    write(usart, 0x0C, (1 << 13) | (1 << 6))
    assert system.pending == [33, 54, 54]  # a new rising edge
    assert system.stops == []


def test_a_channel_other_than_the_requests_never_moves_and_config_is_locked_while_enabled():
    system = FakeSystem()
    dma, usart = machine(system)
    system.memory["sram"][0x400:0x403] = b"abc"
    write(dma, PAR, USART2 + 4)
    write(dma, M0AR, 0x20000400)
    write(dma, NDTR, 3)
    write(dma, CR, (5 << 25) | MINC | M2P | EN)  # channel 5: not USART2_TX
    write(usart, 0x14, 1 << 7)
    assert system.out == [] and dma.read(NDTR, 4) == 3
    write(dma, NDTR, 9)  # "forbidden to write these registers when the EN bit is read as 1"
    write(dma, CR, (4 << 25) | MINC | M2P | EN)
    assert dma.read(NDTR, 4) == 3 and dma.read(CR, 4) >> 25 == 5


def test_a_buffer_no_dma_reaches_stops_the_run_with_a_message():
    system = FakeSystem()
    dma, usart = machine(system)
    dma.dma_regions = ("sram",)
    start(system, dma, b"x", address=0x10000000)
    write(usart, 0x14, 1 << 7)
    assert system.out == []
    assert system.stops == [
        ("fault", "dma1 stream 6: transfer of 1 byte(s) from 0x10000000 is outside sram, the "
         "memory this DMA controller reaches")
    ]  # fmt: skip


def test_unmodelled_modes_stop_rather_than_do_nothing():
    system = FakeSystem()
    dma, usart = machine(system)
    write(usart, 0x14, 1 << 7)
    write(dma, NDTR, 1)
    write(dma, CR, CHSEL4 | EN)  # peripheral-to-memory
    assert system.stops and "peripheral-to-memory transfers are not modelled" in system.stops[0][1]


def test_bad_descriptions_are_config_errors():
    system = FakeSystem()
    with pytest.raises(ConfigError, match="irqs must list"):
        Stm32Dma("d", DMA1, 0x400, system=system, where="d", irqs=[11])
    with pytest.raises(ConfigError, match="stream"):
        Stm32Dma("d", DMA1, 0x400, system=system, where="d", irqs=list(range(8)),
                 requests=[{"stream": 9, "channel": 4, "peripheral": "usart2",
                            "enable": {"offset": 0x14, "bit": 7}}])  # fmt: skip
    dma = Stm32Dma("d", DMA1, 0x400, system=system, where="d", irqs=list(range(8)),
                   requests=[{"stream": 6, "channel": 4, "peripheral": "uart9",
                              "enable": {"offset": 0x14, "bit": 7}}])  # fmt: skip
    with pytest.raises(ConfigError, match="no peripheral 'uart9'"):
        dma.connect(FakeMmio(dma))
    with pytest.raises(ConfigError, match="needs irq"):
        tc = {"flag": {"offset": 0, "bit": 6}, "enable": {"offset": 12, "bit": 6}}
        Uart("u", USART2, 0x400, system=system, where="u", tx_data_offset=4, interrupts=[tc])


def _probe(tmp_path: Path, *defines: str) -> Path:
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines, flags=("-O1",), base=0x08000000)


@needs_gcc
def test_firmware_sends_by_dma_and_takes_the_stream_and_usart_interrupts(tmp_path):
    r = Simulator(load_target("stm32f407"), RunOptions()).run(_probe(tmp_path))
    # exit code: bitmask of the probe's failed checks (tests/stm32/dma_probe.c): one stream
    # and one USART interrupt, TCIF6 seen in HISR, NDTR = 0 and EN = 0 in the handler and after
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    assert r.console_by_source == {"usart2": "sent by DMA1 stream 6\n"}
    assert r.exceptions_taken == {"IRQ17": 1, "IRQ38": 1}
    assert r.unknown_mmio == ()


@needs_gcc
def test_firmware_sends_from_flash_and_nothing_moves_without_the_request(tmp_path):
    r = Simulator(load_target("stm32f407"), RunOptions()).run(_probe(tmp_path, "FLASH_BUFFER"))
    assert (r.exit_reason, r.exit_code, r.console) == ("exit", 0, "sent by DMA1 stream 6\n")
    r = Simulator(load_target("stm32f407"), RunOptions()).run(_probe(tmp_path, "NO_DMAT"))
    assert (r.exit_reason, r.exit_code, r.console) == ("exit", 0, "")
    assert r.exceptions_taken == {}


@needs_gcc
def test_firmware_giving_dma_a_ccm_buffer_stops_with_one_line(tmp_path):
    p = run_cli("run", _probe(tmp_path, "CCM_BUFFER"), "--target", "stm32f407", "-q")
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip().splitlines() == [
        "mcusim: dma1 stream 6: transfer of 22 byte(s) from 0x10000000 is outside flash, sram, "
        "the memory this DMA controller reaches (exit code 1)"
    ]


@pytest.mark.skipif(
    not CUBEF4_DMA,
    reason="MCUSIM_CUBEF4_DMA_ELF not set: the path of an STM32CubeF4 HAL program printing with "
    "HAL_UART_Transmit_DMA, then HAL_UART_Transmit (README: Vendor start-up code; not in this "
    "repository)",
)
def test_a_cube_f4_program_prints_through_hal_uart_transmit_dma(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", CUBEF4_DMA, "--target", "stm32f407", "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    lines = r["console_by_source"]["usart2"].splitlines()
    assert [x for x in lines if "HAL_UART_Transmit" in x] == [
        "sent with HAL_UART_Transmit_DMA, TxCpltCallback called",
        "sent with HAL_UART_Transmit (polled)",
    ]
    assert r["exceptions_taken"].get("IRQ17", 0) >= 1 and r["exceptions_taken"].get("IRQ38", 0) >= 1
    assert r["unknown_mmio"] == []
