"""Registers as data (the `registers` peripheral model): reset values, status bits that follow
their enable bits, read-only and write-1-to-clear bits, byte accesses."""

from __future__ import annotations

import pytest

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.simple import Registers

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


def test_a_status_bit_may_follow_a_bit_of_another_register():
    # an STM32 LPUART: ISR.TEACK (bit 21) follows CR1.TE (bit 3), as HAL_UART_Init waits for
    uart = [{"offset": 0x1C, "reset": 0xC0, "read_only": 0xFFFFFFFF,
             "follow": [{"from": 3, "to": 21, "offset": 0x00}]}]  # fmt: skip
    r = Registers("lpuart1", 0x40008000, 0x400, where="t", registers=uart)
    assert r.read(0x1C, 4) == 0xC0
    r.write(0x00, 4, 1 << 3)
    assert r.read(0x1C, 4) == 0xC0 | 1 << 21
    r.write(0x1C, 4, 0)  # read-only: a write changes nothing
    assert r.read(0x1C, 4) == 0xC0 | 1 << 21


def test_a_status_bit_may_be_on_while_any_of_several_bits_is_set():
    # an Apollo3 PWRCTRL power domain: DEVPWRSTATUS.HCPA (bit 2) is on while IOS, UART0,
    # UART1 or SCARD (DEVPWREN bits 0, 7, 8, 10) is enabled
    regs = [{"offset": 0x18, "read_only": 0xFFFFFFFF,
             "follow": [{"any_of": 0x581, "to": 2, "offset": 0x08}]}]  # fmt: skip
    r = Registers("pwrctrl", 0x40021000, 0x400, where="t", registers=regs)
    assert r.read(0x18, 4) == 0
    r.write(0x08, 4, 1 << 8)
    assert r.read(0x18, 4) == 1 << 2
    r.write(0x08, 4, 1 << 1)  # IOM0: another domain
    assert r.read(0x18, 4) == 0
    with pytest.raises(ConfigError, match=r"follow \{any_of, to, offset\}"):
        Registers("x", 0, 0x400, where="t", registers=[{"offset": 0,
                  "follow": [{"any_of": 0, "to": 2}]}])  # fmt: skip


def test_unknown_keys_of_a_peripheral_or_register_are_refused(tmp_path):
    from mcusim.config.target import PeripheralSpec
    from mcusim.machine.peripherals.registry import build

    spec = PeripheralSpec("rcc", "registers", 0x40021000, 0x400, {"registres": []})
    with pytest.raises(ConfigError, match="unknown key.s. registres for model 'registers'"):
        build(spec, None, where="t.toml: peripheral[0]")
    with pytest.raises(ConfigError, match=r"registers\[0\]: unknown key.s. folow"):
        Registers("x", 0, 0x400, where="t.toml: peripheral[0]",
                  registers=[{"offset": 0, "folow": [[0, 1]]}])  # fmt: skip


def test_stm32l4r5_clock_registers_describe_the_clock_it_runs_at():
    # The RCC start state must be one the HAL can read back: SYSCLK = PLL from MSI range 6
    # (4 MHz) x N / M / R = the target's clock (an inconsistent set made HAL_RCC_OscConfig fail)
    from mcusim.config import load_target

    t = load_target("stm32l4r5")
    (rcc,) = [p for p in t.peripherals if p.name == "rcc"]
    regs = Registers(rcc.name, rcc.base, rcc.size_bytes, where="t",
                     registers=rcc.params["registers"])  # fmt: skip
    cr, cfgr, pll = regs.read(0x0, 4), regs.read(0x8, 4), regs.read(0xC, 4)
    msi_hz = [100e3, 200e3, 400e3, 800e3, 1e6, 2e6, 4e6, 8e6, 16e6, 24e6, 32e6, 48e6]
    assert cr & 1 << 3  # MSIRGSEL: the range is CR.MSIRANGE
    assert cfgr & 0xF == 0xF and cr & 3 << 24 == 3 << 24  # SW = SWS = PLL, PLL on and ready
    assert pll & 3 == 1 and pll & 1 << 24  # PLLSRC = MSI, PLLREN
    m, n, r = (pll >> 4 & 7) + 1, pll >> 8 & 0x7F, 2 * ((pll >> 25 & 3) + 1)
    assert msi_hz[cr >> 4 & 0xF] * n / m / r == t.clock_hz == 120e6
