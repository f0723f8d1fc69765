"""The observers' view of a run (L5): the :class:`~mcusim.simulator.options.Probe` protocol
implemented over the run's CPU, memory buffers, counter and stack.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class RunProbe:
    """Mixed into the run: needs its ``cpu``, ``target``, ``buffers``, ``stack``, ``counter``,
    ``accounting`` and ``access`` (the MMIO access log, which knows the hooked instruction)."""

    def now(self) -> int:
        return self.access.now()

    def reg(self, name: str) -> int:
        return self.cpu.reg(name)

    def read(self, address: int, size: int) -> bytes:
        return self.cpu.read(address, size)

    def write(self, address: int, data: bytes) -> None:
        self.cpu.write(address, data)

    def view(self, address: int, size: int) -> np.ndarray | None:
        region = self.target.region_at(address, size)
        if region is None or region.kind != "ram":
            return None
        return self.buffers[region.name][address - region.base : address - region.base + size]

    def stack_checkpoint(self) -> int:
        return self.stack.checkpoint()

    def instructions(self) -> int:
        if self.accounting == "native":
            self.counter.sync()
        done = self.counter.instructions()
        b = self.counter.current
        at_pc = self.access.at_pc
        if b is not None and at_pc is not None:  # the block is counted whole at its start
            done -= sum(1 for i in b.insns if i.address >= at_pc)
        return done

    def on_address(self, address: int, callback: Callable[[], None]) -> None:
        pc = address & ~1
        access = self.access

        def hooked() -> None:
            access.at_pc = pc
            try:
                callback()
            finally:
                access.at_pc = None

        self.cpu.hook_address(pc, hooked)
