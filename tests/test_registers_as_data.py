"""Registers as data (the `registers` peripheral model): reset values, status bits that follow
their enable bits, read-only and write-1-to-clear bits, byte accesses."""

from __future__ import annotations

import pytest

from mcusim.errors import ConfigError
from mcusim.peripherals.simple import Registers

RCC = [
    # an STM32-style clock control register: MSION/MSIRDY, HSION->HSIRDY, PLLON->PLLRDY
    {"offset": 0x0, "name": "CR", "reset": 0x63, "follow": [[0, 1], [8, 10], [24, 25]]},
    # SWS (bits 3:2) follows SW (bits 1:0)
    {"offset": 0x8, "name": "CFGR", "follow": [{"from": 0, "to": 2, "width": 2}]},
    # an interrupt flag register: bits 0-1 write-1-to-clear, bit 31 read-only
    {"offset": 0x18, "reset": 0x80000003, "read_only": 0x80000000, "write_1_to_clear": 3},
]


def regs() -> Registers:
    return Registers("rcc", 0x40021000, 0x400, where="t.toml: peripheral[0]", registers=RCC)


def test_ready_bits_follow_their_enable_bits_and_a_switch_is_reported_in_its_status():
    r = regs()
    assert r.read(0x0, 4) == 0x63  # reset: MSI on and ready
    r.write(0x0, 4, 0x63 | 1 << 24)  # PLLON
    assert r.read(0x0, 4) == 0x63 | 3 << 24  # PLLRDY follows
    r.write(0x0, 4, 0x63)
    assert r.read(0x0, 4) & 1 << 25 == 0
    r.write(0x8, 4, 0b11)  # SW = PLL
    assert r.read(0x8, 4) == 0b1111  # SWS = PLL
    r.write(0x3, 1, 0x01)  # byte write of CR[31:24]: PLLON again
    assert r.read(0x3, 1) == 0x03 and r.read(0x0, 4) == 0x03000063


def test_read_only_and_write_1_to_clear_bits():
    r = regs()
    r.write(0x18, 4, 0x00000001)  # clears bit 0, keeps bit 1 (a 0 written), bit 31 read-only
    assert r.read(0x18, 4) == 0x80000002
    r.write(0x18, 4, 0x7FFFFFFC)  # bits 2-30 read back; the flags keep their state
    assert r.read(0x18, 4) == 0xFFFFFFFE
    r.write(0x19, 1, 0xFF)  # a byte write elsewhere does not clear bit 0 or set bit 1 anew
    assert r.read(0x18, 4) & 0x3 == 0x2


def test_bad_register_descriptions_are_config_errors_naming_the_entry():
    with pytest.raises(ConfigError, match=r"peripheral\[0\]\.registers\[0\] needs an integer"):
        Registers("x", 0, 0x400, where="t.toml: peripheral[0]", registers=[{"offset": 2}])
    with pytest.raises(ConfigError, match=r"registers\[0\]\.follow entries"):
        Registers("x", 0, 0x400, where="t.toml: peripheral[0]",
                  registers=[{"offset": 0, "follow": [[31, 40]]}])  # fmt: skip
