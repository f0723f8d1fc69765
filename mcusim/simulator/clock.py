"""Modelled time's deadlines and the host's polls (L5).

The block hook runs Python only when the counter passes its ``deadline``: the next SysTick
wrap, the next event of a peripheral that keeps time (``next_event``/``on_time``: the RP2040
timer's alarms), the cycle limit, the next host poll, or at once while an exception is
pending. The host poll (every ``poll_cycles``) checks the time limit, Ctrl-C/SIGTERM and the
progress bar.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable


class Clock:
    """``counter``: the cycle counter (``cycles``, ``deadline``); ``systick``: the SysTick
    model (``interrupting``, ``next_wrap``, ``on_time``); ``exc``: the NVIC state (``pending``,
    ``can_fire``); ``stop(reason, message)`` ends the run."""

    def __init__(self, counter, systick, exc, options, stop: Callable[[str, str], None]):
        self.counter, self.systick, self.exc, self.options = counter, systick, exc, options
        self.stop = stop
        self.timed: list = []  # peripherals with events of their own in time (next_event)
        self.t0 = time.monotonic()
        self.next_poll = options.poll_cycles
        self.interrupted = False

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.next_poll = self.options.poll_cycles
        self.interrupted = False

    def poll(self, now: int) -> None:
        """A deadline passed at modelled time ``now``: advance SysTick, stop at the limits."""
        self.systick.on_time(now)
        for p in self.timed:
            p.on_time(now)
        opts = self.options
        if opts.max_cycles is not None and now >= opts.max_cycles:
            self.stop("limit", f"stopped at the cycle limit (--max-cycles {opts.max_cycles:,})")
        if now >= self.next_poll:
            self.next_poll = now + opts.poll_cycles
            if opts.timeout_s is not None and time.monotonic() - self.t0 > opts.timeout_s:
                why = (
                    "the default limit: no --timeout or --max-cycles was given"
                    if opts.default_timeout
                    else "--timeout"
                )
                self.stop("timeout", f"stopped after {opts.timeout_s:g} s of host time ({why})")
            if self.interrupted:
                self.stop("interrupted", "interrupted (Ctrl-C / SIGTERM)")
            if opts.progress:
                opts.progress(now)

    def schedule(self) -> None:
        """Set the counter's next deadline."""
        c = self.counter
        d = self.next_poll
        st = self.systick
        if st.interrupting:
            d = min(d, st.next_wrap(c.cycles))
        for p in self.timed:
            e = p.next_event(c.cycles)
            if e is not None:
                d = min(d, e)
        if self.options.max_cycles is not None:
            d = min(d, self.options.max_cycles)
        if self.exc.pending:
            d = c.cycles  # check every block until it is taken (it may be masked)
        c.deadline = d

    def next_wake(self) -> int | None:
        """When a sleeping core would wake: now when an exception can fire, else the next
        SysTick wrap, peripheral event (a timer's alarm) or the cycle limit; None when
        nothing can ever wake it."""
        st = self.systick
        wake = st.next_wrap(self.counter.cycles) if st.interrupting else None
        for p in self.timed:
            e = p.next_event(self.counter.cycles)
            if e is not None:
                wake = e if wake is None else min(wake, e)
        if self.options.max_cycles is not None:
            wake = min(wake, self.options.max_cycles) if wake else self.options.max_cycles
        if any(self.exc.can_fire(n) for n in self.exc.pending):
            return self.counter.cycles
        return wake

    def next_event(self) -> int | None:
        """The next event of a peripheral that keeps time (a timer's alarm, a watchdog's
        reset), whether or not it raises an interrupt; None when none is due."""
        events = [p.next_event(self.counter.cycles) for p in self.timed]
        return min((e for e in events if e is not None), default=None)

    def install_signals(self) -> dict:
        """Ctrl-C and SIGTERM end the run at the next block (when the options ask for it)."""
        if not self.options.handle_signals:
            return {}

        def on_signal(signum: int, frame: object) -> None:
            self.interrupted = True
            self.counter.deadline = 0
            self.next_poll = 0

        return {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    @staticmethod
    def restore_signals(old: dict) -> None:
        for s, handler in old.items():
            signal.signal(s, handler)
