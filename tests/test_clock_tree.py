"""The clock the firmware configures (mcusim/config/clocktree.py): the STM32L4 rule against
values worked out by hand from RM0432 §6.2-6.4, and the [clock_tree] checks."""

from __future__ import annotations

import pytest

from mcusim.config import load_target
from mcusim.config.clocktree import load_clock_tree, stm32l4_core_hz
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
