"""The clock the firmware configures: a chip's clock tree read from its clock registers (L1).

A target's ``[clock_tree]`` names the registers peripheral that holds the clock controller
(``peripheral``, a ``model = "registers"`` block; an array of names where the chip's clock
registers lie in several blocks, in the order the rule says) and the rule that turns their
register values into the core clock (``model``). The simulator asks again after every write to that
peripheral; when the answer changes, time and sleep energy follow the new clock from that
cycle on, the report shows the clock history, and a clock above what the flash's wait states
allow (``wait_state_max_hz``, from the reference manual's table) is a warning naming both.

Rules (each from the chip's reference manual, cited at the function):

* ``stm32l4``: STM32L4/L4+ RCC (RM0432 §6.2-6.4).
* ``stm32f4``: STM32F405/407/415/417 RCC (RM0090 §7.2-7.3).
* ``stm32f1``: STM32F101/102/103 RCC, all but the connectivity line (RM0008 §7.2-7.3).
* ``efm32``: EFM32 Series 0 CMU (EFM32WG-RM §'CMU').
* ``samd51``: SAM D5x/E5x GCLK, OSCCTRL and MCLK, in that order (DS60001507).
* ``apollo3``: Ambiq Apollo3 Blue CLKGEN (DS-A3-0p9p1, Clock Generator chapter).
* ``rp2040``: RP2040 CLOCKS with PLL_SYS and PLL_USB, in that order (RP2040 Datasheet §2.15,
  §2.18).
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


def stm32f4_core_hz(read: Read, hse_hz: float) -> float:
    """HCLK of an STM32F405/407 from its RCC (RM0090 §7.3.2 RCC_PLLCFGR, §7.3.3 RCC_CFGR):
    SYSCLK is what CFGR.SWS (bits 3:2) reports: HSI 16 MHz (0), HSE (1) or the main PLL (2),
    whose output is input / PLLM (bits 5:0) x PLLN (bits 14:6) / PLLP, input by PLLSRC (bit 22:
    HSI or HSE) and PLLP = 2 x (bits 17:16 + 1); HCLK = SYSCLK / the AHB prescaler CFGR.HPRE
    (bits 7:4, the same encoding as the STM32L4's)."""
    cfgr, pllcfgr = read(0x08), read(0x04)
    sws = (cfgr >> 2) & 3
    if sws == 2:
        pll_in = hse_hz if pllcfgr & (1 << 22) else HSI16_HZ
        m, n = pllcfgr & 0x3F, (pllcfgr >> 6) & 0x1FF
        p = 2 * (((pllcfgr >> 16) & 3) + 1)
        sysclk = pll_in / m * n / p if m else 0.0
    else:
        sysclk = (HSI16_HZ, hse_hz, 0.0, 0.0)[sws]
    hpre = (cfgr >> 4) & 0xF
    return sysclk / (AHB_DIVIDERS[hpre - 8] if hpre & 8 else 1)


HSI8_HZ = 8e6  # RM0008 §7.2.2 "HSI clock": the 8 MHz RC oscillator, system clock at reset


def stm32f1_core_hz(read: Read, hse_hz: float) -> float:
    """HCLK of an STM32F101/102/103 (low-, medium-, high- and XL-density; not the F105/107
    connectivity line, whose PLL has PREDIV1 and other multipliers) from RCC_CFGR (RM0008
    §7.3.2, offset 0x04; clock tree §7.2): SYSCLK is what SWS (bits 3:2) reports: HSI
    8 MHz (0), HSE (1) or the PLL (2), whose input is HSI / 2 when PLLSRC (bit 16) is 0, else
    HSE, halved when PLLXTPRE (bit 17) is set, multiplied by PLLMUL (bits 21:18: 0000 x2 up to
    1110 x16, 1111 also x16); HCLK = SYSCLK / the AHB prescaler HPRE (bits 7:4, the encoding of
    the STM32L4's)."""
    cfgr = read(0x04)
    sws = (cfgr >> 2) & 3
    if sws == 2:
        if cfgr & (1 << 16):
            pll_in = hse_hz / (2 if cfgr & (1 << 17) else 1)
        else:
            pll_in = HSI8_HZ / 2
        sysclk = pll_in * min(((cfgr >> 18) & 0xF) + 2, 16)
    else:
        sysclk = (HSI8_HZ, hse_hz, 0.0, 0.0)[sws]
    hpre = (cfgr >> 4) & 0xF
    return sysclk / (AHB_DIVIDERS[hpre - 8] if hpre & 8 else 1)


# EFM32WG-RM §'CMU': HFRCOCTRL.BAND (bits 10:8) -> HFRCO frequency, Hz
EFM32_HFRCO_BANDS_HZ = (1e6, 7e6, 11e6, 14e6, 21e6, 28e6)
LF_HZ = 32768.0  # the 32.768 kHz oscillators (EFM32 LFRCO/LFXO, SAMD51 OSCULP32K/XOSC32K)


def efm32_core_hz(read: Read, hse_hz: float) -> float:
    """HFCORECLK of an EFM32 Series 0 (Gecko, Giant, Wonder, Leopard) from its CMU registers
    (EFM32WG-RM §'CMU'): HFCLK's source is the one STATUS selects (HFRCOSEL bit 10: the HFRCO at
    HFRCOCTRL.BAND, bits 10:8; HFXOSEL 11: the board's crystal, ``hse_hz``; LFRCOSEL 12 and
    LFXOSEL 13: 32.768 kHz), divided by CTRL.HFCLKDIV (bits 16:14) + 1; the core clock is
    HFCLK / 2^HFCORECLKDIV.HFCORECLKDIV (bits 3:0)."""
    status, ctrl, coresel, hfrco = read(0x2C), read(0x00), read(0x04), read(0x0C)
    if status & (1 << 10):
        band = (hfrco >> 8) & 7
        src = EFM32_HFRCO_BANDS_HZ[band] if band < len(EFM32_HFRCO_BANDS_HZ) else 0.0
    elif status & (1 << 11):
        src = hse_hz
    elif status & (3 << 12):
        src = LF_HZ
    else:
        return 0.0
    return src / (((ctrl >> 14) & 7) + 1) / (1 << (coresel & 0xF))


def samd51_core_hz(gclk: Read, oscctrl: Read, mclk: Read, hse_hz: float) -> float:
    """The CPU clock of a SAM D5x/E5x (DS60001507 'GCLK', 'OSCCTRL', 'MCLK'): generator 0 of
    GCLK (GENCTRL0 at 0x20: SRC bits 3:0, GENEN bit 8, DIVSEL bit 12, DIV bits 31:16; the output
    is SRC / DIV, DIV 0 counting as 1, or SRC / 2^(DIV + 1) with DIVSEL) divided by MCLK.CPUDIV
    (byte 0x05). Sources: 0/1 XOSC0/XOSC1 (the board's crystal, ``hse_hz``, while
    XOSCCTRLn.ENABLE is set), 3 generator 1, 4 OSCULP32K, 5 XOSC32K (32.768 kHz), 6 DFLL48M (48
    MHz while DFLLCTRLA.ENABLE is set), 7/8 DPLL0/DPLL1 while DPLLnCTRLA.ENABLE is set: the
    reference (DPLLnCTRLB.REFCLK bits 7:5: 0 the generator of GCLK channel 1 + n, 1 XOSC32K, 2/3
    XOSC0/1 divided by 2 x (DIV + 1), DIV bits 26:16) x (LDR + 1 + LDRFRAC / 32), DPLLnRATIO
    LDR bits 12:0, LDRFRAC bits 20:16."""

    def source(src: int, depth: int) -> float:
        if src in (0, 1):
            return hse_hz if oscctrl(0x14 + 4 * src) & 2 else 0.0
        if src == 3:
            return generator(1, depth + 1)
        if src in (4, 5):
            return LF_HZ
        if src == 6:
            return 48e6 if oscctrl(0x1C) & 2 else 0.0
        if src in (7, 8):
            base = 0x30 + 0x14 * (src - 7)
            if not oscctrl(base) & 2:
                return 0.0
            ratio, ctrlb = oscctrl(base + 4), oscctrl(base + 8)
            refclk = (ctrlb >> 5) & 7
            if refclk == 0:
                ref = generator(gclk(0x80 + 4 * (src - 6)) & 0xF, depth + 1)
            elif refclk == 1:
                ref = LF_HZ
            else:
                ref = source(refclk - 2, depth + 1) / (2 * (((ctrlb >> 16) & 0x7FF) + 1))
            return ref * ((ratio & 0x1FFF) + 1 + ((ratio >> 16) & 0x1F) / 32)
        return 0.0  # 2 GCLK_IN: no input pin modelled

    def generator(n: int, depth: int) -> float:
        g = gclk(0x20 + 4 * n)
        if depth > 4 or not g & (1 << 8):  # a loop of generators, or the generator is off
            return 0.0
        div = g >> 16
        hz = source(g & 0xF, depth)
        return hz / (1 << (div + 1)) if g & (1 << 12) else hz / max(div, 1)

    cpudiv = (mclk(0x04) >> 8) & 0xFF
    return generator(0, 0) / cpudiv if cpudiv else 0.0


APOLLO3_HFRC_HZ = 48e6  # DS-A3-0p9p1 §1 and Clock Generator chapter: HFRC, 48 MHz
APOLLO3_BURST_HZ = 96e6  # TurboSPOT burst mode


def apollo3_core_hz(read: Read, hse_hz: float = 0.0) -> float:
    """The Apollo3 Blue core clock from CLKGEN (DS-A3-0p9p1, Clock Generator chapter; offsets
    from Ambiq's apollo3.h): 96 MHz while FREQCTRL (0x034) BURSTSTATUS (bit 2) reports burst
    mode, else HFRC (48 MHz) divided by 2 when CCTRL (0x018) CORESEL (bit 0) is set."""
    if read(0x034) & (1 << 2):
        return APOLLO3_BURST_HZ
    return APOLLO3_HFRC_HZ / (2 if read(0x018) & 1 else 1)


ROSC_HZ = 6.5e6  # RP2040 Datasheet §2.17 ROSC: nominal 6.5 MHz at reset (verify: it varies)


def _rp2040_pll(read: Read, xosc_hz: float) -> float:
    """A PLL's output (§2.18.2), from its block: XOSC / CS.REFDIV (bits 5:0) x FBDIV_INT (bits
    11:0) / (PRIM.POSTDIV1 (bits 18:16) x PRIM.POSTDIV2 (bits 14:12)); 0 while PWR powers down
    the PLL, its VCO or its post dividers (PD bit 0, POSTDIVPD bit 3, VCOPD bit 5)."""
    cs, pwr, fbdiv, prim = (read(o) for o in (0x0, 0x4, 0x8, 0xC))
    refdiv, pd1, pd2 = cs & 0x3F, (prim >> 16) & 7, (prim >> 12) & 7
    if pwr & 0x29 or not (refdiv and pd1 and pd2):
        return 0.0
    return xosc_hz / refdiv * (fbdiv & 0xFFF) / (pd1 * pd2)


def rp2040_core_hz(clocks: Read, pll_sys: Read, pll_usb: Read, xosc_hz: float) -> float:
    """clk_sys of an RP2040 (§2.15.3, register list §2.15.7): CLK_SYS_CTRL.SRC (bit 0) picks
    clk_ref (0) or the auxiliary source AUXSRC (bits 7:5: 0 PLL_SYS, 1 PLL_USB, 2 ROSC, 3 XOSC;
    the GPIN inputs give 0 here), divided by CLK_SYS_DIV (INT bits 31:8 + FRAC bits 7:0 / 256,
    INT 0 meaning 2^24). clk_ref is CLK_REF_CTRL.SRC (bits 1:0: 0 ROSC, 1 its AUXSRC (bits 6:5:
    0 PLL_USB), 2 XOSC) divided by CLK_REF_DIV.INT (bits 9:8, 0 meaning 4)."""
    ref_ctrl, ref_div, sys_ctrl, sys_div = (clocks(o) for o in (0x30, 0x34, 0x3C, 0x40))
    if sys_ctrl & 1:
        aux = (sys_ctrl >> 5) & 7
        if aux == 0:
            src = _rp2040_pll(pll_sys, xosc_hz)
        elif aux == 1:
            src = _rp2040_pll(pll_usb, xosc_hz)
        else:
            src = {2: ROSC_HZ, 3: xosc_hz}.get(aux, 0.0)
    else:
        ref_src = ref_ctrl & 3
        if ref_src == 1:
            ref = _rp2040_pll(pll_usb, xosc_hz) if not (ref_ctrl >> 5) & 3 else 0.0
        else:
            ref = {0: ROSC_HZ, 2: xosc_hz}.get(ref_src, 0.0)
        src = ref / (((ref_div >> 8) & 3) or 4)
    div = (((sys_div >> 8) & 0xFFFFFF) or 1 << 24) + (sys_div & 0xFF) / 256
    return src / div


# rule -> (how many registers peripherals it reads, the core clock from their reads and hse_hz)
RULES: dict[str, tuple[int, Callable[..., float]]] = {
    "stm32l4": (1, lambda reads, hse: stm32l4_core_hz(reads[0], hse)),
    "stm32f4": (1, lambda reads, hse: stm32f4_core_hz(reads[0], hse)),
    "stm32f1": (1, lambda reads, hse: stm32f1_core_hz(reads[0], hse)),
    "efm32": (1, lambda reads, hse: efm32_core_hz(reads[0], hse)),
    "samd51": (3, lambda reads, hse: samd51_core_hz(*reads, hse_hz=hse)),
    "apollo3": (1, lambda reads, hse: apollo3_core_hz(reads[0], hse)),
    "rp2040": (3, lambda reads, hse: rp2040_core_hz(*reads, xosc_hz=hse)),
}


@dataclass(frozen=True)
class ClockTree:
    """A target's ``[clock_tree]``."""

    model: str
    peripheral: str
    hse_hz: float
    flash_region: str | None
    wait_state_max_hz: tuple[float, ...]  # index: wait states; value: the highest clock
    others: tuple[str, ...] = ()  # further peripherals the rule reads, in its order

    @property
    def peripherals(self) -> tuple[str, ...]:
        return (self.peripheral, *self.others)

    def core_hz(self, read: Read, *others: Read) -> float:
        """The core clock from the registers of ``peripherals`` (one read each, in order)."""
        return RULES[self.model][1]((read, *others), self.hse_hz)

    def max_hz(self, wait_states: int) -> float | None:
        """The highest clock ``wait_states`` allow (None: no limit known)."""
        if not self.wait_state_max_hz:
            return None
        return self.wait_state_max_hz[min(wait_states, len(self.wait_state_max_hz) - 1)]


MODELS = tuple(RULES)
PERIPHERALS = {name: rule[0] for name, rule in RULES.items()}  # how many blocks each rule reads


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
    names = spec.get("peripheral")
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where}: clock_tree.peripheral must name a registers peripheral")
    if len(names) != PERIPHERALS[model]:
        raise ConfigError(
            f"{where}: clock_tree.peripheral: the {model} rule reads {PERIPHERALS[model]} "
            f"registers peripheral(s), {len(names)} named"
        )
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
    limits_hz = tuple(map(float, limits))
    return ClockTree(model, names[0], float(hse), region, limits_hz, tuple(names[1:]))
