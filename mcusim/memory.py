"""The firmware in the target's memory: placement checks, footprint, stack region (L2)."""

from __future__ import annotations

from mcusim.config.target import MemoryRegion, Target
from mcusim.elf import Firmware
from mcusim.errors import ElfError
from mcusim.result import Footprint

STACK_LIMIT_SYMBOLS = ("__stack_limit__", "__StackLimit", "_sstack", "__stack_start__")


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


def footprint(fw: Firmware, target: Target) -> Footprint:
    """Sum allocated sections by kind: code, read-only data, initialised data, zeroed data."""
    text = rodata = data = bss = 0
    for s in fw.sections:
        if s.nobits:
            bss += s.size
        elif s.writable:
            data += s.size
        elif s.executable:
            text += s.size
        else:
            rodata += s.size
    code = [r for r in target.memory if r.kind in ("flash", "rom")]
    if not code:  # e.g. MPS2: the image is loaded into the (SSRAM) region at the vector table
        code = [r for r in target.memory if r.contains(target.vector_table)]
    flash_used = 0
    ram_static = 0
    for s in fw.sections:
        load_region = target.region_at(s.lma)
        run_region = target.region_at(s.addr)
        if not s.nobits and load_region in code:
            flash_used += s.size
        if run_region is not None and run_region not in code and (s.writable or s.nobits):
            ram_static += s.size
    return Footprint(
        text, rodata, data, bss, flash_used, target.flash_bytes, ram_static, target.ram_bytes
    )


def stack_bounds(fw: Firmware, target: Target, initial_sp: int) -> tuple[int, int] | None:
    """(lowest, top) of the region the stack can grow into, above everything loaded there."""
    region: MemoryRegion | None = target.region_at(initial_sp - 4, 4)
    if region is None:
        return None
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
