"""A free-running timer counter as data: a count register that advances with simulated time at
the frequency a clock-select field picks, with freeze and clear bits (L3).

The Apollo3 system timer (STIMER: CTIMER.STCFG selects the clock and holds FREEZE and CLEAR,
STTMR is the count) is one; firmware reads the count to time its own work. The count follows
the run's simulated time (``System.seconds``), so it keeps counting through clock switches and
sleep as the chip's timer does. Every other register of the window is registers as data.
Not modelled: compare registers and the interrupts they raise, capture.
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import System
from mcusim.machine.peripherals.simple import Registers


def _bit(where: str, key: str, spec: Any) -> int | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("bit"), int):
        raise ConfigError(f"{where}.{key} must be a table {{ bit = N }}")
    if not 0 <= spec["bit"] < 32:
        raise ConfigError(f"{where}.{key}.bit must be 0-31")
    return spec["bit"]


class Counter(Registers):
    """``count_offset``: the count (read; a write sets it); ``control_offset``: the register
    holding ``clock = {lsb, width, hz = [...]}`` (the frequency each field value selects; 0 or
    beyond the list: stopped), ``freeze = {bit}`` (the count holds) and ``clear = {bit}`` (the
    count is 0 while set); ``width_bits``: the count wraps at 2**width_bits."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        count_offset: int,
        control_offset: int,
        clock: Any,
        freeze: Any = None,
        clear: Any = None,
        width_bits: int = 32,
        registers: Any = (),
    ):
        super().__init__(name, base, size_bytes, where=where, registers=registers)
        for key, off in (("count_offset", count_offset), ("control_offset", control_offset)):
            if not isinstance(off, int) or off % 4 or not 0 <= off < size_bytes:
                raise ConfigError(f"{where}.{key} must be a word offset inside the peripheral")
        ok = isinstance(clock, dict) and all(
            isinstance(clock.get(k), int) for k in ("lsb", "width")
        )
        hz = clock.get("hz") if ok else None
        if not (
            ok
            and 0 <= clock["lsb"]
            and clock["lsb"] + clock["width"] <= 32
            and isinstance(hz, list)
            and all(isinstance(h, (int, float)) and h >= 0 for h in hz)
        ):
            raise ConfigError(
                f"{where}.clock must be {{lsb, width, hz = [Hz for each field value]}}"
            )
        if not isinstance(width_bits, int) or not 1 <= width_bits <= 32:
            raise ConfigError(f"{where}.width_bits must be 1-32")
        self.system = system
        self.count_offset, self.control_offset = count_offset, control_offset
        self.clock_lsb, self.clock_mask, self.clock_hz = clock["lsb"], (1 << clock["width"]) - 1, hz
        self.freeze_bit = _bit(where, "freeze", freeze)
        self.clear_bit = _bit(where, "clear", clear)
        self.wrap = 1 << width_bits
        self.start_count = 0  # the count at start_s
        self.start_s = 0.0

    def hz(self) -> float:
        """The frequency the control register selects now (0: not counting)."""
        control = super().read(self.control_offset, 4)
        for bit in (self.freeze_bit, self.clear_bit):
            if bit is not None and control >> bit & 1:
                return 0.0
        sel = control >> self.clock_lsb & self.clock_mask
        return float(self.clock_hz[sel]) if sel < len(self.clock_hz) else 0.0

    def _now_s(self) -> float:
        return self.system.seconds(self.system.now())

    def count(self) -> int:
        elapsed = self._now_s() - self.start_s
        # whole ticks; the small term keeps float rounding from losing one at a tick boundary
        return (self.start_count + int(elapsed * self.hz() + 1e-6)) % self.wrap

    def read(self, offset: int, size: int) -> int:
        if offset & ~3 == self.count_offset:
            return self.count() >> 8 * (offset & 3) & ((1 << 8 * size) - 1)
        return super().read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        aligned = offset & ~3
        if aligned == self.count_offset:
            self.start_count, self.start_s = value % self.wrap, self._now_s()
            return
        if aligned == self.control_offset:
            self.start_count, self.start_s = self.count(), self._now_s()
            super().write(offset, size, value)
            control = super().read(self.control_offset, 4)
            if self.clear_bit is not None and control >> self.clear_bit & 1:
                self.start_count = 0
            return
        super().write(offset, size, value)
