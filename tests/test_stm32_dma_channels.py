"""The channel-style STM32 DMA (``model = "stm32_dma_channels"``): the stm32f103's DMA1 with
its fixed request mapping (USART1_TX on channel 4) and the stm32l4r5's DMA2 fed by DMAMUX1
(LPUART1_TX, request 35), each with its UART's interrupt, as STM32Cube's HAL_UART_Transmit_DMA
relies on. Our own probe (tests/stm32/dma_ch_probe.c, from RM0008 / RM0432 register
descriptions) and, when MCUSIM_CUBEF1_DMA_ELF / MCUSIM_CUBEL4_DMA_ELF name them, STM32CubeF1 /
STM32CubeL4 HAL programs built outside this repository."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.stm32dmach import Stm32DmaChannels
from mcusim.simulator import RunOptions, Simulator

PROBE = Path(__file__).resolve().parent / "stm32" / "dma_ch_probe.c"
CUBEF1_DMA = os.environ.get("MCUSIM_CUBEF1_DMA_ELF")
CUBEL4_DMA = os.environ.get("MCUSIM_CUBEL4_DMA_ELF")
# the target, the probe's defines and compiler flags, the DMA channel and UART IRQs
F1 = ("stm32f103", (), ("-O1", "-mcpu=cortex-m3"), "IRQ14", "IRQ37", "usart1")
L4 = ("stm32l4r5", ("L4R5",), ("-O1",), "IRQ68", "IRQ70", "lpuart1")


def _probe(tmp_path: Path, board, *defines: str) -> Path:
    _, own, flags, *_ = board
    out = tmp_path / f"probe_{board[0]}.elf"
    return build_bare_m4(PROBE, out, *own, *defines, flags=flags, base=0x08000000)


@needs_gcc
@pytest.mark.parametrize("board", [F1, L4], ids=["stm32f103", "stm32l4r5"])
@pytest.mark.parametrize("buffer", [(), ("FLASH_BUFFER",)], ids=["sram", "flash"])
def test_firmware_sends_by_dma_and_takes_the_channel_and_uart_interrupts(tmp_path, board, buffer):
    r = Simulator(load_target(board[0]), RunOptions()).run(_probe(tmp_path, board, *buffer))
    # exit code: bitmask of the probe's failed checks (tests/stm32/dma_ch_probe.c): two channel
    # entries (HT, then TC) and one UART interrupt, GIF and TCIF in ISR, CNDTR = 0, EN still
    # set after the transfer and cleared by the firmware, CGIF clearing the channel's flags
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    assert r.console_by_source == {board[5]: "sent by DMA channel\n"}
    assert r.exceptions_taken == {board[3]: 2, board[4]: 1}
    assert r.unknown_mmio == ()


@needs_gcc
@pytest.mark.parametrize(
    "board, define",
    [(F1, "NO_DMAT"), (L4, "NO_DMAT"), (L4, "OTHER_REQUEST")],
    ids=["stm32f103-no-dmat", "stm32l4r5-no-dmat", "stm32l4r5-other-dmamux-request"],
)
def test_nothing_moves_without_the_request(tmp_path, board, define):
    r = Simulator(load_target(board[0]), RunOptions()).run(_probe(tmp_path, board, define))
    assert (r.exit_reason, r.exit_code, r.console) == ("exit", 0, "")
    assert r.exceptions_taken == {}


def test_bad_descriptions_are_config_errors():
    def dma(**kw):
        return Stm32DmaChannels("d", 0x40020000, 0x400, system=None, where="d", **kw)

    with pytest.raises(ConfigError, match="irqs must list"):
        dma(irqs=[])
    en = {"offset": 0x14, "bit": 7}
    with pytest.raises(ConfigError, match=r"channel \(1-7\)"):
        dma(irqs=list(range(7)), requests=[{"channel": 8, "peripheral": "u", "enable": en}])
    with pytest.raises(ConfigError, match="request"):  # a DMAMUX selects by request number
        dma(irqs=list(range(7)), dmamux={"peripheral": "m", "first_channel": 0},
            requests=[{"channel": 4, "peripheral": "u", "enable": en}])  # fmt: skip
    with pytest.raises(ConfigError, match="dmamux must be"):
        dma(irqs=list(range(7)), dmamux={"peripheral": "m"})


@pytest.mark.skipif(
    not CUBEF1_DMA,
    reason="MCUSIM_CUBEF1_DMA_ELF not set: the path of an STM32CubeF1 HAL program printing with "
    "HAL_UART_Transmit_DMA, then HAL_UART_Transmit (README: Vendor start-up code; not in this "
    "repository)",
)
def test_a_cube_f1_program_prints_through_hal_uart_transmit_dma(tmp_path):
    _cube(tmp_path, CUBEF1_DMA, F1)


@pytest.mark.skipif(
    not CUBEL4_DMA,
    reason="MCUSIM_CUBEL4_DMA_ELF not set: the path of an STM32CubeL4 HAL program printing with "
    "HAL_UART_Transmit_DMA, then HAL_UART_Transmit (README: Vendor start-up code; not in this "
    "repository)",
)
def test_a_cube_l4_program_prints_through_hal_uart_transmit_dma(tmp_path):
    _cube(tmp_path, CUBEL4_DMA, L4)


def test_stm32l4r5_has_the_console_pins_gpio_port():
    # a CubeMX LPUART1 set-up (HAL_UART_MspInit) puts PG7/PG8 in AF8 with HAL_GPIO_Init, which
    # reads and writes GPIOG MODER, OTYPER, OSPEEDR, PUPDR, AFRL and AFRH: without a gpiog block
    # the Cube L4 DMA program's run listed these as unknown MMIO
    (g,) = [p for p in load_target("stm32l4r5").peripherals if p.base == 0x48001800]
    assert (g.name, g.model) == ("gpiog", "registers")
    regs = {r["offset"]: (r["name"], r["reset"]) for r in g.params["registers"]}
    assert regs[0x00] == ("MODER", 0xFFFFFFFF)
    assert {o: regs[o][0] for o in (0x04, 0x08, 0x0C, 0x20, 0x24)} == {
        0x04: "OTYPER",
        0x08: "OSPEEDR",
        0x0C: "PUPDR",
        0x20: "AFRL",
        0x24: "AFRH",
    }


def _cube(tmp_path: Path, elf: str, board) -> None:
    out = tmp_path / "r.json"
    p = run_cli("run", elf, "--target", board[0], "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    lines = r["console_by_source"][board[5]].splitlines()
    assert [x for x in lines if "HAL_UART_Transmit" in x] == [
        "sent with HAL_UART_Transmit_DMA, TxCpltCallback called",
        "sent with HAL_UART_Transmit (polled)",
    ]
    taken = r["exceptions_taken"]
    assert taken.get(board[3], 0) >= 1 and taken.get(board[4], 0) >= 1
    assert r["unknown_mmio"] == []
