"""The clock the firmware configures (mcusim/config/clocktree.py): the STM32L4 rule against
values worked out by hand from RM0432 §6.2-6.4, and the [clock_tree] checks."""

from __future__ import annotations

import pytest

from mcusim.config import load_target
from mcusim.config.clocktree import load_clock_tree, stm32f4_core_hz, stm32l4_core_hz
from mcusim.errors import ConfigError

RESET = {0x00: 0x00000063, 0x08: 0x0, 0x0C: 0x00001000, 0x94: 0x0C000600}  # RM0432 reset values


def hz(**regs):
    values = RESET | {int(k[1:], 16): v for k, v in regs.items()}
    return stm32l4_core_hz(lambda offset: values.get(offset, 0), hse_hz=8e6)


def test_stm32l4_clock_from_rcc_registers_as_computed_by_hand():
    assert hz() == 4e6  # reset: MSI range 6 (CR bits 7:4 = 6, MSIRGSEL set), SW = MSI
    assert hz(o0=0x0BB) == 48e6  # MSIRANGE 11 (bits 7:4 = 0xB)
    assert hz(o0=0x09B) == 24e6  # MSIRANGE 9
    assert hz(o8=0x4) == 16e6  # SWS = HSI16
    assert hz(o8=0x8) == 8e6  # SWS = HSE (the board's 8 MHz)
    # the CubeMX 120 MHz set-up: PLLSRC MSI (1), M = 1, N = 60, R = 2; SWS = PLL
    assert hz(o8=0xF, oC=0x11003C01) == 120e6
    # HSE 8 MHz / M 2 x N 40 / R 4 = 40 MHz; AHB /2 (HPRE 1000) -> 20 MHz
    assert hz(o8=0x8C, oC=0x03002813) == 20e6
    # MSIRGSEL clear: the range comes from CSR.MSISRANGE (bits 11:8 = 7: 8 MHz)
    assert hz(o0=0x61, o94=0x700) == 8e6
    assert hz(o8=0xC, oC=0x0) == 0.0  # PLL selected with no input clock


def test_the_built_in_target_starts_at_its_nominal_clock():
    t = load_target("stm32l4r5")
    regs = next(p for p in t.peripherals if p.name == "rcc").params["registers"]
    values = {r["offset"]: r["reset"] for r in regs}
    assert t.clock_tree.core_hz(lambda o: values.get(o, 0)) == t.clock_hz == 120e6
    assert t.clock_tree.max_hz(5) == 120e6 and t.clock_tree.max_hz(3) == 80e6


@pytest.mark.parametrize(
    "spec, problem",
    [
        ({"model": "x", "peripheral": "rcc", "source": "s"}, "model must be one of"),
        ({"model": "stm32l4", "source": "s"}, "peripheral must name"),
        ({"model": "stm32l4", "peripheral": "rcc"}, "needs a source"),
        ({"model": "stm32l4", "peripheral": "rcc", "source": "s", "hz": 1}, "unknown key"),
        ({"model": "stm32l4", "peripheral": "rcc", "source": "s", "hse_hz": -1}, "hse_hz"),
    ],
)
def test_a_bad_clock_tree_table_is_one_error(spec, problem):
    with pytest.raises(ConfigError, match=problem):
        load_clock_tree(spec, "board.toml")


def test_a_clock_tree_must_name_a_registers_peripheral(tmp_path):
    board = tmp_path / "b.toml"
    board.write_text(
        'schema = 1\nextends = "stm32l4r5"\nname = "b"\n[clock_tree]\nperipheral = "lpuart1"\n'
    )
    with pytest.raises(ConfigError, match="'lpuart1' is not a registers peripheral"):
        load_target(str(board))


def test_an_explicit_clock_pins_the_core_clock():
    assert load_target("stm32l4r5").clock_tree is not None
    pinned = load_target("stm32l4r5", clock_hz=80e6)
    assert pinned.clock_tree is None and pinned.clock_hz == 80_000_000


def efm32(**regs):
    from mcusim.config.clocktree import efm32_core_hz

    # EFM32WG-RM reset values: CTRL 0x000C262C, HFCORECLKDIV 0, HFRCOCTRL 0x380, STATUS 0x403
    values = {0x00: 0x000C262C, 0x04: 0, 0x0C: 0x380, 0x2C: 0x403}
    values |= {int(k[1:], 16): v for k, v in regs.items()}
    return efm32_core_hz(lambda offset: values.get(offset, 0), hse_hz=48e6)


def test_efm32_clock_from_cmu_registers_as_computed_by_hand():
    assert efm32(o0=0x000C262C) == 14e6  # reset: HFRCOSEL, band 3 (14 MHz)
    assert efm32(oC=0x580) == 28e6  # BAND 5
    assert efm32(oC=0x080) == 1e6  # BAND 0
    assert efm32(o2C=0x80F) == 48e6  # HFXOSEL: the STK3800's 48 MHz crystal
    assert efm32(o2C=0x80F, o4=0x1) == 24e6  # HFCORECLKDIV /2
    assert efm32(o2C=0x80F, o4=0x100) == 48e6  # HFCORECLKLEDIV (bit 8) is not the core's
    assert efm32(o2C=0x80F, o0=0x000C262C | 2 << 14) == 16e6  # CTRL.HFCLKDIV 2: /3
    assert efm32(o2C=0x2000) == 32768 and efm32(o2C=0x1000) == 32768  # LFXO, LFRCO
    assert efm32(o2C=0x3) == 0.0  # no source selected


def samd51(gen=None, osc=None, cpudiv=1):
    from mcusim.config.clocktree import samd51_core_hz

    # DS60001507 reset: GENCTRL0 = DFLL48M (6) | GENEN, DFLLCTRLA 0x82 (enabled), DPLLs off
    g = {0x20: 0x00000106} | (gen or {})
    o = {0x1C: 0x82, 0x30: 0x80, 0x38: 0x20, 0x44: 0x80, 0x4C: 0x20} | (osc or {})
    return samd51_core_hz(
        lambda off: g.get(off, 0), lambda off: o.get(off, 0), lambda off: cpudiv << 8, hse_hz=12e6
    )


def test_samd51_clock_from_gclk_oscctrl_and_mclk_as_computed_by_hand():
    assert samd51() == 48e6  # reset: GCLK0 from DFLL48M
    assert samd51(cpudiv=4) == 12e6
    assert samd51(osc={0x1C: 0}) == 0.0  # DFLL off
    assert samd51(gen={0x20: 0x00030106}) == 16e6  # DIV 3
    assert samd51(gen={0x20: 0x00021106}) == 6e6  # DIVSEL: 48 MHz / 2^(2 + 1)
    assert samd51(gen={0x20: 0x00000104}) == 32768  # OSCULP32K
    # the Adafruit/CircuitPython 120 MHz: DPLL0 = GCLK5 (DFLL / 24 = 2 MHz) x (59 + 1)
    adafruit = {0x20: 0x00010907, 0x34: 0x00180906, 0x84: 0x45}
    assert samd51(gen=adafruit, osc={0x30: 0x2, 0x34: 59, 0x38: 0}) == 120e6
    assert samd51(gen=adafruit, osc={0x30: 0x2, 0x34: 59 | 16 << 16, 0x38: 0}) == 121e6
    assert samd51(gen=adafruit, osc={0x30: 0x0, 0x34: 59, 0x38: 0}) == 0.0  # DPLL0 off
    # DPLL0 from XOSC0 (12 MHz, enabled) / (2 x (DIV 2 + 1)) = 2 MHz, x 50 = 100 MHz
    xosc = {0x14: 0x2, 0x30: 0x2, 0x34: 49, 0x38: 2 << 5 | 2 << 16}
    assert samd51(gen={0x20: 0x107}, osc=xosc) == 100e6
    assert samd51(gen={0x20: 0x107}, osc=xosc | {0x14: 0}) == 0.0  # XOSC0 off
    assert samd51(gen={0x20: 0x103, 0x24: 0x103}) == 0.0  # generator 1 from itself: no clock


@pytest.mark.parametrize("name", ["samd51", "efm32wg"])
def test_the_samd51_and_efm32wg_targets_start_at_their_nominal_clock(name):
    t = load_target(name)
    blocks = {
        p.name: p.params["registers"] for p in t.peripherals if p.name in t.clock_tree.peripherals
    }
    reads = [
        (lambda o, v={r["offset"]: r["reset"] for r in blocks[n]}: v.get(o, 0))
        for n in t.clock_tree.peripherals
    ]
    assert t.clock_tree.core_hz(*reads) == t.clock_hz
    assert t.clock_tree.max_hz(2) == {"samd51": 77e6, "efm32wg": 48e6}[name]


def test_a_rule_reading_several_blocks_needs_them_all():
    spec = {"model": "samd51", "peripheral": "gclk", "source": "s"}
    with pytest.raises(ConfigError, match="the samd51 rule reads 3 registers peripheral"):
        load_clock_tree(spec, "board.toml")
    spec["peripheral"] = ["gclk", "oscctrl", "mclk"]
    assert load_clock_tree(spec, "board.toml").peripherals == ("gclk", "oscctrl", "mclk")


def test_stm32f4_clock_from_rcc_registers_as_computed_by_hand():
    def hz(cfgr: int, pllcfgr: int = 0x24003010) -> float:
        values = {0x08: cfgr, 0x04: pllcfgr}
        return stm32f4_core_hz(lambda offset: values.get(offset, 0), hse_hz=8e6)

    assert hz(0x0) == 16e6  # reset: SWS = HSI
    assert hz(0x4) == 8e6  # SWS = HSE
    # the usual 168 MHz: HSE 8 MHz / M 8 x N 336 / P 2 (PLLP 00), PLLSRC = HSE (bit 22)
    pll = (1 << 22) | (336 << 6) | 8
    assert hz(0x8, pll) == 168e6
    assert hz(0x8) == 16e6 / 16 * 192 / 2  # the reset PLLCFGR, from HSI: 96 MHz
    assert hz(0x8 | (0b1000 << 4), pll) == 84e6  # HPRE /2
    assert hz(0x8, pll | (1 << 16)) == 8e6 / 8 * 336 / 4  # PLLP 01: /4
    assert load_target("stm32f407").clock_tree.model == "stm32f4"
