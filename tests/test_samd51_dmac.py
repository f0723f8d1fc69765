"""The samd51 target's DMAC (``model = "samd51_dmac"``): transfer descriptors in SRAM, SERCOM3's
TX trigger moving a block to the console, linked descriptors, the write-back, CHINTFLAG and the
DMAC_n interrupts, a software-triggered memory-to-memory copy. Our own probe
(tests/samd51/dma_probe.c, from the data sheet DS60001507 §22) and, when MCUSIM_SAMD51_DMA_ELF
names it, a program built outside this repository with Microchip's ASF4 HPL DMAC driver."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from simtest import build_bare_m4, needs_gcc, run_cli

from mcusim.config import load_target
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.registry import build
from mcusim.machine.peripherals.samd51dma import Samd51Dmac
from mcusim.simulator import RunOptions, Simulator

PROBE = Path(__file__).resolve().parent / "samd51" / "dma_probe.c"
VENDOR_DMA_ELF = os.environ.get("MCUSIM_SAMD51_DMA_ELF")


def _probe(tmp_path: Path, *defines: str) -> Path:
    out = tmp_path / f"dma_probe{'_'.join(('',) + defines)}.elf"
    return build_bare_m4(PROBE, out, *defines, flags=("-O1", "-ffreestanding"))


def _run(elf: Path):
    return Simulator(load_target("samd51"), RunOptions()).run(elf)


@needs_gcc
def test_sercom3_tx_trigger_prints_linked_descriptors_and_takes_the_channel_interrupts(tmp_path):
    r = _run(_probe(tmp_path))
    # exit code: bitmask of the probe's failed checks (tests/samd51/dma_probe.c): INTPEND.ID and
    # TCMPL in the DMAC_2 handler, CHINTFLAG cleared, the channel disabled at the end, the
    # write-back (VALID 0, BTCNT 0, the last descriptor's addresses, DESCADDR 0), the descriptor
    # section untouched, the memory-to-memory copy and its interrupt on the shared DMAC_4 line,
    # the software trigger pending until DMAENABLE
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    assert r.console_by_source == {"sercom3": "sent by the DMAC on channel 2\n"}
    assert r.exceptions_taken == {"IRQ33": 1, "IRQ35": 1}
    assert r.unknown_mmio == ()


@needs_gcc
def test_a_disabled_priority_level_keeps_the_trigger_pending(tmp_path):
    r = _run(_probe(tmp_path, "NO_LEVEL"))
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message
    assert r.console == ""
    assert r.exceptions_taken == {"IRQ35": 1}  # channel 6, on level 0, ran


@needs_gcc
@pytest.mark.parametrize(
    "define, message",
    [
        ("EVENTS", "dmac channel 2: events (CHEVCTRL.EVIE/EVOE) are not modelled"),
        ("NOT_VALID", "dmac channel 2: a descriptor with BTCTRL.VALID 0"),
    ],
)
def test_unmodelled_modes_stop_the_run_naming_the_channel(tmp_path, define, message):
    r = _run(_probe(tmp_path, define))
    assert r.exit_reason == "fault"
    assert message in r.message
    assert r.console == ""


def _dmac(**kw):
    kw.setdefault("irqs", [31, 32, 33, 34, 35])
    return Samd51Dmac("dmac", 0x4100A000, 0x400, system=None, where="t.dmac", **kw)


def test_bad_descriptions_are_config_errors():
    dre = {"offset": 0x18, "bit": 0}
    with pytest.raises(ConfigError, match=r"t\.dmac\.irqs must list"):
        _dmac(irqs=[])
    with pytest.raises(ConfigError, match=r"t\.dmac\.channels must be"):
        _dmac(channels=33)
    with pytest.raises(ConfigError, match=r"t\.dmac\.size_bytes must hold"):
        Samd51Dmac("d", 0, 0x100, system=None, where="t.dmac", irqs=[1])
    with pytest.raises(ConfigError, match=r"t\.dmac\.triggers\[0\] must be \{trigsrc"):
        _dmac(triggers=[{"trigsrc": 0, "peripheral": "sercom3", "ready": dre}])
    with pytest.raises(ConfigError, match=r"t\.dmac\.triggers\[0\] must be"):
        _dmac(triggers=[{"trigsrc": 11, "peripheral": "sercom3", "ready": {"offset": 0x19}}])

    class NoPeripherals:
        def by_name(self, name):
            return None

    with pytest.raises(ConfigError, match=r"t\.dmac\.triggers: no peripheral 'sercom9'"):
        _dmac(triggers=[{"trigsrc": 11, "peripheral": "sercom9", "ready": dre}]).connect(
            NoPeripherals()
        )
    t = load_target("samd51")
    (spec,) = [p for p in t.peripherals if p.name == "dmac"]
    bad = type(spec)(**{**spec.__dict__, "params": {**spec.params, "channel": 4}})
    with pytest.raises(ConfigError, match=r"unknown key\(s\) channel"):
        build(bad, None, where="t.dmac")


def test_samd51_describes_its_dmac_and_the_sercom3_tx_trigger():
    (spec,) = [p for p in load_target("samd51").peripherals if p.name == "dmac"]
    assert (spec.model, spec.base) == ("samd51_dmac", 0x4100A000)
    assert spec.params["irqs"] == [31, 32, 33, 34, 35]
    (trigger,) = spec.params["triggers"]
    assert (trigger["trigsrc"], trigger["peripheral"], trigger["ready"]) == (
        0x0B,
        "sercom3",
        {"offset": 0x18, "bit": 0},
    )


def test_registers_read_back_and_flags_clear_by_writing_one():
    d = _dmac()
    assert d.read(0x14, 4) == 0x40404040  # PRICTRL0 reset
    d.write(0x34, 4, 0x20001003)  # BASEADDR: 128-bit aligned
    assert d.read(0x34, 4) == 0x20001000
    d.write(0x4D + 0x10 * 3, 1, 0x7)  # CHINTENSET3
    assert d.read(0x4C + 0x10 * 3, 1) == 0x7  # CHINTENCLR reads the enables
    d.write(0x4C + 0x10 * 3, 1, 0x2)
    assert d.read(0x4D + 0x10 * 3, 1) == 0x5
    d.chintflag[3] = 0x3
    d.system = _Pending()
    d.write(0x4E + 0x10 * 3, 1, 0x2)  # CHINTFLAG: write 1 to clear TCMPL
    assert d.read(0x4E + 0x10 * 3, 1) == 0x1
    assert d.read(0x20, 2) == 3 | 0x1 << 8  # INTPEND: channel 3's TERR
    assert d.read(0x24, 4) == 1 << 3  # INTSTATUS
    assert d.claims(0x3C) is False and d.claims(0x47) is False  # reserved offsets
    assert d.register_name(0x4E + 0x10 * 3) == "CHINTFLAG3"


class _Pending:
    def __init__(self):
        self.pended: list[int] = []

    def set_pending(self, exception):
        self.pended.append(exception)

    def request_stop(self, reason, message):
        raise AssertionError(message)


@pytest.mark.skipif(
    not VENDOR_DMA_ELF,
    reason="MCUSIM_SAMD51_DMA_ELF not set: the path of a program built with Microchip's ASF4 "
    "(start-up, _init_chip, HPL DMAC driver) printing on SERCOM3 by DMA (README: Vendor start-up "
    "code; not in this repository)",
)
def test_an_asf4_program_prints_through_the_dmac(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", VENDOR_DMA_ELF, "--target", "samd51", "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    lines = r["console_by_source"]["sercom3"].splitlines()
    assert "sent by the DMAC (ASF4 hpl_dmac), transfer_done called" in lines
    assert "memory to memory by software trigger: ok, callbacks 2/1, errors 0" in lines
    assert any(k in r["exceptions_taken"] for k in ("IRQ31", "IRQ32", "IRQ33", "IRQ34", "IRQ35"))
    assert r["unknown_mmio"] == []
