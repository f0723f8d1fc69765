"""Loading and boot (L5): the target's memory mapped, the image's segments loaded at their
load addresses, and the first SP and PC found (the vector table, or the ELF entry point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcusim.config.target import Target
from mcusim.errors import ElfError
from mcusim.image.elf import Firmware
from mcusim.machine.cpu import Cpu


@dataclass(frozen=True)
class Boot:
    """Where execution starts: SP (word aligned), PC (Thumb bit set), VTOR and how they were
    found (said in error messages)."""

    sp: int
    pc: int
    vtor: int
    how: str


def load_image(cpu: Cpu, target: Target, fw: Firmware) -> dict[str, np.ndarray]:
    """Map every memory region of ``target`` and load the image's segments into them; returns
    each region's host buffer by name."""
    buffers = {}
    for region in target.memory:
        buffers[region.name] = cpu.map_memory(region.base, region.size_bytes, region.access)
        if region.image:
            buffers[region.name][: len(region.image)] = np.frombuffer(region.image, np.uint8)
    for seg in fw.segments:
        if seg.data:
            region = target.region_at(seg.paddr, len(seg.data))
            buf = buffers[region.name]
            off = seg.paddr - region.base
            buf[off : off + len(seg.data)] = np.frombuffer(seg.data, dtype=np.uint8)
    return buffers


def _image_read(target: Target, address: int, size: int) -> bytes | None:
    """``size`` bytes at ``address`` of a memory region's image file, or None."""
    region = target.region_at(address, size)
    if region is None or not getattr(region, "image", b""):
        return None
    data = region.image[address - region.base :][:size]
    return data if len(data) == size else None


def find_boot(fw: Firmware, target: Target) -> Boot:
    """SP and PC from the vector table at the target's ``vector_table`` address when the image
    loads one there (or a boot ROM's image, ``[[memory]] image``, holds one there); else the table
    at the start of an image linked after a boot loader, when its reset vector is the ELF entry
    (SP, PC and VTOR from it, as the boot loader jumps); else the ELF entry point with SP at the
    top of the first RAM."""
    vt = fw.read(target.vector_table, 8)
    if vt is None:  # a boot ROM's vector table (a region's image)
        vt = _image_read(target, target.vector_table, 8)
    ram = next((r for r in target.memory if r.kind == "ram"), None)
    vtor = target.vector_table
    if vt is not None and int.from_bytes(vt[4:], "little") & 1:
        sp, pc = int.from_bytes(vt[:4], "little"), int.from_bytes(vt[4:], "little")
        how = "vector table"
    elif (own := _image_vector_table(fw, target)) is not None:
        vtor, sp, pc = own
        how = f"the image's vector table at 0x{vtor:08x}, as a boot loader starts it"
    else:
        if ram is None:
            raise ElfError(
                f"{fw.path}: no vector table at 0x{target.vector_table:08x} and "
                f"target '{target.name}' has no RAM for a stack"
            )
        sp, pc = ram.end, fw.entry | 1
        how = "ELF entry point (no vector table)"
    region = target.region_at(pc & ~1, 2)
    if region is None or "x" not in region.access:
        raise ElfError(
            f"{fw.path}: start address 0x{pc & ~1:08x} ({how}) is not in "
            f"executable memory of target '{target.name}'"
        )
    if target.region_at(sp - 4, 4) is None:
        raise ElfError(
            f"{fw.path}: initial stack pointer 0x{sp:08x} ({how}) is not "
            f"in the memory of target '{target.name}'"
        )
    return Boot(sp=sp & ~3, pc=pc, vtor=vtor, how=how)


def _image_vector_table(fw: Firmware, target: Target) -> tuple[int, int, int] | None:
    """(address, SP, PC) of a vector table at the start of the image's code when the image is
    linked above the chip's own table (after a boot loader: Ambiq's and SparkFun's Apollo3
    programs at 0xC000) and that table's reset vector is the ELF entry point, the table the
    boot loader would jump through; None otherwise."""
    starts = [
        s.paddr
        for s in getattr(fw, "segments", ())
        if s.data and (r := target.region_at(s.paddr)) is not None and "x" in r.access
    ]
    table = fw.read(min(starts), 8) if starts else None
    if table is None:
        return None
    sp, pc = int.from_bytes(table[:4], "little"), int.from_bytes(table[4:], "little")
    ram = target.region_at(sp - 4, 4)
    if pc != fw.entry | 1 or sp & 3 or ram is None or ram.kind != "ram":
        return None
    return min(starts), sp, pc
