"""The clock the firmware configures: a chip's clock tree read from its clock registers (L1).

A target's ``[clock_tree]`` names the registers peripheral that holds the clock controller
(``peripheral``, a ``model = "registers"`` block) and the rule that turns its register values
into the core clock (``model``). The simulator asks again after every write to that
peripheral; when the answer changes, time and sleep energy follow the new clock from that
cycle on, the report shows the clock history, and a clock above what the flash's wait states
allow (``wait_state_max_hz``, from the reference manual's table) is a warning naming both.

Rules (each from the chip's reference manual, cited at the function):

* ``stm32l4``: STM32L4/L4+ RCC (RM0432 §6.2-6.4).
* ``apollo3``: Ambiq Apollo3 Blue CLKGEN (DS-A3-0p9p1, Clock Generator chapter).
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


APOLLO3_HFRC_HZ = 48e6  # DS-A3-0p9p1 §1 and Clock Generator chapter: HFRC, 48 MHz
APOLLO3_BURST_HZ = 96e6  # TurboSPOT burst mode


def apollo3_core_hz(read: Read, hse_hz: float = 0.0) -> float:
    """The Apollo3 Blue core clock from CLKGEN (DS-A3-0p9p1, Clock Generator chapter; offsets
    from Ambiq's apollo3.h): 96 MHz while FREQCTRL (0x034) BURSTSTATUS (bit 2) reports burst
    mode, else HFRC (48 MHz) divided by 2 when CCTRL (0x018) CORESEL (bit 0) is set."""
    if read(0x034) & (1 << 2):
        return APOLLO3_BURST_HZ
    return APOLLO3_HFRC_HZ / (2 if read(0x018) & 1 else 1)


RULES: dict[str, Callable[[Read, float], float]] = {
    "stm32l4": stm32l4_core_hz,
    "apollo3": apollo3_core_hz,
}


@dataclass(frozen=True)
class ClockTree:
    """A target's ``[clock_tree]``."""

    model: str
    peripheral: str
    hse_hz: float
    flash_region: str | None
    wait_state_max_hz: tuple[float, ...]  # index: wait states; value: the highest clock

    def core_hz(self, read: Read) -> float:
        return RULES[self.model](read, self.hse_hz)

    def max_hz(self, wait_states: int) -> float | None:
        """The highest clock ``wait_states`` allow (None: no limit known)."""
        if not self.wait_state_max_hz:
            return None
        return self.wait_state_max_hz[min(wait_states, len(self.wait_state_max_hz) - 1)]


MODELS = tuple(RULES)


def load_clock_tree(spec: Any, where: str) -> ClockTree:
    """Check a ``[clock_tree]`` table (``where``: the file, for errors)."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: clock_tree must be a table")
    known = {"model", "peripheral", "hse_hz", "flash_region", "wait_state_max_hz", "source"}
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
    return ClockTree(model, spec["peripheral"], float(hse), region, tuple(map(float, limits)))
