"""The peripherals' view of a run (L5): the :class:`~mcusim.machine.peripherals.bus.System`
protocol implemented over the run's exception state, counter, consoles and memory.
"""

from __future__ import annotations


class RunSystem:
    """Mixed into the run: needs its ``exc``, ``scs``, ``counter``, ``align``, ``access``,
    ``target``, ``cpu``, ``options``, consoles and ``stop``."""

    def note_access(self, address: int) -> None:
        self.access.note_access(address)

    def note_read(self, address: int, value: int, peripheral) -> None:
        self.access.note_read(address, value, peripheral)

    def seconds(self, cycles: int) -> float:
        return self.core_clock.seconds(cycles)

    def hz(self) -> float:
        return self.core_clock.hz

    def console(self, data: bytes, source: str) -> None:
        if data:
            now = self.counter.cycles
            starts = data.count(b"\n", 0, len(data) - 1) + self.console_at_line_start
            self.console_line_cycles.extend([now] * starts)
            self.console_at_line_start = data.endswith(b"\n")
        self.console_chunks.append(data)
        self.console_sources.setdefault(source, []).append(data)
        if self.options.console:
            self.options.console(data, source)

    def set_pending(self, exception: int) -> None:
        self.exc.pending.add(exception)
        self.reschedule()

    def reschedule(self) -> None:
        self.counter.deadline = 0
        allowed = self.target.fpu and self.scs.fpu_enabled
        if self.align.trap_changed():  # the blocks translated so far were rechecked
            self.counter.set_fp_allowed(allowed)
        if allowed != self.counter.fp_allowed:
            self.counter.set_fp_allowed(allowed)

    def request_stop(self, reason: str, message: str) -> None:
        self.stop(reason, message)

    def memory_region(self, name: str):
        return next((r for r in self.target.memory if r.name == name), None)

    def configure_flash(self, region: str, **settings) -> None:
        self.counter.configure_flash(self.memory_region(region), **settings)
        if "wait_states" in settings:
            self.core_clock.check()

    def read_memory(self, address: int, size: int) -> bytes:
        if size <= 0:
            return b""
        if self.target.region_at(address, size) is None:
            raise LookupError(
                f"0x{address:08x}..0x{address + size - 1:08x} is not inside one memory region"
            )
        return self.cpu.read(address, size)
