"""How a run is asked for, and what watches it (L5): :class:`RunOptions`, built once by the
caller (the CLI, the test runner, a library user), the :class:`Observer` protocol, and the
:class:`Probe` an observer may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from mcusim.config.target import Target
from mcusim.image.elf import Firmware


@dataclass(frozen=True)
class RunOptions:
    """How to run: limits, console, semihosting sandbox."""

    max_cycles: int | None = None
    timeout_s: float | None = 300.0
    default_timeout: bool = False  # timeout_s is the default, not asked for (said in the report)
    args: tuple[str, ...] = ()
    semihosting_root: Path | None = None
    stdin: Callable[[int], bytes] | None = None
    console: Callable[[bytes, str], None] | None = None
    progress: Callable[[int], None] | None = None
    poll_cycles: int = 1 << 22
    handle_signals: bool = False
    observers: tuple[Observer, ...] = ()
    native: bool | None = None  # None: the C fast path when built, else the Python hook
    # Fault unaligned accesses as the core would (Unicorn allows them). It calls Python at the
    # entry of every block holding an LDRD/LDM/STM-like access (every load/store on Armv6-M),
    # which costs speed, so it is asked for: --check-alignment.
    check_alignment: bool = False
    # Stop at the first write below the stack region made with SP below it (a stack overflow).
    # A write hook slows every store (about 2x on inference code), so it is asked for:
    # --check-stack. Without it, a stack that used its whole region is reported as a warning.
    check_stack: bool = False
    # Stop with "stuck" once one instruction block has read the same peripheral register this
    # many times in a row with the same value (a wait on a ready bit that never comes); None:
    # never.
    poll_limit: int | None = 100_000
    extra: dict = field(default_factory=dict)


class Observer(Protocol):
    """Something that watches a run through its :class:`Probe` (e.g. the op profiler).

    ``attach`` is called once the firmware is loaded, before the first instruction; ``finish``
    after the run, and what it returns is stored in ``RunResult.extensions[name]``.
    """

    name: str

    def attach(self, probe: Probe) -> None: ...

    def finish(self, probe: Probe) -> dict: ...


class Probe(Protocol):
    """What an observer may use: modelled time, registers, memory, scoped address hooks."""

    firmware: Firmware
    target: Target
    accounting: str  # "native" (the C fast path runs this run) or "python"

    def now(self) -> int:
        """Modelled cycles since reset (at the instruction being hooked)."""
        ...

    def reg(self, name: str) -> int: ...

    def read(self, address: int, size: int) -> bytes: ...

    def write(self, address: int, data: bytes) -> None: ...

    def view(self, address: int, size: int) -> np.ndarray | None:
        """The guest RAM ``[address, address + size)`` as a writable numpy uint8 array (no
        copy), or None when it is not all in one RAM region."""
        ...

    def stack_checkpoint(self) -> int:
        """Record the run's stack use so far (the lowest address the stack has reached, which
        it returns; the top of the stack when unused) before an observer repaints the free
        stack below the SP: the whole-run peak never depends on what observers paint."""
        ...

    def on_address(self, address: int, callback: Callable[[], None]) -> None:
        """Call ``callback()`` before the instruction at ``address`` runs (few addresses)."""
        ...

    def instructions(self) -> int:
        """Instructions executed before the instruction being hooked (costs a walk over all
        blocks: for a few calls a run)."""
        ...

    def request_stop(self, reason: str, message: str) -> None:
        """End the run after the instruction being hooked (``reason`` as in the result)."""
        ...
