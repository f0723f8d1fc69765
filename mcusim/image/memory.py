"""The firmware in the target's memory: placement checks, footprint, stack region (L2)."""

from __future__ import annotations

from mcusim.config.target import MemoryRegion, Target
from mcusim.errors import ElfError
from mcusim.image.elf import Firmware
from mcusim.result import Footprint

# symbols naming the lowest address of the main stack: ours, CMSIS/mbed, others
STACK_LIMIT_SYMBOLS = (
    "__stack_limit__",
    "__StackLimit",
    "_sstack",
    "__stack_start__",
    "__stack_bottom",
    "_stack_bottom",
)


def check_placement(fw: Firmware, target: Target) -> None:
    """Every PT_LOAD segment must sit inside one memory region (load and run address)."""
    for i, seg in enumerate(fw.segments):
        spans = [(seg.paddr, max(len(seg.data), 1), "load")]
        if seg.vaddr != seg.paddr or seg.memsz > len(seg.data):
            spans.append((seg.vaddr, seg.memsz, "run"))
        for addr, size, what in spans:
            if target.region_at(addr, size) is None:
                regions = ", ".join(f"{r.name} 0x{r.base:08x}-0x{r.end:08x}" for r in target.memory)
                raise ElfError(
                    f"{fw.path}: segment {i} ({what} address 0x{addr:08x}-0x{addr + size:08x}, "
                    f"{size:,} bytes) does not fit the memory of target '{target.name}' "
                    f"({regions})"
                )


# NOBITS sections that only reserve room for the stack and/or heap (CMSIS `.stack`/`.heap`,
# STM32CubeIDE `._user_heap_stack`): counted as reserved, not as static data
RESERVED_SECTIONS = (".stack", ".heap", "._user_heap_stack", ".stack_dummy", ".heap_dummy")


def image_regions(fw: Firmware, target: Target) -> list[MemoryRegion]:
    """The regions the image's code and read-only data are stored in and run from: the
    flash/ROM regions holding a loaded section; else (MPS2's code SSRAM, an image loaded into
    RAM) the regions holding its code; else the region of the vector table."""
    loaded = [s for s in fw.sections if not s.nobits]
    regions = [
        r
        for r in target.memory
        if r.kind in ("flash", "rom") and any(r.contains(s.lma) for s in loaded)
    ]
    if not regions:
        code = [s.addr for s in fw.sections if s.executable]
        regions = [r for r in target.memory if any(r.contains(a) for a in code)]
    return regions or [r for r in target.memory if r.contains(target.vector_table)]


def classify_section(s, target: Target, image: list[MemoryRegion]) -> str:
    """What a section counts as: ``image`` (code and read-only data, or .data's load image,
    stored in an image region), ``data``/``bss`` (static RAM), ``reserved`` (a stack/heap
    reservation) or ``other`` (e.g. a read-only NOBITS region, in flash or in code SSRAM)."""
    run = target.region_at(s.addr)
    if s.nobits:
        if run is None or run.kind != "ram" or not s.writable:
            return "other"  # e.g. a read-only slot the host fills (the runner's model region)
        return "reserved" if s.name in RESERVED_SECTIONS else "bss"
    if s.writable and run is not None and run.kind == "ram":
        return "data"
    load = target.region_at(s.lma)
    return "image" if load in image else "other"


def footprint(fw: Firmware, target: Target) -> Footprint:
    """Bytes by what they are and where they sit: the image (code, read-only data and the load
    image of .data) in the region it executes from, static RAM (.data + .bss) in RAM regions."""
    image = image_regions(fw, target)
    text = rodata = data = bss = reserved = image_used = data_image = 0
    for s in fw.sections:
        kind = classify_section(s, target, image)
        if s.executable:
            text += s.size
        elif not s.nobits and not s.writable:
            rodata += s.size
        if kind == "data":
            data += s.size
            if s.lma != s.addr and target.region_at(s.lma) in image:
                image_used += s.size  # the load image copied at start-up
                data_image += s.size
        elif kind == "bss":
            bss += s.size
        elif kind == "reserved":
            reserved += s.size
        elif kind == "image":
            image_used += s.size
    return Footprint(
        text,
        rodata,
        data,
        bss,
        image_used,
        sum(r.size_bytes for r in image),
        data + bss,
        target.ram_bytes,
        image_region=", ".join(r.name for r in image),
        image_in_ram=all(r.kind == "ram" for r in image),
        ram_reserved_bytes=reserved,
        data_image_bytes=data_image,
    )


def _stack_object(fw: Firmware, region: MemoryRegion, sp: int) -> int | None:
    """The start of what holds a stack whose top is ``sp``: a NOBITS section reserved for it
    (``.stack``, ``._user_heap_stack``, Zephyr's ``noinit`` ...) or a sized object (an RTOS
    thread's stack array, Zephyr's ``z_interrupt_stacks``) that ``sp`` lies in or just past."""
    for s in fw.sections:
        if s.nobits and region.contains(s.addr) and s.addr < sp <= s.addr + s.size:
            if s.name in RESERVED_SECTIONS or "stack" in s.name:
                return s.addr
    best = None
    for name, addr in fw.symbols.items():
        size = fw.symbol_sizes.get(name, 0)
        if size >= 64 and region.contains(addr) and addr < sp <= addr + size:
            if fw.function_at(addr) is None and (best is None or addr > best):
                best = addr
    return best


def stack_bounds(fw: Firmware, target: Target, initial_sp: int) -> tuple[int, int] | None:
    """(lowest, top) of the region the stack can grow into: from the initial SP down to a
    stack-limit symbol, the start of a section or object reserved for the stack, or the end of
    whatever is loaded below it."""
    region: MemoryRegion | None = target.region_at(initial_sp - 4, 4)
    if region is None:
        return None
    bottom = _stack_object(fw, region, initial_sp)
    if bottom is None:
        bottom = region.base
        for seg in fw.segments:
            for addr, size in ((seg.vaddr, seg.memsz), (seg.paddr, len(seg.data))):
                end = addr + size
                if region.base <= addr < region.end and end <= initial_sp:
                    bottom = max(bottom, end)
    for name in STACK_LIMIT_SYMBOLS:
        value = fw.symbols.get(name)
        if value is not None and bottom <= value < initial_sp:
            bottom = value
            break
    bottom = (bottom + 7) & ~7
    return (bottom, initial_sp) if bottom < initial_sp else None


def thread_stacks(fw: Firmware, target: Target, sps: set[int]) -> list[tuple[str, int, int]]:
    """The objects holding the process stacks (PSP) of an RTOS's threads: (symbol, address,
    size) of each sized RAM object that one of ``sps`` points into."""
    out: dict[int, tuple[str, int, int]] = {}
    for sp in sps:
        region = target.region_at(sp - 4, 4)
        if region is None or region.kind != "ram":
            continue
        start = _stack_object(fw, region, sp)
        if start is None or start in out:
            continue
        name = next(
            (n for n, a in fw.symbols.items() if a == start and fw.symbol_sizes.get(n)), None
        )
        size = fw.symbol_sizes.get(name, 0) if name else 0
        if name is None:
            sec = next(s for s in fw.sections if s.addr == start)
            name, size = sec.name, sec.size
        out[start] = (name, start, size)
    return sorted(out.values(), key=lambda t: t[1])
