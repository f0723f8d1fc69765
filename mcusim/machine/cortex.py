"""Cortex-M exception entry and return, and fault classification (L4).

Unicorn never vectors exceptions (../shared/UNICORN_NOTES.md), so the host does what the
hardware does (Armv7-M ARM DDI 0403E B1.5.6-B1.5.8, Armv6-M DDI 0419 B1.5): stack the 8-word
frame (26 words with an active FP context), keep 8-byte alignment with the xPSR[9] flag, set
LR to EXC_RETURN and IPSR, and unstack on the return through EXC_RETURN, tail-chaining a
pending exception instead of unstacking.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcusim.machine.cpu import Cpu
from mcusim.machine.peripherals.exceptions import Exceptions
from mcusim.machine.peripherals.scs import Scs

FRAME = ("r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr")
FP_FRAME = tuple(f"s{i}" for i in range(16)) + ("fpscr",)


class StackingError(Exception):
    """The exception frame could not be written (or read): the core would lock up."""


@dataclass
class ExceptionCosts:
    entry: int
    exit: int
    tail_chain: int
    entry_fp: int
    exit_fp: int


class ExceptionUnit:
    """Performs exception entry, return and tail-chaining on a :class:`Cpu`."""

    def __init__(self, cpu: Cpu, exc: Exceptions, scs: Scs, *, fpu: bool, costs: ExceptionCosts):
        self.cpu = cpu
        self.exc = exc
        self.scs = scs
        self.fpu = fpu
        self.costs = costs
        self.psp_seen: set[int] = set()  # process stack pointers seen at exception entry/return

    def masks(self) -> dict[str, int]:
        c = self.cpu
        return {
            "primask": c.reg("primask"),
            "faultmask": c.reg("faultmask"),
            "basepri": c.reg("basepri"),
        }

    def next_exception(self) -> int | None:
        return self.exc.next_to_take(**self.masks())

    def enter(self, number: int, return_address: int) -> int:
        """Take exception ``number``; returns the cycles it costs."""
        cpu = self.cpu
        ipsr = cpu.reg("ipsr")
        control = cpu.reg("control")
        thread = ipsr == 0
        use_psp = thread and bool(control & 2)
        fp_active = self.fpu and bool(control & 4)
        values = [cpu.reg(r) for r in FRAME[:6]] + [return_address & ~1, cpu.reg("xpsr")]
        values[7] |= 1 << 24  # the stacked EPSR always has the Thumb bit
        if fp_active:
            values += [cpu.reg(r) for r in FP_FRAME] + [0]
        sp = cpu.reg("sp")
        new_sp = sp - 4 * len(values)
        if new_sp & 4:
            values[7] |= 1 << 9
            new_sp -= 4
        else:
            values[7] &= ~(1 << 9)
        try:
            cpu.write(new_sp, b"".join(v.to_bytes(4, "little") for v in values))
        except Exception as e:  # unmapped or read-only stack
            raise StackingError(f"stacking the {number} frame at 0x{new_sp:08x} failed") from e
        cpu.set_reg("sp", new_sp)
        if use_psp:
            self.psp_seen.add(new_sp)
            cpu.set_reg("control", control & ~2)  # handlers run on the main stack
        exc_return = 0xFFFFFFF1 if not thread else (0xFFFFFFFD if use_psp else 0xFFFFFFF9)
        if fp_active:
            exc_return &= ~0x10
            cpu.set_reg("control", cpu.reg("control") & ~4)
        self._vector_to(number, exc_return)
        return self.costs.entry_fp if fp_active else self.costs.entry

    def _vector_to(self, number: int, exc_return: int) -> None:
        cpu = self.cpu
        vector = cpu.read_u32((self.scs.vtor + 4 * number) & 0xFFFFFFFF)
        cpu.set_reg("ipsr", number)
        cpu.set_reg("lr", exc_return)
        cpu.set_reg("pc", vector | 1)
        self.exc.enter(number)

    def vector_of(self, number: int) -> int:
        return self.cpu.read_u32((self.scs.vtor + 4 * number) & 0xFFFFFFFF) & ~1

    def leave(self, exc_return: int) -> int:
        """Return through ``exc_return`` (tail-chaining if another exception is pending)."""
        cpu = self.cpu
        number = cpu.reg("ipsr")
        self.exc.leave(number)
        to_thread = bool(exc_return & 8)
        use_psp = bool(exc_return & 4)
        fp_frame = not exc_return & 0x10
        pending = self.next_exception_after_return(to_thread)
        if pending is not None:
            self._vector_to(pending, exc_return)
            return self.costs.tail_chain
        sp = cpu.reg("psp" if use_psp and to_thread else "msp")
        words = 26 if fp_frame else 8
        try:
            raw = cpu.read(sp, 4 * words)
        except Exception as e:
            raise StackingError(f"unstacking from 0x{sp:08x} failed") from e
        values = [int.from_bytes(raw[4 * i : 4 * i + 4], "little") for i in range(words)]
        for name, value in zip(FRAME[:6], values[:6], strict=True):
            cpu.set_reg(name, value)
        xpsr = values[7]
        sp += 4 * words + (4 if xpsr & (1 << 9) else 0)
        cpu.set_reg("psp" if use_psp and to_thread else "msp", sp)
        if use_psp and to_thread:
            self.psp_seen.add(sp)
        cpu.set_reg("xpsr", xpsr & ~(1 << 9))
        cpu.set_reg("ipsr", xpsr & 0x1FF if not to_thread else 0)
        if to_thread and use_psp:
            cpu.set_reg("control", cpu.reg("control") | 2)
        if fp_frame:
            for name, value in zip(FP_FRAME, values[8:25], strict=True):
                cpu.set_reg(name, value)
            cpu.set_reg("control", cpu.reg("control") | 4)
        cpu.set_reg("pc", values[6] | 1)
        return self.costs.exit_fp if fp_frame else self.costs.exit

    def next_exception_after_return(self, to_thread: bool) -> int | None:
        return self.exc.next_to_take(**self.masks())


# -- faults ---------------------------------------------------------------------------------
FAULT_CAUSES = {
    "read_unmapped": ("BusFault", "precise data bus error (PRECISERR)"),
    "write_unmapped": ("BusFault", "precise data bus error (PRECISERR)"),
    "read_prot": ("BusFault", "precise data bus error (PRECISERR)"),
    "write_prot": ("BusFault", "precise data bus error (PRECISERR)"),
    "fetch_unmapped": ("BusFault", "instruction bus error (IBUSERR)"),
    "fetch_prot": ("MemManage", "instruction access violation (IACCVIOL)"),
    "insn_invalid": ("UsageFault", "undefined instruction (UNDEFINSTR)"),
    "unaligned": ("UsageFault", "unaligned access (UNALIGNED)"),
    "div0": ("UsageFault", "divide by zero (DIVBYZERO)"),
    "nocp": ("UsageFault", "coprocessor access with no FPU or the FPU disabled (NOCP)"),
    "invstate": ("UsageFault", "invalid state: Thumb bit clear (INVSTATE)"),
    "bkpt": ("HardFault", "debug event (DEBUGEVT)"),
    "stacking": ("HardFault", "fault while stacking or unstacking an exception frame"),
    "stack_overflow": (
        "StackOverflow",
        "the stack grew below its region (found by mcusim: without an MPU guard the chip "
        "does not fault, it overwrites the memory below)",
    ),
    "lockup": (
        "Lockup",
        "the exception frame cannot be stacked (STKERR) and neither can the HardFault's: "
        "the core locks up (Armv7-M ARM DDI 0403E B1.5.15 unrecoverable exceptions; verify)",
    ),
    "exception": ("HardFault", "exception the simulator cannot model"),
}
ENABLE_BITS = {"MemManage": 16, "BusFault": 17, "UsageFault": 18}


def fault_kind(error: str, *, shcsr: int, armv6m: bool) -> tuple[str, str]:
    """(reported fault, cause) with escalation to HardFault when the fault is not enabled."""
    handler, cause = FAULT_CAUSES.get(error, ("HardFault", error))
    if handler in ENABLE_BITS and (armv6m or not shcsr >> ENABLE_BITS[handler] & 1):
        where = "" if armv6m else f"forced from {handler}: "
        return "HardFault", where + cause
    return handler, cause
