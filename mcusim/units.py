"""Unit conversions and formatting helpers (L0, stdlib only).

Quantities keep their unit in their name (``clock_hz``, ``energy_uj``); these helpers convert
between them and format them for people.
"""

from __future__ import annotations


def cycles_to_seconds(cycles: int, clock_hz: float) -> float:
    """Time taken by ``cycles`` at ``clock_hz``."""
    return cycles / clock_hz


def seconds_at(cycle: int, history: tuple[tuple[int, float], ...], clock_hz: float) -> float:
    """Time from reset to core cycle ``cycle`` when the clock was ``history``'s (cycle, Hz)
    steps, the first at cycle 0, or ``clock_hz`` throughout when there is no history."""
    if not history:
        return cycle / clock_hz
    total = 0.0
    ends = [c for c, _ in history[1:]] + [cycle]
    for (start, hz), end in zip(history, ends, strict=True):
        total += max(0, min(end, cycle) - start) / hz
    return total


def energy_uj(power_mw: float, seconds: float) -> float:
    """Energy in microjoules of ``power_mw`` sustained for ``seconds`` (mW * s = mJ)."""
    return power_mw * seconds * 1000.0


def power_mw(voltage_v: float, current_ua: float) -> float:
    """Power in milliwatts of ``current_ua`` drawn at ``voltage_v``."""
    return voltage_v * current_ua / 1000.0


def parse_number(text: str) -> float:
    """Parse ``"48e6"``, ``"0x1000"``, ``"96M"``, ``"32k"`` or ``"1_000"`` to a number.

    Raises:
        ValueError: the text is not a number.
    """
    t = text.strip().replace("_", "")
    scale = 1.0
    suffixes = {"k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
    if t and t[-1] in suffixes and not t.lower().startswith("0x"):
        scale = suffixes[t[-1]]
        t = t[:-1]
    if t.lower().startswith("0x"):
        return float(int(t, 16)) * scale
    return float(t) * scale


def fmt_bytes(n: int) -> str:
    """``12345`` -> ``"12,345 B (12.1 KiB)"``."""
    if n < 1024:
        return f"{n:,} B"
    return f"{n:,} B ({n / 1024:.1f} KiB)"
