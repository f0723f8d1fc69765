"""A region of interest: cycles and instructions between two functions' entries (L4).

Benchmark harnesses bracket the measured work with calls to two functions (Embench's
``start_trigger``/``stop_trigger``, CoreMark's ``start_time``/``stop_time``); ``--roi START,STOP``
reports the modelled cycles and instructions from the first entry of START to the first entry
of STOP after it, without any help from the firmware (no cycle counter, no printing).
"""

from __future__ import annotations

from mcusim.errors import InputError


class RegionOfInterest:
    """Observer: hooks the entries of ``start`` and ``stop`` (function names)."""

    name = "roi"

    def __init__(self, start: str, stop: str):
        self.start, self.stop = start, stop
        self._at: dict[str, tuple[int, int]] = {}

    def attach(self, probe) -> None:
        for sym in (self.start, self.stop):
            if sym not in probe.firmware.symbols:
                raise InputError(f"{probe.firmware.path}: --roi: no symbol '{sym}' in the ELF")
        self._probe = probe
        probe.on_address(probe.firmware.symbols[self.start], lambda: self._mark(self.start))
        probe.on_address(probe.firmware.symbols[self.stop], lambda: self._mark(self.stop))

    def _mark(self, which: str) -> None:
        if which in self._at or (which == self.stop and self.start not in self._at):
            return
        self._at[which] = (self._probe.now(), self._probe.instructions())

    def finish(self, probe) -> dict:
        out = {"start": self.start, "stop": self.stop}
        if self.start not in self._at or self.stop not in self._at:
            missing = self.start if self.start not in self._at else self.stop
            return out | {"error": f"'{missing}' was never reached"}
        (c0, i0), (c1, i1) = self._at[self.start], self._at[self.stop]
        return out | {"cycles": c1 - c0, "instructions": i1 - i0}


def parse_roi(text: str) -> RegionOfInterest:
    """``START,STOP`` (two function names) as given to ``--roi``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise InputError(f"--roi {text!r}: expected two function names, START,STOP")
    return RegionOfInterest(*parts)


class StopAt:
    """Observer: ends the run when execution reaches function ``symbol`` (``--stop-at``), as
    a debugger's breakpoint followed by quit: for firmware that never exits (a start-up whose
    ``main`` returns into a loop, a board support without semihosting)."""

    name = "stop_at"

    def __init__(self, symbol: str):
        self.symbol = symbol

    def attach(self, probe) -> None:
        address = probe.firmware.symbols.get(self.symbol)
        if address is None:
            raise InputError(
                f"{probe.firmware.path}: --stop-at: no symbol '{self.symbol}' in the ELF"
            )
        message = f"reached {self.symbol} (--stop-at)"
        probe.on_address(address, lambda: probe.request_stop("stop_at", message))

    def finish(self, probe) -> dict:
        return {"symbol": self.symbol}
