"""The memory-mapped I/O map: peripherals by page, and a catch-all for unknown MMIO (L4).

Peripheral register windows are dispatched per 1 KiB page, so peripherals that share a page
work. The peripheral and system address ranges no model claims are mapped too: reads return 0
and writes are ignored, and every such access is counted for the report, never silently.

On a target with ``bit_band = true`` the Armv7-M bit-band aliases are mapped as well (Armv7-M
ARM DDI 0403E B3.5.7; Cortex-M4 TRM §3.7): word N of the 32 MiB alias at 0x42000000
(0x22000000) is bit N % 8 of byte N / 8 of the 1 MiB peripheral (SRAM) region at 0x40000000
(0x20000000). A read returns that bit; a write sets it to bit 0 of the value by a read-modify-
write of the bit-band region, with the access size of the alias access.
"""

from __future__ import annotations

from collections.abc import Callable

from mcusim.config.target import Target
from mcusim.machine.cpu import Cpu
from mcusim.machine.peripherals.bus import Peripheral, System
from mcusim.machine.peripherals.registry import build

PAGE = 0x400
# Armv7-M default memory map (DDI 0403E B3.1): the Peripheral region and the Private Peripheral
# Bus. Elsewhere (external RAM/device regions, vendor system space) an access to nothing a
# target declares is a bus error, as on a chip without an external memory controller.
UNKNOWN_RANGES = ((0x40000000, 0x60000000), (0xE0000000, 0xE0100000))
# (alias base, bit-band region base): SRAM and peripherals, 1 MiB each (DDI 0403E B3.5.7)
BIT_BAND = ((0x22000000, 0x20000000), (0x42000000, 0x40000000))
BIT_BAND_REGION = 0x100000


class MmioMap:
    """Maps the core's and the target's peripherals into a :class:`Cpu`."""

    def __init__(
        self, cpu: Cpu, target: Target, system: System, core_peripherals: list[Peripheral]
    ):
        self.cpu = cpu
        self.target = target
        self.system = system
        self.peripherals = list(core_peripherals)
        for i, spec in enumerate(target.peripherals):
            self.peripherals.append(build(spec, system, where=f"{target.path}: peripheral[{i}]"))
        for p in self.peripherals:  # models that act on others (a DMA controller) find them
            if hasattr(p, "connect"):
                p.connect(self)

    def by_name(self, name: str) -> Peripheral | None:
        return next((p for p in self.peripherals if p.name == name), None)

    def map_all(self, *, on_unknown: Callable[[int, str], None]) -> None:
        pages: dict[int, list[Peripheral]] = {}
        for p in self.peripherals:
            for page in range(p.base & ~(PAGE - 1), p.base + p.size_bytes, PAGE):
                pages.setdefault(page, []).append(p)
        self.pages = pages
        for page, members in sorted(pages.items()):
            self._map_page(page, members, on_unknown)
        taken = [(page, page + PAGE) for page in pages]
        taken += [(r.base, r.end) for r in self.target.memory]
        if self.target.bit_band:
            for alias, region in BIT_BAND:
                self._map_bit_band(alias, region, on_unknown)
                taken.append((alias, alias + 32 * BIT_BAND_REGION))
        for lo, hi in UNKNOWN_RANGES:
            for start, end in _subtract(lo, hi, taken):
                self._map_unknown(start, end, on_unknown)

    def _map_page(
        self, page: int, members: list[Peripheral], on_unknown: Callable[[int, str], None]
    ) -> None:
        system = self.system

        def find(address: int) -> Peripheral | None:
            for p in members:
                if p.base <= address < p.base + p.size_bytes and p.claims(address - p.base):
                    return p
            return None

        def read(offset: int, size: int) -> int:
            address = page + offset
            system.note_access(address)
            p = find(address)
            if p is None:
                on_unknown(address, "read")
                system.note_read(address, 0, None)
                return 0
            value = p.read(address - p.base, size)
            system.note_read(address, value, p)
            return value

        def write(offset: int, size: int, value: int) -> None:
            address = page + offset
            system.note_access(address)
            p = find(address)
            if p is None:
                on_unknown(address, "write")
                return
            _write(p, address - p.base, size, value)

        self.cpu.map_mmio(page, PAGE, read, write)

    def peripheral_at(self, address: int) -> Peripheral | None:
        for p in self.pages.get(address & ~(PAGE - 1), ()):
            if p.base <= address < p.base + p.size_bytes:
                return p
        return None

    def _map_bit_band(self, alias: int, region: int, on_unknown: Callable[[int, str], None]):
        """The alias of a bit-band region: peripheral registers through their models, SRAM
        through guest memory."""
        system, cpu, target = self.system, self.cpu, self.target

        def locate(offset: int, size: int) -> tuple[int, int]:
            """The bit-band region access an alias access makes: its address and the bit."""
            byte = region + (offset >> 5)
            at = byte & ~(size - 1)
            return at, (byte - at) * 8 + ((offset >> 2) & 7)

        def load(at: int, size: int, kind: str) -> tuple[int, Peripheral | None] | None:
            if region == BIT_BAND[1][1]:
                p = self.peripheral_at(at)
                if p is not None:
                    return p.read(at - p.base, size), p
            elif target.region_at(at, size) is not None:
                return int.from_bytes(cpu.read(at, size), "little"), None
            on_unknown(at, kind)
            return None

        def read(offset: int, size: int) -> int:
            system.note_access(alias + offset)
            at, bit = locate(offset, size)
            got = load(at, size, "read")
            value = 0 if got is None else (got[0] >> bit) & 1
            system.note_read(at, value, None if got is None else got[1])
            return value

        def write(offset: int, size: int, value: int) -> None:
            system.note_access(alias + offset)
            at, bit = locate(offset, size)
            got = load(at, size, "write")
            if got is None:
                return
            new = (got[0] & ~(1 << bit)) | ((value & 1) << bit)
            if got[1] is not None:
                _write(got[1], at - got[1].base, size, new)
            else:
                cpu.write(at, new.to_bytes(size, "little"))

        cpu.map_mmio(alias, 32 * BIT_BAND_REGION, read, write)

    def _map_unknown(self, start: int, end: int, on_unknown: Callable[[int, str], None]) -> None:
        system = self.system

        def read(offset: int, size: int) -> int:
            system.note_access(start + offset)
            on_unknown(start + offset, "read")
            system.note_read(start + offset, 0, None)
            return 0

        def write(offset: int, size: int, value: int) -> None:
            system.note_access(start + offset)
            on_unknown(start + offset, "write")

        self.cpu.map_mmio(start, end - start, read, write)


def _subtract(lo: int, hi: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of [lo, hi) not covered by ``taken`` intervals."""
    out = []
    cursor = lo
    for a, b in sorted(taken):
        if b <= cursor or a >= hi:
            continue
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < hi:
        out.append((cursor, hi))
    return out


def _write(p: Peripheral, offset: int, size: int, value: int) -> None:
    """A firmware write to peripheral ``p``, then the models watching its writes."""
    p.write(offset, size, value)
    for watcher in p.write_watchers:
        watcher(offset)
