"""The peripherals' view of a run (L5): the :class:`~mcusim.machine.peripherals.bus.System`
protocol implemented over the run's exception state, counter, consoles and memory.
"""

from __future__ import annotations


class ConsoleLog:
    """What the firmware printed: the bytes in order, per source ("semihosting", a UART's
    name, "itm"), and the modelled cycle at which each line began."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.sources: dict[str, list[bytes]] = {}
        self.line_cycles: list[int] = []
        self._at_line_start = True

    def write(self, data: bytes, source: str, now: int) -> None:
        if data:
            starts = data.count(b"\n", 0, len(data) - 1) + self._at_line_start
            self.line_cycles.extend([now] * starts)
            self._at_line_start = data.endswith(b"\n")
        self.chunks.append(data)
        self.sources.setdefault(source, []).append(data)

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")

    def by_source(self) -> dict[str, str]:
        return {k: b"".join(v).decode("utf-8", "replace") for k, v in self.sources.items()}


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
        self.console_log.write(data, source, self.counter.cycles)
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
