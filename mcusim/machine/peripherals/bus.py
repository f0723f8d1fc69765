"""The bus protocol between peripheral models and the simulator (L3)."""

from __future__ import annotations

from typing import Any, Protocol

from mcusim.errors import ConfigError


class System(Protocol):
    """What a peripheral may ask of the simulated system."""

    def now(self) -> int:
        """Modelled cycles since reset, at the instruction doing the access."""
        ...

    def seconds(self, cycles: int) -> float:
        """Modelled time from reset to core cycle ``cycles`` (the core clock may change)."""
        ...

    def hz(self) -> float:
        """The core clock now."""
        ...

    def console(self, data: bytes, source: str) -> None:
        """Emit firmware output (``source`` names the channel, e.g. ``"uart0"``)."""
        ...

    def set_pending(self, exception: int) -> None:
        """Mark an exception (or IRQ number + 16) pending."""
        ...

    def reschedule(self) -> None:
        """Timing state changed: recompute the next event deadline."""
        ...

    def request_stop(self, reason: str, message: str) -> None:
        """End the run after the current block (e.g. a reset request)."""
        ...

    def memory_region(self, name: str):
        """The target's memory region ``name`` (a MemoryRegion), or None."""
        ...

    def configure_flash(self, region: str, **settings) -> None:
        """New wait states / prefetch / cache state of a memory region (the firmware wrote its
        controller): ``wait_states``, ``prefetch``, ``icache_on``, ``dcache_on``; and
        ``invalidate_icache`` / ``invalidate_dcache`` = True to empty that cache."""
        ...

    def read_memory(self, address: int, size: int) -> bytes:
        """``size`` bytes of guest memory at ``address`` as a DMA engine would read them (no
        cycles charged). Raises LookupError unless the range lies inside one memory region."""
        ...


class Peripheral:
    """Base class: register reads and writes at offsets from ``base``."""

    # called with the offset after each write the firmware makes here (another model watching
    # a register of this one: a DMA stream waiting for a UART's request bit)
    write_watchers: tuple = ()

    def __init__(self, name: str, base: int, size_bytes: int):
        self.name = name
        self.base = base
        self.size_bytes = size_bytes

    def watch_writes(self, callback) -> None:
        """Call ``callback(offset)`` after each write the firmware makes to this peripheral."""
        self.write_watchers = (*self.write_watchers, callback)

    def claims(self, offset: int) -> bool:
        """Whether the model answers at ``offset`` of its window (an access it does not claim
        is an unmodelled one: read as 0, ignored, counted for the report)."""
        return True

    def read(self, offset: int, size: int) -> int:
        raise NotImplementedError

    def write(self, offset: int, size: int, value: int) -> None:
        raise NotImplementedError


class RegisterFile:
    """Byte-addressed storage that reads back what was written (little-endian); a word never
    written reads ``fill`` (0, or 0xFFFFFFFF for erased flash such as a UICR)."""

    def __init__(self, size_bytes: int, fill: int = 0):
        self._data: dict[int, int] = {}
        self.size_bytes = size_bytes
        self.fill = fill

    def read(self, offset: int, size: int) -> int:
        fill = self.fill
        return sum(
            self._data.get(offset + i, (fill >> (8 * ((offset + i) & 3))) & 0xFF) << (8 * i)
            for i in range(size)
        )

    def write(self, offset: int, size: int, value: int) -> None:
        for i in range(size):
            self._data[offset + i] = (value >> (8 * i)) & 0xFF


def dma_region_names(where: str, value: object, system: System | None) -> tuple[str, ...]:
    """A DMA peripheral's ``dma_regions``: names of the target's memory regions its DMA can
    read (empty: any), checked against the target."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, str) for r in value):
        raise ConfigError(f"{where}.dma_regions must be an array of memory region names")
    for r in value:
        if system is not None and system.memory_region(r) is None:
            raise ConfigError(f"{where}.dma_regions: no memory region '{r}' in the target")
    return tuple(value)


def watch_source(
    mmio: Any, sources: dict[str, Peripheral], name: str, where: str, callback
) -> Peripheral:
    """The peripheral ``name`` of the MMIO map that a DMA model reads requests from (a
    :class:`ConfigError` naming ``where`` when the target has none), kept in ``sources``; the
    firmware's writes to it call ``callback`` (once per peripheral, however many requests it
    makes)."""
    p = mmio.by_name(name)
    if p is None:
        raise ConfigError(f"{where}: no peripheral '{name}' in the target")
    if name not in sources:
        sources[name] = p
        p.watch_writes(lambda _offset: callback())
    return p


def interrupt_line(system: System, irq: int, was_high: bool, high: bool) -> bool:
    """A peripheral's interrupt line at its new level ``high``: a line that goes high makes
    IRQ ``irq`` pending (one held high does not pend it again). Returns ``high``, the level to
    keep."""
    if high and not was_high:
        system.set_pending(16 + irq)
    return high


def dma_read(
    system: System, mmio: Any, regions: tuple[str, ...], address: int, span: int
) -> tuple[bytes, str]:
    """Read ``span`` bytes a DMA controller fetches from ``address``: ``(data, "")``, or
    ``(b"", why)`` when it cannot (a peripheral's registers, which no DMA model reads; memory
    outside ``regions``, the regions it reaches, when given; no memory there)."""
    if mmio is not None and mmio.peripheral_at(address) is not None:
        return b"", f"reading 0x{address:08x}, a peripheral, is not modelled"
    if outside_dma_regions(system, regions, address, span):
        return b"", (
            f"transfer of {span} byte(s) from 0x{address:08x} is outside "
            f"{', '.join(regions)}, the memory this DMA controller reaches"
        )
    try:
        return system.read_memory(address, span), ""
    except LookupError as e:
        return b"", f"reading 0x{address:08x}: {e}"


def outside_dma_regions(system: System, names: tuple[str, ...], address: int, size: int) -> bool:
    """True when [address, address + size) is not inside one of the regions ``names``."""
    return bool(names) and not any(system.memory_region(r).contains(address, size) for r in names)


def register_bit(value: object) -> tuple[int, int] | None:
    """``{offset, bit}`` (a word-aligned register offset and a bit, 0-31) as a pair, or None
    when ``value`` is not one: how a DMA model names the bit that enables a peripheral's
    request (USART CR3.DMAT, UARTDMACR.TXDMAE)."""
    if (
        isinstance(value, dict)
        and set(value) <= {"offset", "bit"}
        and isinstance(value.get("offset"), int)
        and value["offset"] % 4 == 0
        and isinstance(value.get("bit"), int)
        and 0 <= value["bit"] < 32
    ):
        return value["offset"], value["bit"]
    return None


def peripheral_request(
    where: str, entry: Any, numbers: dict[str, range], bit_key: str, usage: str
) -> tuple:
    """A DMA model's request entry in a target file: ``numbers``' keys (each an integer in its
    range), ``peripheral``, ``bit_key = {offset, bit}`` (the bit of the peripheral's register
    that is the request) and an optional ``meaning``; as ``(numbers..., peripheral, offset,
    bit)``, or a :class:`ConfigError` saying "``where`` must be ``usage``"."""
    bit = register_bit(entry.get(bit_key)) if isinstance(entry, dict) else None
    ok = (
        isinstance(entry, dict)
        and not set(entry) - {*numbers, "peripheral", bit_key, "meaning"}
        and all(
            isinstance(entry.get(k), int) and not isinstance(entry[k], bool) and entry[k] in r
            for k, r in numbers.items()
        )
        and isinstance(entry.get("peripheral"), str)
        and bit is not None
    )
    if not ok:
        raise ConfigError(f"{where} must be {usage}")
    return (*(entry[k] for k in numbers), entry["peripheral"], *bit)


def dma_write(
    owner: object,
    mmio: Any,
    dst: int,
    step: int,
    size: int,
    items: list[bytes],
    *,
    system: System | None = None,
    regions: tuple[str, ...] = (),
) -> str | None:
    """Write a DMA controller's ``items`` (``size`` bytes each) from ``dst`` on, ``step``
    apart (0: every item to one address, the last one stays): through the model of the
    peripheral there (a console UART prints them) or into writable memory, inside
    ``regions`` when given. None when written, else why the DMA cannot (its caller stops the
    run with that)."""
    target = mmio.peripheral_at(dst) if mmio else None
    if target is owner:
        return "writing the DMA controller's own registers is not modelled"
    last = dst + step * (len(items) - 1)
    if target is not None:
        if last + size > target.base + target.size_bytes:
            return f"write to 0x{last:08x} leaves {target.name}"
        for i, item in enumerate(items):
            target.write(dst + i * step - target.base, size, int.from_bytes(item, "little"))
        return None
    span = last - dst + size
    region = mmio.target.region_at(dst, span) if mmio else None
    if region is None or "w" not in region.access:
        return (
            f"write of {span} byte(s) to 0x{dst:08x}: not writable memory or a modelled "
            "peripheral (bus errors are not modelled)"
        )
    if system is not None and outside_dma_regions(system, regions, dst, span):
        return f"destination 0x{dst:08x} is outside {', '.join(regions)}"
    if step == size:
        mmio.cpu.write(dst, b"".join(items))
    elif step:
        for i, item in enumerate(items):
            mmio.cpu.write(dst + i * step, item)
    else:
        mmio.cpu.write(dst, items[-1])
    return None
