"""The stack of a run (L5): painted before the first instruction, scanned for its peak
(checkpoints let observers repaint it), the heap's share of the region, RTOS thread stacks, and
the optional guard that stops at the first write below it (``--check-stack``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mcusim.image.memory import STACK_LIMIT_SYMBOLS, stack_bounds, thread_stacks
from mcusim.machine.semihosting import HeapInfo

PAINT = 0xCDCDCDCD
STACK_GUARD_BYTES = 4096  # watched below the stack region (frames larger than this skip it)


class StackWatch:
    """``bounds``: the stack region (low, high), or None when the image has none we can find;
    ``heap_peak()``: the heap's peak bytes (the scan starts above it)."""

    def __init__(self, fw, target, cpu, buffers, initial_sp: int, heap_peak: Callable):
        self.fw, self.target, self.cpu, self.buffers = fw, target, cpu, buffers
        self.initial_sp = initial_sp
        self.heap_peak = heap_peak
        self.bounds = stack_bounds(fw, target, initial_sp)
        self.low: int | None = None  # lowest stack word seen changed (checkpoints)

    def view(self, lo: int, hi: int) -> np.ndarray:
        region = self.target.region_at(lo, hi - lo)
        buf = self.buffers[region.name]
        return buf[lo - region.base : hi - region.base].view(np.uint32)

    def paint(self) -> None:
        if self.bounds:
            self.view(*self.bounds)[:] = PAINT

    def heap_info(self) -> HeapInfo:
        lo, hi = self.bounds or (self.initial_sp, self.initial_sp)
        middle = (lo + (hi - lo) // 2) & ~7
        return HeapInfo(heap_base=lo, heap_limit=middle, stack_base=hi, stack_limit=middle)

    def scan_bottom(self) -> int:
        """The lowest stack word the scan looks at: above the heap's peak (``_sbrk``)."""
        lo, hi = self.bounds
        return min(hi, (lo + (self.heap_peak() or 0) + 7) & ~7)

    def checkpoint(self) -> int:
        """The lowest address the stack has reached so far (recorded: a later repaint by an
        observer cannot hide it); the top of the stack when unused."""
        if not self.bounds:
            return self.initial_sp
        lo = self.scan_bottom()
        below = self.low if self.low is not None else self.bounds[1]
        if lo < below:
            changed = np.nonzero(self.view(lo, below) != PAINT)[0]
            if len(changed):
                self.low = lo + 4 * int(changed[0])
        return self.low if self.low is not None else self.bounds[1]

    def peak(self) -> int:
        """Top of stack - the lowest word ever changed: the final scan, or a lower point an
        observer's checkpoint recorded before it repainted the free stack."""
        if not self.bounds:
            return 0
        return self.bounds[1] - self.checkpoint()

    def size(self) -> int:
        lo, hi = self.bounds or (0, 0)
        return hi - lo

    def warnings(self) -> list[str]:
        out = []
        if self.bounds and self.peak() >= self.bounds[1] - self.bounds[0]:
            out.append(
                f"the stack used all {self.bounds[1] - self.bounds[0]:,} bytes of its region: "
                "it may have overflowed into the memory below; rerun with --check-stack to stop "
                "at the overflowing write"
            )
        return out

    def process_stacks(self, psp_seen) -> tuple[dict, ...]:
        """Each RTOS thread stack (PSP) seen: the object holding it and the bytes used, from
        its top down to the lowest word that no longer holds the value at its bottom (the
        start-up's zeroes or the RTOS's fill pattern; a lower bound, never painted by us)."""
        sps = set(psp_seen)
        psp = self.cpu.reg("psp")
        if psp:
            sps.add(psp)
        out = []
        for name, address, size in thread_stacks(self.fw, self.target, sps):
            words = np.frombuffer(self.cpu.read(address, size & ~3), dtype=np.uint32)
            differs = np.nonzero(words != words[0])[0] if len(words) else []
            used = size - 4 * int(differs[0]) if len(differs) else 0
            out.append({"symbol": name, "address": address, "size_bytes": size, "peak_bytes": used})
        return tuple(out)

    def hook_guard(self, counter, *, stopped: Callable[[], bool], fault: Callable) -> None:
        """Watch writes just below the stack region: one made while SP is below the region's
        bottom is a stack overflow (reported like a fault; a write there with SP in range is
        the firmware's own data and goes on)."""
        if not self.bounds:
            return
        bottom = self.bounds[0]
        region = self.target.region_at(bottom - 4, 4)
        if region is None:
            return
        lo = max(region.base, bottom - STACK_GUARD_BYTES)
        limit = next((n for n in STACK_LIMIT_SYMBOLS if self.fw.symbols.get(n) == bottom), None)
        what = f"{limit} = 0x{bottom:08x}" if limit else f"0x{bottom:08x}, the end of .data/.bss"
        below = (
            ".bss/.data"
            if any(s.addr < bottom <= s.addr + s.size for s in self.fw.sections if s.writable)
            else "the RAM below it (heap or unused)"
        )
        cpu = self.cpu

        def on_write(address: int, size: int) -> None:
            sp = cpu.reg("sp")
            if sp < bottom and not stopped():
                pc = cpu.reg("pc")
                fault(
                    "stack_overflow",
                    pc,
                    f"SP 0x{sp:08x} is {bottom - sp:,} bytes below the stack bottom ({what}); "
                    f"write of {size} byte(s) at 0x{address:08x} into {below}",
                    address,
                )

        cpu.hook_writes(lo, bottom - 1, on_write)
        counter.it_watch = True  # a memory hook: see Run.repair_it_state
