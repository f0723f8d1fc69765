"""The efm32wg target's DMA controller (``model = "efm32_dma"``, an Arm PL230 µDMA): a channel on
UART0's TXBL request printing a string by a basic cycle, the control word written back, IF.DONE
and the DMA interrupt; memory-to-memory copies on software requests (auto-request, and a basic
cycle served 2^R_power items per request on the alternate structure); register writes through
the bit-band alias, as emlib's BUS_RegBitWrite makes them. Our own probe (tests/efm32/dma_probe.c,
written from the EFM32WG reference manual and the PL230 TRM) and, when MCUSIM_EFM32_DMA_ELF names
one, a program built outside this repository with Silicon Labs' emlib (em_dma.c)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from simtest import build_bare_m4, elf, needs_gcc, run_cli

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.efm32dma import Efm32Dma
from mcusim.machine.peripherals.registry import build
from mcusim.simulator import RunOptions, Simulator

PROBE = Path(__file__).resolve().parent / "efm32" / "dma_probe.c"
VENDOR_DMA_ELF = os.environ.get("MCUSIM_EFM32_DMA_ELF")


def _run(tmp_path: Path, *defines: str):
    elf = build_bare_m4(
        PROBE, tmp_path / "dma_probe.elf", *defines, flags=("-O1", "-ffreestanding")
    )
    return Simulator(load_target("efm32wg"), RunOptions()).run(elf)


@needs_gcc
def test_a_uart0_txbl_channel_prints_writes_back_its_control_word_and_interrupts(tmp_path):
    r = _run(tmp_path)
    # exit code: bitmask of the probe's failed checks (tests/efm32/dma_probe.c): ALTCTRLBASE,
    # STATUS; one interrupt with IF.DONE0; CTRL written back with cycle_ctrl 'stop' and
    # n_minus_1 0, CHENS cleared, end pointers kept; the auto-request copy, IF.DONE1 without an
    # interrupt; the basic cycle on the alternate structure, two items per software request
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    assert r.console_by_source == {"uart0": "sent by the EFM32 DMA\n"}
    assert r.exceptions_taken == {"IRQ0": 1}
    assert r.unknown_mmio == ()


@needs_gcc
@pytest.mark.parametrize("define", ["MASKED", "NO_ENABLE"])
def test_nothing_moves_while_the_request_is_masked_or_the_controller_disabled(tmp_path, define):
    r = _run(tmp_path, define)
    assert (r.exit_reason, r.exit_code, r.console) == ("exit", 0, ""), r.message
    assert r.exceptions_taken == {}


@needs_gcc
@pytest.mark.parametrize(
    "define, message",
    [
        ("PINGPONG", "dma channel 0: primary descriptor: cycle_ctrl 3, the ping-pong cycle, "
         "is not modelled"),
        ("OTHER_SOURCE", "dma channel 0: requests from SOURCESEL 0x0c SIGSEL 1 are not modelled"),
    ],
)  # fmt: skip
def test_unmodelled_cycles_and_requests_stop_the_run_naming_them(tmp_path, define, message):
    r = _run(tmp_path, define)
    assert r.exit_reason == "fault" and message in r.message, (r.exit_reason, r.message)
    assert r.console == ""


def _dma(**kw) -> Efm32Dma:
    return Efm32Dma("dma", 0x400C2000, 0x2000, system=None, where="d", **{"irq": 0, **kw})


def test_set_and_clear_registers_and_write_only_ones_read_as_a_bit_band_write_needs():
    dma = _dma()
    dma.write(0x028, 4, 0b101)  # CHENS
    dma.write(0x02C, 4, 0b001)  # CHENC
    assert dma.read(0x028, 4) == 0b100
    # a bit-band write reads the word, changes one bit and writes it back: the clear registers,
    # CHSWREQ and CONFIG read 0, so such a write acts on that bit only
    assert [dma.read(o, 4) for o in (0x004, 0x014, 0x01C, 0x024, 0x02C, 0x034, 0x03C)] == [0] * 7
    dma.write(0x004, 4, 0x21)
    assert dma.read(0x000, 4) == 0x100B0001  # STATUS: EN, CHNUM 11
    dma.write(0x008, 4, 0x20001000)
    assert dma.read(0x00C, 4) == 0x20001100  # ALTCTRLBASE
    assert dma.read(0x010, 4) == 0xFFF  # CHWAITSTATUS
    dma.write(0x1004, 4, 0x80000003)  # IFS
    dma.write(0x1008, 4, 0x1)  # IFC
    assert dma.read(0x1000, 4) == 0x80000002 and dma.read(0x1008, 4) == 0
    dma.write(0x1100 + 4 * 11, 4, 0xFFFFFFFF)
    assert dma.read(0x1100 + 4 * 11, 4) == 0x003F000F  # SOURCESEL, SIGSEL
    dma.write(0x101, 1, 0xFF)  # a byte write: an offset the model does not claim
    assert not dma.claims(0x100) and dma.claims(0x1100 + 4 * 11) and not dma.claims(0x1130)
    assert dma.register_name(0x1104) == "CH1_CTRL" and dma.register_name(0x02C) == "CHENC"


def test_bad_descriptions_are_config_errors():
    with pytest.raises(ConfigError, match=r"^d\.irq must be"):
        _dma(irq="0")
    with pytest.raises(ConfigError, match=r"^d\.channels must be"):
        _dma(channels=17)
    with pytest.raises(ConfigError, match=r"^d\.size_bytes must reach"):
        Efm32Dma("dma", 0, 0x1000, system=None, where="d", irq=0)
    good = {"sourcesel": 0x2C, "sigsel": 1, "peripheral": "uart0"}
    with pytest.raises(ConfigError, match=r"^d\.requests\[0\] must be \{sourcesel"):
        _dma(requests=[good])  # no signal
    with pytest.raises(ConfigError, match=r"^d\.requests\[1\] must be"):
        sig = {"offset": 0x10, "bit": 6}
        _dma(requests=[{**good, "signal": sig}, {**good, "sigsel": 16, "signal": sig}])
    with pytest.raises(ConfigError, match=r"^d\.requests must be an array"):
        _dma(requests={"sourcesel": 1})


def test_the_target_wires_uart0_txbl_and_a_missing_peripheral_is_named(tmp_path):
    t = load_target("efm32wg")
    (spec,) = [p for p in t.peripherals if p.model == "efm32_dma"]
    assert (spec.base, spec.params["irq"]) == (0x400C2000, 0)
    req = {(r["sourcesel"], r["sigsel"]): r for r in spec.params["requests"]}
    assert req[(0x2C, 1)]["peripheral"] == "uart0" and req[(0x2C, 1)]["signal"]["bit"] == 6
    board = tmp_path / "nouart.toml"
    text = Path(t.path).read_text().replace('name = "uart0"', 'name = "uart9"')
    board.write_text(text.replace('name = "efm32wg"', 'name = "nouart"'))
    with pytest.raises(ConfigError, match=r"requests: no peripheral 'uart0' in the target"):
        Simulator(load_target(str(board)), RunOptions()).run(elf("efm32wg", "digits"))
    with pytest.raises(ConfigError, match=r"unknown key\(s\) irqs for model 'efm32_dma'"):
        build(type(spec)(**{**spec.__dict__, "params": {**spec.params, "irqs": [0]}}), None,
              where="t")  # fmt: skip


@pytest.mark.skipif(
    not VENDOR_DMA_ELF,
    reason="MCUSIM_EFM32_DMA_ELF not set: the path of a program built with Silicon Labs' "
    "EFM32WG start-up and emlib printing on UART0 by DMA (em_dma.c: DMA_ActivateBasic on "
    "DMAREQ_UART0_TXBL; README: Vendor start-up code; not in this repository)",
)
def test_a_vendor_built_emlib_program_prints_by_dma(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", VENDOR_DMA_ELF, "--target", "efm32wg", "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    lines = r["console_by_source"]["uart0"].splitlines()
    assert "sent by emlib DMA_ActivateBasic on UART0 TXBL" in lines
    assert "DMA done callback called" in lines
    assert r["exceptions_taken"].get("IRQ0", 0) >= 1
    assert r["unknown_mmio"] == []
