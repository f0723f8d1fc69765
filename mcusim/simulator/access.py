"""Peripheral accesses as the run sees them (L5): which instruction of the running block made
an MMIO access (so ``now()`` is exact to the instruction), the log of accesses to unmodelled
registers, and the detector of a poll that can never end ("stuck").
"""

from __future__ import annotations

from collections.abc import Callable

from mcusim.errors import ConfigError
from mcusim.simulator.faults import REG_NAMES

SCS_BASE = 0xE0000000  # the core's own registers (SysTick, DWT, ...): not watched for polls


def locate(b, address: int, reg: Callable[[str], int], after: int = -1) -> int:
    """Index of the instruction in block ``b`` that made the access to ``address``: the first
    one after index ``after`` whose address operands (registers as ``reg`` reads them now)
    give that address."""
    candidates = []
    for i, insn in enumerate(b.insns):
        if not insn.mem_base:
            continue
        if insn.mem_base == "pc":
            base = (insn.address + 4) & ~3
        else:
            try:
                base = reg(insn.mem_base)
            except KeyError:
                continue
        index = reg(insn.mem_index) if insn.mem_index in REG_NAMES else 0
        for ea in (base + insn.mem_disp + index, base):
            if (ea & ~3) == (address & ~3):
                candidates.append(i)
                break
    later = [i for i in candidates if i > after]
    return (later or candidates or [0])[0]


class SvdNames:
    """Registers by the names the target's SVD file gives them (``svd``), read the first time
    a report needs one; a file that cannot be read is said once, as a warning."""

    def __init__(self, path: str | None):
        self.path, self.device, self.warnings = path, None, []

    def __call__(self, address: int) -> str:
        if not self.path:
            return ""
        if self.device is None:
            from mcusim.config.svd import load_svd

            try:
                self.device = load_svd(self.path)
            except ConfigError as e:
                self.path = None
                self.warnings.append(f"register names: {e.message}")
                return ""
        return self.device.register_at(address) or ""


class AccessLog:
    """``counter``: the cycle counter (``current`` block, ``executions``); ``reg``: reads a
    core register; ``poll_limit``: identical reads in a row that mean "stuck" (None: never);
    ``stop(reason, message)`` ends the run; ``where(pc)`` names an address."""

    def __init__(
        self,
        counter,
        reg,
        *,
        poll_limit: int | None,
        stop: Callable,
        where: Callable,
        svd: str | None = None,
    ):
        self.counter, self.reg = counter, reg
        self.svd_name = SvdNames(svd)
        self.poll_limit = poll_limit
        self.stop, self.where = stop, where
        self.at_pc: int | None = None  # inside a scoped address hook: the hooked instruction
        self.last = (-1, -1)  # (block execution, index) of the last MMIO access
        self.index = 0
        self.unknown: dict[tuple[int, str], list[int]] = {}
        # (register, block) -> (last value read, reads in a row that returned it)
        self.polls: dict[tuple[int, int], tuple[int, int]] = {}

    def now(self) -> int:
        """Modelled cycles since reset, at the instruction making the access (or hooked)."""
        b = self.counter.current
        if b is None:
            return self.counter.cycles
        if self.at_pc is not None:  # inside a scoped address hook
            return self.counter.block_start + b.offset_of(self.at_pc)
        return self.counter.cycles_before(b, self.index)

    def note_access(self, address: int) -> None:
        """An MMIO access is being made: find the instruction of the running block that makes
        it. The accesses of one execution of a block come in program order, so it is the first
        matching instruction after the previous access's (a register reused as the base of
        several accesses would otherwise match them all)."""
        b = self.counter.current
        if b is None:
            self.index = 0
            return
        run = self.counter.executions
        after = self.last[1] if self.last[0] == run else -1
        self.index = locate(b, address, self.reg, after)
        self.last = (run, self.index)

    def unknown_access(self, address: int, access: str) -> None:
        entry = self.unknown.get((address, access))
        b = self.counter.current
        if entry is None:
            pc = b.insns[self.index].address if b and b.insns else 0
            self.unknown[(address, access)] = [1, pc]
        else:
            entry[0] += 1

    def note_read(self, address: int, value: int, peripheral) -> None:
        """A peripheral register read returned ``value`` (``peripheral``: the model that
        answered, None when nothing models it). One block reading the same register and
        getting the same value --poll-limit times in a row waits for a change that never comes
        (the core's own registers, whose counters move by themselves, are not watched)."""
        b = self.counter.current
        if b is None or not self.poll_limit or address >= SCS_BASE:
            return
        if getattr(peripheral, "counts_by_itself", False):  # a timer: its reads move on
            return
        key = (address, b.address)
        last = self.polls.get(key)
        n = last[1] + 1 if last is not None and last[0] == value else 1
        self.polls[key] = (value, n)
        if n < self.poll_limit:
            return
        pc = b.insns[self.index].address if b.insns else b.address
        if peripheral is None:
            svd = self.svd_name(address)
            what = f"0x{address:08x}{f' ({svd})' if svd else ''}, a register nothing models"
            fix = "describe the register in the target file"
        else:
            offset = address - peripheral.base
            name = getattr(peripheral, "register_name", lambda o: None)(offset)
            what = f"0x{address:08x} ({peripheral.name} {name or f'+0x{offset:x}'})"
            fix = "the target file's model of it never shows the value the code waits for"
        self.stop(
            "stuck",
            f"stuck: the firmware polls {what} at {self.where(pc)}: {n:,} reads in a row "
            f"returned 0x{value:x} ({fix}; --poll-limit 0 lets it spin)",
        )
