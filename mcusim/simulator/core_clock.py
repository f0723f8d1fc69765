"""The core clock over a run (L5): the target's clock, or, where the target describes its clock
controller (``[clock_tree]``, config/clocktree.py), whatever the firmware's writes select.

Cycles stay the unit of the run (SysTick and DWT count core cycles); what follows the clock is
time (a segment's cycles at its own frequency), energy (the run current per MHz at that
frequency, sleep current for the time asleep) and the check that the flash's wait states
allow the clock: a firmware that raises its clock before its wait states, or lowers the wait
states first, gets a warning naming both, as the silicon would misbehave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcusim.units import seconds_at


@dataclass(frozen=True)
class Segment:
    cycle: int  # the core cycle the clock took this frequency
    sleep: int  # cycles asleep before then
    hz: float


class CoreClock:
    """``now()``: the cycle of the access being made; ``sleep()``: cycles asleep so far;
    ``wait_states()``: the flash region's wait states now (None: no flash region named)."""

    def __init__(
        self,
        target,
        *,
        now: Callable[[], int],
        sleep: Callable[[], int],
        wait_states: Callable[[], int | None],
    ):
        self.tree = target.clock_tree
        self.now, self.sleep, self.wait_states = now, sleep, wait_states
        self.segments = [Segment(0, 0, float(target.clock_hz))]
        self.warnings: list[str] = []
        self._warned: set[str] = set()  # what was warned about once: "no source", "wait states"
        self._reads: list[Callable[[int], int]] = []

    @property
    def hz(self) -> float:
        return self.segments[-1].hz

    def watch(self, peripherals) -> None:
        """Follow the clock controller the target names: read its registers now and after
        every write the firmware makes to it."""
        if self.tree is None:
            return
        blocks = [next(p for p in peripherals if p.name == n) for n in self.tree.peripherals]
        self._reads = [lambda offset, p=p: p.read(offset, 4) for p in blocks]
        for p in blocks:
            p.write = self._watched(p.write)
        hz = self.tree.core_hz(*self._reads)
        if hz > 0:
            self.segments[0] = Segment(0, 0, hz)
        self.check()

    def _watched(self, write: Callable[[int, int, int], None]) -> Callable[[int, int, int], None]:
        def written(offset: int, size: int, value: int) -> None:
            write(offset, size, value)
            self.update()

        return written

    def update(self) -> None:
        """The clock controller was written: a new frequency from this cycle on."""
        hz = self.tree.core_hz(*self._reads)
        if hz <= 0:  # no clock selected: the chip would stop; keep the last known one
            if "no source" not in self._warned:
                self._warned.add("no source")
                self.warnings.append(
                    f"the clock registers select no clock source (cycle {self.now():,}); "
                    f"time stays at {self.hz / 1e6:g} MHz"
                )
            return
        if hz == self.hz:
            return
        now = self.now()
        seg = Segment(now, self.sleep(), hz)
        if self.segments[-1].cycle == now:
            self.segments[-1] = seg
        else:
            self.segments.append(seg)
        self.check()

    def check(self) -> None:
        """Warn once when the flash's wait states do not allow the clock."""
        if self.tree is None:
            return
        ws = self.wait_states()
        limit = None if ws is None else self.tree.max_hz(ws)
        if limit is not None and self.hz > limit and "wait states" not in self._warned:
            self._warned.add("wait states")
            self.warnings.append(
                f"the core runs at {self.hz / 1e6:g} MHz from cycle {self.now():,} with "
                f"{ws} flash wait state(s), which allow at most {limit / 1e6:g} MHz "
                f"({self.tree.flash_region}: the silicon would read wrong data)"
            )

    def split(self, cycles: int, sleep: int) -> list[tuple[float, int, int]]:
        """(Hz, cycles, of which asleep) of each segment of the first ``cycles`` cycles of the
        run, ``sleep`` of them asleep."""
        out = []
        ends = [*(s.cycle for s in self.segments[1:]), cycles]
        sleeps = [*(s.sleep for s in self.segments[1:]), sleep]
        for seg, end, sleep_end in zip(self.segments, ends, sleeps, strict=True):
            end, sleep_end = min(end, cycles), min(sleep_end, sleep)
            out.append((seg.hz, max(0, end - seg.cycle), max(0, sleep_end - seg.sleep)))
        return out

    def seconds(self, cycles: int) -> float:
        """Time from reset to cycle ``cycles``."""
        return seconds_at(cycles, self.history(), self.hz)

    def history(self) -> tuple[tuple[int, float], ...]:
        """(cycle, Hz) of each change, the start included; empty when the clock never
        changed."""
        if len(self.segments) == 1:
            return ()
        return tuple((s.cycle, s.hz) for s in self.segments)
