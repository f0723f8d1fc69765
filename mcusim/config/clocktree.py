"""The clock the firmware configures: a chip's clock tree read from its clock registers (L1).

A target's ``[clock_tree]`` names the registers peripheral that holds the clock controller
(``peripheral``, a ``model = "registers"`` block) and the rule that turns its register values
into the core clock (``model``). The simulator asks again after every write to that
peripheral; when the answer changes, time and sleep energy follow the new clock from that
cycle on, the report shows the clock history, and a clock above what the flash's wait states
allow (``wait_state_max_hz``, from the reference manual's table) is a warning naming both.

Rules (each from the chip's reference manual, cited at the function):

* ``stm32l4``: STM32L4/L4+ RCC (RM0432 §6.2-6.4).
* ``rp2040``: RP2040 CLOCKS with PLL_SYS and PLL_USB (RP2040 Datasheet §2.15, §2.18); the PLLs
  are other peripherals (``also``), read at their offsets from the CLOCKS block's base.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcusim.errors import ConfigError

Read = Callable[[int], int]  # a register's value by its offset in the peripheral

# RM0432 §6.2.3 "MSI clock": CR.MSIRANGE / CSR.MSISRANGE encodings, Hz
MSI_RANGES_HZ = (100e3, 200e3, 400e3, 800e3, 1e6, 2e6, 4e6, 8e6, 16e6, 24e6, 32e6, 48e6)
HSI16_HZ = 16e6  # RM0432 §6.2.2 "HSI16 clock"
AHB_DIVIDERS = (2, 4, 8, 16, 64, 128, 256, 512)  # CFGR.HPRE 1000..1111 (RM0432 §6.4.3)


def stm32l4_core_hz(read: Read, hse_hz: float) -> float:
    """HCLK (the Cortex-M4's clock) of an STM32L4/L4+ from its RCC registers (RM0432 §6.4):
    SYSCLK is the source CFGR.SWS (bits 3:2) reports: MSI (0), HSI16 (1), HSE (2) or the main
    PLL's R output (3) = PLL input / M x N / R, input by PLLCFGR.PLLSRC (bits 1:0: MSI, HSI16,
    HSE), M = PLLM (bits 7:4) + 1, N = PLLN (bits 14:8), R = 2 x (PLLR (bits 26:25) + 1); MSI's
    frequency is CR.MSIRANGE (bits 7:4) when CR.MSIRGSEL (bit 3) is set, else CSR.MSISRANGE
    (bits 11:8). PLLSRC 1 is MSI, 2 HSI16, 3 HSE (0: no clock). HCLK = SYSCLK / the AHB
    prescaler CFGR.HPRE (bits 7:4)."""
    cr, cfgr, pllcfgr, csr = read(0x00), read(0x08), read(0x0C), read(0x94)
    msi_range = (cr >> 4) & 0xF if cr & (1 << 3) else (csr >> 8) & 0xF
    msi = MSI_RANGES_HZ[min(msi_range, len(MSI_RANGES_HZ) - 1)]
    sws = (cfgr >> 2) & 3
    if sws == 3:
        pll_in = {1: msi, 2: HSI16_HZ, 3: hse_hz}.get(pllcfgr & 3, 0.0)  # 0: no clock
        m = ((pllcfgr >> 4) & 0xF) + 1
        n = (pllcfgr >> 8) & 0x7F
        r = 2 * (((pllcfgr >> 25) & 3) + 1)
        sysclk = pll_in / m * n / r
    else:
        sysclk = (msi, HSI16_HZ, hse_hz)[sws]
    hpre = (cfgr >> 4) & 0xF
    return sysclk / (AHB_DIVIDERS[hpre - 8] if hpre & 8 else 1)


ROSC_HZ = 6.5e6  # RP2040 Datasheet §2.17 ROSC: nominal 6.5 MHz at reset (verify: it varies)
PLL_SYS, PLL_USB = 0x20000, 0x24000  # PLL_SYS (0x40028000), PLL_USB (0x4002C000) from CLOCKS


def _rp2040_pll(read: Read, at: int, xosc_hz: float) -> float:
    """A PLL's output (§2.18.2): XOSC / CS.REFDIV (bits 5:0) x FBDIV_INT (bits 11:0) /
    (PRIM.POSTDIV1 (bits 18:16) x PRIM.POSTDIV2 (bits 14:12)); 0 while PWR powers down the PLL,
    its VCO or its post dividers (PD bit 0, POSTDIVPD bit 3, VCOPD bit 5)."""
    cs, pwr, fbdiv, prim = (read(at + o) for o in (0x0, 0x4, 0x8, 0xC))
    refdiv, pd1, pd2 = cs & 0x3F, (prim >> 16) & 7, (prim >> 12) & 7
    if pwr & 0x29 or not (refdiv and pd1 and pd2):
        return 0.0
    return xosc_hz / refdiv * (fbdiv & 0xFFF) / (pd1 * pd2)


def rp2040_core_hz(read: Read, xosc_hz: float) -> float:
    """clk_sys of an RP2040 (§2.15.3, register list §2.15.7): CLK_SYS_CTRL.SRC (bit 0) picks
    clk_ref (0) or the auxiliary source AUXSRC (bits 7:5: 0 PLL_SYS, 1 PLL_USB, 2 ROSC, 3 XOSC;
    the GPIN inputs give 0 here), divided by CLK_SYS_DIV (INT bits 31:8 + FRAC bits 7:0 / 256,
    INT 0 meaning 2^24). clk_ref is CLK_REF_CTRL.SRC (bits 1:0: 0 ROSC, 1 its AUXSRC (bits 6:5:
    0 PLL_USB), 2 XOSC) divided by CLK_REF_DIV.INT (bits 9:8, 0 meaning 4)."""
    ref_ctrl, ref_div, sys_ctrl, sys_div = read(0x30), read(0x34), read(0x3C), read(0x40)
    if sys_ctrl & 1:
        aux = (sys_ctrl >> 5) & 7
        if aux == 0:
            src = _rp2040_pll(read, PLL_SYS, xosc_hz)
        elif aux == 1:
            src = _rp2040_pll(read, PLL_USB, xosc_hz)
        else:
            src = {2: ROSC_HZ, 3: xosc_hz}.get(aux, 0.0)
    else:
        ref_src = ref_ctrl & 3
        if ref_src == 1:
            ref = _rp2040_pll(read, PLL_USB, xosc_hz) if not (ref_ctrl >> 5) & 3 else 0.0
        else:
            ref = {0: ROSC_HZ, 2: xosc_hz}.get(ref_src, 0.0)
        src = ref / (((ref_div >> 8) & 3) or 4)
    div = (((sys_div >> 8) & 0xFFFFFF) or 1 << 24) + (sys_div & 0xFF) / 256
    return src / div


@dataclass(frozen=True)
class ClockTree:
    """A target's ``[clock_tree]``."""

    model: str
    peripheral: str
    hse_hz: float
    flash_region: str | None
    wait_state_max_hz: tuple[float, ...]  # index: wait states; value: the highest clock
    also: tuple[str, ...] = ()  # more registers peripherals the rule reads (RP2040: the PLLs)

    @property
    def peripherals(self) -> tuple[str, ...]:
        return (self.peripheral, *self.also)

    def core_hz(self, read: Read) -> float:
        if self.model == "rp2040":
            return rp2040_core_hz(read, self.hse_hz)
        return stm32l4_core_hz(read, self.hse_hz)

    def max_hz(self, wait_states: int) -> float | None:
        """The highest clock ``wait_states`` allow (None: no limit known)."""
        if not self.wait_state_max_hz:
            return None
        return self.wait_state_max_hz[min(wait_states, len(self.wait_state_max_hz) - 1)]


MODELS = ("stm32l4", "rp2040")


def load_clock_tree(spec: Any, where: str) -> ClockTree:
    """Check a ``[clock_tree]`` table (``where``: the file, for errors)."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: clock_tree must be a table")
    known = {"model", "peripheral", "also", "hse_hz", "flash_region", "wait_state_max_hz",
             "source"}  # fmt: skip
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ConfigError(f"{where}: clock_tree: unknown key(s) {', '.join(unknown)}")
    model = spec.get("model")
    if model not in MODELS:
        raise ConfigError(f"{where}: clock_tree.model must be one of {', '.join(MODELS)}")
    if not isinstance(spec.get("peripheral"), str):
        raise ConfigError(f"{where}: clock_tree.peripheral must name a registers peripheral")
    if "source" not in spec:
        raise ConfigError(f"{where}: clock_tree needs a source (the manual it follows)")
    hse = spec.get("hse_hz", 0)
    limits = spec.get("wait_state_max_hz", [])
    ok = isinstance(hse, (int, float)) and hse >= 0
    ok = ok and isinstance(limits, list) and all(isinstance(x, (int, float)) for x in limits)
    if not ok:
        raise ConfigError(
            f"{where}: clock_tree.hse_hz must be a number >= 0 and wait_state_max_hz an array "
            "of Hz (index: wait states)"
        )
    region = spec.get("flash_region")
    also = spec.get("also", [])
    if not isinstance(also, list) or not all(isinstance(x, str) for x in also):
        raise ConfigError(f"{where}: clock_tree.also must be an array of peripheral names")
    return ClockTree(
        model, spec["peripheral"], float(hse), region, tuple(map(float, limits)), tuple(also)
    )
