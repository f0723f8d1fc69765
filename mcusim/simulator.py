"""The simulator: wires ELF, target, CPU, peripherals, timing and semihosting into a run (L5).

``Simulator(target, options).run(firmware)`` returns a :class:`RunResult`. This is the one
module that knows every other layer; the hot path itself lives in
:mod:`mcusim.timing.accounting`.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from mcusim import native
from mcusim.config.core import load_core
from mcusim.config.target import Target
from mcusim.cortex import ExceptionCosts, ExceptionUnit, StackingError, fault_kind
from mcusim.cpu import Cpu, execute_never, hook_block_native
from mcusim.elf import Firmware
from mcusim.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_LIMIT,
    EXIT_OK,
    EXIT_STUCK,
    ElfError,
    InputError,
)
from mcusim.memory import (
    STACK_LIMIT_SYMBOLS,
    check_placement,
    footprint,
    stack_bounds,
    thread_stacks,
)
from mcusim.mmio import MmioMap
from mcusim.peripherals.debug import Dwt, Itm
from mcusim.peripherals.exceptions import Exceptions, exception_name
from mcusim.peripherals.scs import Scs
from mcusim.result import Fault, FunctionCycles, MmioAccess, RunResult
from mcusim.semihosting import HeapInfo, Semihosting, SemihostingExit
from mcusim.timing.accounting import Block, CycleCounter
from mcusim.timing.decode import decode
from mcusim.timing.model import CycleModel

PAINT = 0xCDCDCDCD
REG_NAMES = tuple(f"r{i}" for i in range(13)) + (
    "sp",
    "lr",
    "pc",
    "xpsr",
    "msp",
    "psp",
    "control",
    "primask",
)
SYSTICK = 15  # its exception number
XPSR_IT_BITS = 0x0600FC00  # EPSR.IT[1:0] (bits 26:25) and IT[7:2] (bits 15:10)
SCS_BASE = 0xE0000000  # the core's own registers (SysTick, DWT, ...): not watched for polls
EXIT_CODES = {
    "exit": None,
    "halted": EXIT_OK,
    "reset": EXIT_OK,
    "fault": EXIT_FAILURE,
    "limit": EXIT_LIMIT,
    "stuck": EXIT_STUCK,
    "timeout": EXIT_LIMIT,
    "interrupted": EXIT_INTERRUPTED,
}
# Accesses that must be aligned (Armv7-M ARM DDI 0403E A3.2.1): always, and with
# CCR.UNALIGN_TRP (bit 3, B3.2.8) also single loads/stores; on Armv6-M every access (DDI 0419E
# A3.2.1). Size in bytes.
ALIGN_ALWAYS = {
    "ldrd": 4, "strd": 4, "ldm": 4, "ldmdb": 4, "stm": 4, "stmdb": 4, "ldrex": 4, "strex": 4,
    "ldrexh": 2, "strexh": 2, "vldr": 4, "vstr": 4, "vldmia": 4, "vldmdb": 4, "vstmia": 4,
    "vstmdb": 4,
}  # fmt: skip
ALIGN_TRAP = {
    "ldr": 4, "str": 4, "ldrt": 4, "strt": 4, "ldrh": 2, "ldrsh": 2, "strh": 2, "ldrht": 2,
    "ldrsht": 2, "strht": 2,
}  # fmt: skip
LIST_OPS = {"ldm", "ldmdb", "stm", "stmdb", "vldmia", "vldmdb", "vstmia", "vstmdb"}
CCR_UNALIGN_TRP = 0x8
STACK_GUARD_BYTES = 4096  # watched below the stack region (frames larger than this skip it)
# T32 encodings of the operand-dependent multiply/divide family (Armv7-M ARM A7.7):
# (first halfword & 0xFFF0, mask and value of the second halfword)
# Unicorn's exception numbers for two M-profile UsageFaults it raises itself (QEMU's
# target/arm/cpu.h EXCP_NOCP and EXCP_INVSTATE, which Unicorn 2 inherits)
UC_EXCP_NOCP = 17
UC_EXCP_INVSTATE = 18

OPERAND_PATTERNS = {
    "sdiv": (0xFB90, 0xF0F0, 0xF0F0),
    "udiv": (0xFBB0, 0xF0F0, 0xF0F0),
    "smull": (0xFB80, 0x00F0, 0),
    "umull": (0xFBA0, 0x00F0, 0),
    "smlal": (0xFBC0, 0x00F0, 0),
    "umlal": (0xFBE0, 0x00F0, 0),
}


@dataclass(frozen=True)
class RunOptions:
    """How to run: limits, console, semihosting sandbox."""

    max_cycles: int | None = None
    timeout_s: float | None = 300.0
    default_timeout: bool = False  # timeout_s is the default, not asked for (said in the report)
    args: tuple[str, ...] = ()
    semihosting_root: Path | None = None
    stdin: Callable[[int], bytes] | None = None
    console: Callable[[bytes, str], None] | None = None
    progress: Callable[[int], None] | None = None
    poll_cycles: int = 1 << 22
    handle_signals: bool = False
    observers: tuple[Observer, ...] = ()
    native: bool | None = None  # None: the C fast path when built, else the Python hook
    # Fault unaligned accesses as the core would (Unicorn allows them). It calls Python at the
    # entry of every block holding an LDRD/LDM/STM-like access (every load/store on Armv6-M),
    # which costs speed, so it is asked for: --check-alignment.
    check_alignment: bool = False
    # Stop at the first write below the stack region made with SP below it (a stack overflow).
    # A write hook slows every store (about 2x on inference code), so it is asked for:
    # --check-stack. Without it, a stack that used its whole region is reported as a warning.
    check_stack: bool = False
    # Stop with "stuck" once one instruction block has read the same peripheral register this
    # many times in a row with the same value (a wait on a ready bit that never comes); None:
    # never.
    poll_limit: int | None = 100_000
    extra: dict = field(default_factory=dict)


class Observer(Protocol):
    """Something that watches a run through its :class:`Probe` (e.g. the op profiler).

    ``attach`` is called once the firmware is loaded, before the first instruction; ``finish``
    after the run, and what it returns is stored in ``RunResult.extensions[name]``.
    """

    name: str

    def attach(self, probe: Probe) -> None: ...

    def finish(self, probe: Probe) -> dict: ...


class Probe(Protocol):
    """What an observer may use: modelled time, registers, memory, scoped address hooks."""

    firmware: Firmware
    target: Target
    accounting: str  # "native" (the C fast path runs this run) or "python"

    def now(self) -> int:
        """Modelled cycles since reset (at the instruction being hooked)."""
        ...

    def reg(self, name: str) -> int: ...

    def read(self, address: int, size: int) -> bytes: ...

    def write(self, address: int, data: bytes) -> None: ...

    def view(self, address: int, size: int) -> np.ndarray | None:
        """The guest RAM ``[address, address + size)`` as a writable numpy uint8 array (no
        copy), or None when it is not all in one RAM region."""
        ...

    def stack_checkpoint(self) -> int:
        """Record the run's stack use so far (the lowest address the stack has reached, which
        it returns; the top of the stack when unused) before an observer repaints the free
        stack below the SP: the whole-run peak never depends on what observers paint."""
        ...

    def on_address(self, address: int, callback: Callable[[], None]) -> None:
        """Call ``callback()`` before the instruction at ``address`` runs (few addresses)."""
        ...

    def instructions(self) -> int:
        """Instructions executed before the instruction being hooked (costs a walk over all
        blocks: for a few calls a run)."""
        ...


class Simulator:
    """Runs firmware on one target."""

    def __init__(self, target: Target, options: RunOptions | None = None):
        self.target = target
        self.options = options or RunOptions()

    def run(self, firmware: Firmware | str | Path) -> RunResult:
        fw = firmware if isinstance(firmware, Firmware) else Firmware(firmware)
        return _Run(self.target, self.options, fw).execute()


class _Run:
    """The state of one run; implements the peripherals' System protocol."""

    def __init__(self, target: Target, options: RunOptions, fw: Firmware):
        self.target, self.options, self.fw = target, options, fw
        self.core = load_core(target.core)
        self.model = CycleModel(self.core)
        self.armv6m = target.core == "cortex-m0plus"
        check_placement(fw, target)
        self.cpu = cpu = Cpu(self.core.unicorn_model)
        self.buffers = {}
        for region in target.memory:
            self.buffers[region.name] = cpu.map_memory(
                region.base, region.size_bytes, region.access
            )
        for seg in fw.segments:
            if seg.data:
                self._load(seg.paddr, seg.data)
        self.console_chunks: list[bytes] = []
        self.console_sources: dict[str, list[bytes]] = {}
        self.stop_reason = ""
        self.message = ""
        self.exit_code = 0
        self.fault: Fault | None = None
        self.sleep_cycles = 0
        self.spin_cycles = 0
        self.exception_cycles = 0
        self.heap_used = 0
        self.heap_peak: int | None = None
        self._at_pc: int | None = None
        self._last_access = (-1, -1)  # (block execution, index) of the last MMIO access
        self._access_index = 0
        self.unknown_mmio: dict[tuple[int, str], list[int]] = {}
        # (register, block) -> (last value read, reads in a row that returned it)
        self._polls: dict[tuple[int, int], tuple[int, int]] = {}
        self._boot()
        raw = target.raw
        self.exc = Exceptions(
            num_irqs=int(raw.get("nvic_irqs", 32 if self.armv6m else 240)),
            priority_bits=int(raw.get("nvic_priority_bits", 2 if self.armv6m else 3)),
        )
        self.scs = Scs(self, self.exc, core=target.core, vtor=self.vtor)
        self.dwt = Dwt(self)
        rules = self.core.rules
        costs = ExceptionCosts(
            entry=int(rules.get("exception_entry_cycles", 12)),
            exit=int(rules.get("exception_exit_cycles", 10)),
            tail_chain=int(rules.get("exception_tail_chain_cycles", 6)),
            entry_fp=int(
                rules.get(
                    "exception_entry_fp_context_cycles", rules.get("exception_entry_cycles", 12)
                )
            ),
            exit_fp=int(
                rules.get(
                    "exception_exit_fp_context_cycles", rules.get("exception_exit_cycles", 10)
                )
            ),
        )
        self.xu = ExceptionUnit(cpu, self.exc, self.scs, fpu=target.fpu, costs=costs)
        use_native = options.native is not False and native.library() is not None
        if options.native and not use_native:
            raise InputError(f"native fast path requested but {native.unavailable_reason()}")
        counter_class = native.NativeCycleCounter if use_native else CycleCounter
        self.counter = counter_class(
            self.model, fetch_code=cpu.read, region_of=target.region_at, on_event=self._on_event
        )
        self.accounting = "native" if use_native else "python"
        if use_native:
            self.counter.attach_memory([(r, self.buffers[r.name]) for r in target.memory])
        self.counter.fp_allowed = False
        self._align_hooked: set[int] = set()
        self._align_trap = False
        if options.check_alignment:
            self.counter.align_rules = self._align_rules
        self.mmio = MmioMap(cpu, target, self, [self.scs, self.dwt, Itm(self)])
        self.mmio.map_all(on_unknown=self._unknown_access)
        self.counter.stop = cpu.stop
        if use_native:
            hook_block_native(cpu, self.counter.hook_address, self.counter.user_data)
        else:
            cpu.hook_block(self.counter.on_block)
        cpu.hook_interrupt(self._on_interrupt)
        cpu.hook_bad_access(self._on_bad_access)
        self.bad_access: tuple[str, int, int] | None = None
        self._hook_operand_dependent()
        self._hook_flash_data()
        self._hook_heap()
        self.stack = stack_bounds(fw, target, self.initial_sp)
        if options.check_stack:
            self._hook_stack_guard()
        self.semihosting = Semihosting(
            _Memory(cpu),
            console=lambda data, fd: self.console(data, "semihosting"),
            stdin=options.stdin,
            root=options.semihosting_root,
            cmdline=" ".join((Path(fw.path).name, *options.args)),
            clock_seconds=lambda: self.now() / target.clock_hz,
            tick_hz=target.clock_hz,
            heap_info=self._heap_info(),
        )
        self._stack_low: int | None = None  # lowest stack word seen changed (checkpoints)
        self._paint_stack()
        self.firmware = fw
        for observer in options.observers:
            observer.attach(self)

    # -- loading and boot -----------------------------------------------------------------
    def _load(self, address: int, data: bytes) -> None:
        region = self.target.region_at(address, len(data))
        buf = self.buffers[region.name]
        off = address - region.base
        buf[off : off + len(data)] = np.frombuffer(data, dtype=np.uint8)

    def _boot(self) -> None:
        fw, target = self.fw, self.target
        vt = fw.read(target.vector_table, 8)
        ram = next((r for r in target.memory if r.kind == "ram"), None)
        if vt is not None and int.from_bytes(vt[4:], "little") & 1:
            sp, pc = int.from_bytes(vt[:4], "little"), int.from_bytes(vt[4:], "little")
            self.vtor, self.boot = target.vector_table, "vector table"
        else:
            if ram is None:
                raise ElfError(
                    f"{fw.path}: no vector table at 0x{target.vector_table:08x} and "
                    f"target '{target.name}' has no RAM for a stack"
                )
            sp, pc = ram.end, fw.entry | 1
            self.vtor, self.boot = target.vector_table, "ELF entry point (no vector table)"
        region = target.region_at(pc & ~1, 2)
        if region is None or "x" not in region.access:
            raise ElfError(
                f"{fw.path}: start address 0x{pc & ~1:08x} ({self.boot}) is not in "
                f"executable memory of target '{target.name}'"
            )
        if target.region_at(sp - 4, 4) is None:
            raise ElfError(
                f"{fw.path}: initial stack pointer 0x{sp:08x} ({self.boot}) is not "
                f"in the memory of target '{target.name}'"
            )
        self.initial_sp, self.start_pc = sp & ~3, pc
        self.cpu.set_reg("sp", self.initial_sp)

    def _paint_stack(self) -> None:
        if self.stack:
            view = self._view(*self.stack)
            view[:] = PAINT

    def _view(self, lo: int, hi: int) -> np.ndarray:
        region = self.target.region_at(lo, hi - lo)
        buf = self.buffers[region.name]
        return buf[lo - region.base : hi - region.base].view(np.uint32)

    def _heap_info(self) -> HeapInfo:
        lo, hi = self.stack or (self.initial_sp, self.initial_sp)
        middle = (lo + (hi - lo) // 2) & ~7
        return HeapInfo(heap_base=lo, heap_limit=middle, stack_base=hi, stack_limit=middle)

    # -- System protocol for peripherals ---------------------------------------------------
    def now(self) -> int:
        b = self.counter.current
        if b is None:
            return self.counter.cycles
        if self._at_pc is not None:  # inside a scoped address hook
            return self.counter.block_start + b.offset_of(self._at_pc)
        return self.counter.cycles_before(b, self._access_index)

    def note_access(self, address: int) -> None:
        """An MMIO access is being made: find the instruction of the running block that makes
        it. The accesses of one execution of a block come in program order, so it is the first
        matching instruction after the previous access's (a register reused as the base of
        several accesses would otherwise match them all)."""
        b = self.counter.current
        if b is None:
            self._access_index = 0
            return
        run = self.counter.executions
        after = self._last_access[1] if self._last_access[0] == run else -1
        self._access_index = self._locate(b, address, after)
        self._last_access = (run, self._access_index)

    def console(self, data: bytes, source: str) -> None:
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
        trap = bool(self.scs.ccr & CCR_UNALIGN_TRP)
        if trap != self._align_trap:  # recheck the blocks translated so far
            self._align_trap = trap
            for blk in self.counter.all_blocks():
                blk.align = self._align_rules(blk.insns)
            self.counter.set_fp_allowed(allowed)
        if allowed != self.counter.fp_allowed:
            self.counter.set_fp_allowed(allowed)

    def request_stop(self, reason: str, message: str) -> None:
        self._stop(reason, message)

    def memory_region(self, name: str):
        return next((r for r in self.target.memory if r.name == name), None)

    def configure_flash(self, region: str, **settings) -> None:
        self.counter.configure_flash(self.memory_region(region), **settings)

    def read_memory(self, address: int, size: int) -> bytes:
        if size <= 0:
            return b""
        if self.target.region_at(address, size) is None:
            raise LookupError(
                f"0x{address:08x}..0x{address + size - 1:08x} is not inside one memory region"
            )
        return self.cpu.read(address, size)

    def _controlled(self, region) -> bool:
        """Whether a flash controller register of the target may change ``region``'s timing."""
        return any(
            p.model == "flash_control" and p.params.get("region") == region.name
            for p in self.target.peripherals
        )

    def _stop(self, reason: str, message: str, code: int | None = None) -> None:
        if not self.stop_reason:
            self.stop_reason, self.message = reason, message
            self.exit_code = EXIT_CODES.get(reason) if code is None else code
        self.cpu.stop()

    def _locate(self, b: Block, address: int, after: int = -1) -> int:
        """Index of the instruction in ``b`` that made the access to ``address``: the first
        one after index ``after`` whose address operands (as the registers hold them now)
        give that address."""
        candidates = []
        for i, insn in enumerate(b.insns):
            if not insn.mem_base:
                continue
            if insn.mem_base == "pc":
                base = (insn.address + 4) & ~3
            else:
                try:
                    base = self.cpu.reg(insn.mem_base)
                except KeyError:
                    continue
            index = self.cpu.reg(insn.mem_index) if insn.mem_index in REG_NAMES else 0
            for ea in (base + insn.mem_disp + index, base):
                if (ea & ~3) == (address & ~3):
                    candidates.append(i)
                    break
        later = [i for i in candidates if i > after]
        return (later or candidates or [0])[0]

    def _unknown_access(self, address: int, access: str) -> None:
        entry = self.unknown_mmio.get((address, access))
        b = self.counter.current
        if entry is None:
            pc = b.insns[self._access_index].address if b and b.insns else 0
            self.unknown_mmio[(address, access)] = [1, pc]
        else:
            entry[0] += 1

    def note_read(self, address: int, value: int, peripheral) -> None:
        """A peripheral register read returned ``value`` (``peripheral``: the model that
        answered, None when nothing models it). One block reading the same register and
        getting the same value --poll-limit times in a row waits for a change that never comes
        (the core's own registers, whose counters move by themselves, are not watched)."""
        b = self.counter.current
        if b is None or not self.options.poll_limit or address >= SCS_BASE:
            return
        key = (address, b.address)
        last = self._polls.get(key)
        n = last[1] + 1 if last is not None and last[0] == value else 1
        self._polls[key] = (value, n)
        if n < self.options.poll_limit:
            return
        pc = b.insns[self._access_index].address if b.insns else b.address
        if peripheral is None:
            what = f"0x{address:08x}, a register nothing models"
            fix = "describe the register in the target file"
        else:
            offset = address - peripheral.base
            name = getattr(peripheral, "register_name", lambda o: None)(offset)
            what = f"0x{address:08x} ({peripheral.name} {name or f'+0x{offset:x}'})"
            fix = "the target file's model of it never shows the value the code waits for"
        self._stop(
            "stuck",
            f"stuck: the firmware polls {what} at {self._where(pc)}: {n:,} reads in a row "
            f"returned 0x{value:x} ({fix}; --poll-limit 0 lets it spin)",
        )

    # -- hooks ----------------------------------------------------------------------------
    def _on_event(self, b: Block, sequential: bool) -> bool:
        """A deadline passed or ``b`` needs attention; True when ``b`` must not run now."""
        counter = self.counter
        if counter.it_check and self._repair_it_state(b, sequential):
            return True
        if counter.cycles >= counter.deadline:
            self._poll(counter.cycles)
            if self.stop_reason:
                self.cpu.stop()
                counter.restart(b.address, sequential=sequential)
                return True
            number = self.xu.next_exception()
            if number is not None:
                self._take(number, b.address)
                return True
            self._schedule()
        if b.special:
            if b.fp_first is not None and not counter.fp_allowed:
                why = (
                    "target has no FPU"
                    if not self.target.fpu
                    else "FPU disabled: CPACR.CP10/CP11 not enabled"
                )
                self._fault("nocp", b.fp_first, f"FP instruction at 0x{b.fp_first:08x}: {why}")
                return True
            if b.align and self._check_alignment(b, sequential):
                return True
            if b.self_loop:
                return self._idle(b)
        return False

    # -- alignment faults -----------------------------------------------------------------
    def _align_rules(self, insns: list) -> tuple:
        """Accesses in a new block that must be aligned, as (index, size, base, index register,
        shift, displacement, needs a hook): a check at block entry when the block does not
        change the address registers before the access, else a hook on that instruction."""
        trap = self.armv6m or bool(self.scs.ccr & CCR_UNALIGN_TRP)
        out = []
        for i, insn in enumerate(insns):
            size = ALIGN_ALWAYS.get(insn.name) or (ALIGN_TRAP.get(insn.name) if trap else None)
            if (
                not size
                or insn.conditional
                or any(p.name == "it" for p in insns[max(0, i - 4) : i])
            ):
                continue
            if insn.name in LIST_OPS:
                base, index, disp = insn.dest, "", 0
            else:
                base, index, disp = insn.mem_base, insn.mem_index, insn.mem_disp
                if "]," in insn.op_str:  # post-indexed: the access uses the base as it is
                    disp = 0
            if base not in REG_NAMES or base in ("sp", "pc"):  # SP is word aligned by design
                continue
            lsl = insn.op_str.rsplit("lsl #", 1)
            shift = int(lsl[1].rstrip("]"), 0) if len(lsl) == 2 else 0  # capstone: "#0x1e"
            written = set().union(*(p.regs_write for p in insns[:i]))
            out.append((i, size, base, index, shift, disp, base in written or index in written))
        return tuple(out)

    def _misaligned(self, size: int, base: str, index: str, shift: int, disp: int) -> int | None:
        address = self.cpu.reg(base) + disp
        if index in REG_NAMES:
            address += self.cpu.reg(index) << shift
        address &= 0xFFFFFFFF
        return address if address % size else None

    def _check_alignment(self, b: Block, sequential: bool) -> bool:
        """At block entry: fault on an access that will be unaligned; hook the rest once."""
        hooks = [c for c in b.align if c[6]]
        for i, size, base, index, shift, disp, dependent in b.align:
            if dependent:
                continue
            address = self._misaligned(size, base, index, shift, disp)
            if address is not None:
                self._unaligned_fault(b.insns[i], size, address)
                return True
        if hooks and b.address not in self._align_hooked:
            self._align_hooked.add(b.address)
            for i, size, base, index, shift, disp, _ in hooks:
                insn = b.insns[i]

                def check(insn=insn, args=(size, base, index, shift, disp)) -> None:
                    address = self._misaligned(*args)
                    if address is not None:
                        self._unaligned_fault(insn, args[0], address)

                self.cpu.hook_address(insn.address, check)
            # retranslate the block with its new hooks and enter it again
            self.cpu.flush_code(b.address, b.end)
            self.counter.restart(b.address, sequential=sequential)
            self.cpu.set_reg("pc", b.address | 1)
            return True
        return False

    def _unaligned_fault(self, insn, size: int, address: int) -> None:
        why = (
            "Armv6-M faults on every unaligned access"
            if self.armv6m
            else "CCR.UNALIGN_TRP is set"
            if insn.name in ALIGN_TRAP
            else f"{insn.name.upper()} needs word alignment on Armv7-M"
        )
        self._fault(
            "unaligned",
            insn.address,
            f"{insn.mnemonic} {insn.op_str} at address 0x{address:08x}, not {size}-byte aligned "
            f"({why})",
            address,
        )

    def _idle(self, b: Block) -> bool:
        """A branch-to-self: skip ahead to the next interrupt, or halt if none can come (none
        left, or all masked: the loop itself can never unmask them)."""
        wake = self._next_wake()
        masked = wake is not None and not self._interrupt_can_preempt()
        if wake is None or masked:
            why = (
                "interrupts masked (PRIMASK/BASEPRI/FAULTMASK or the running handler's "
                "priority), so none can ever be taken"
                if masked
                else "no interrupt source left"
            )
            self._stop("halted", f"halted: branch-to-self at {self._where(b.address)} with {why}")
            return True
        if wake > self.counter.cycles:
            self.spin_cycles += wake - self.counter.cycles
            self.counter.cycles = wake
            self.counter.deadline = 0
        return False

    def _repair_it_state(self, b: Block, sequential: bool) -> bool:
        """Unicorn bug (unicorn-engine/unicorn#2309): a memory hook on an access inside an IT
        block stores the IT state, and nothing clears it when the IT block ends, so the block
        after it would run as if inside one (its instructions made conditional on a stale
        condition). The previous block held the IT instruction and ended at a branch, so the
        IT state must be clear here: clear it and run this block again from its start."""
        self.counter.it_check = False
        xpsr = self.cpu.reg("xpsr")
        if not xpsr & XPSR_IT_BITS:
            return False
        self.cpu.set_reg("xpsr", xpsr & ~XPSR_IT_BITS)
        self.counter.restart(b.address, sequential=sequential)
        self.cpu.set_reg("pc", b.address | 1)
        return True

    def _interrupt_can_preempt(self) -> bool:
        """Whether SysTick (when it interrupts) or a pending enabled exception could preempt
        the code running now, at its execution priority."""
        exc = self.exc
        current = exc.execution_priority(
            primask=self.cpu.reg("primask"),
            faultmask=self.cpu.reg("faultmask"),
            basepri=self.cpu.reg("basepri"),
        )
        sources = [n for n in exc.pending if exc.can_fire(n)]
        if self.scs.systick.interrupting:
            sources.append(SYSTICK)
        return any(exc.group_priority(n) < current for n in sources)

    def _next_wake(self) -> int | None:
        st = self.scs.systick
        wake = st.next_wrap(self.counter.cycles) if st.interrupting else None
        if self.options.max_cycles is not None:
            wake = min(wake, self.options.max_cycles) if wake else self.options.max_cycles
        if any(self.exc.can_fire(n) for n in self.exc.pending):
            return self.counter.cycles
        return wake

    def _poll(self, now: int) -> None:
        self.scs.systick.on_time(now)
        opts = self.options
        if opts.max_cycles is not None and now >= opts.max_cycles:
            self._stop("limit", f"stopped at the cycle limit (--max-cycles {opts.max_cycles:,})")
        if now >= self.next_poll:
            self.next_poll = now + opts.poll_cycles
            if opts.timeout_s is not None and time.monotonic() - self.t0 > opts.timeout_s:
                why = (
                    "the default limit: no --timeout or --max-cycles was given"
                    if opts.default_timeout
                    else "--timeout"
                )
                self._stop("timeout", f"stopped after {opts.timeout_s:g} s of host time ({why})")
            if self.interrupted:
                self._stop("interrupted", "interrupted (Ctrl-C / SIGTERM)")
            if opts.progress:
                opts.progress(now)

    def _schedule(self) -> None:
        c = self.counter
        d = self.next_poll
        st = self.scs.systick
        if st.interrupting:
            d = min(d, st.next_wrap(c.cycles))
        if self.options.max_cycles is not None:
            d = min(d, self.options.max_cycles)
        if self.exc.pending:
            d = c.cycles  # check every block until it is taken (it may be masked)
        c.deadline = d

    def _take(self, number: int, return_address: int) -> None:
        try:
            cost = self.xu.enter(number, return_address)
        except StackingError as e:
            # the derived fault's HardFault would stack at the same SP and fail again
            self._fault("lockup", return_address, f"{e}; the HardFault entry would fail too")
            return
        self.counter.cycles += cost
        self.exception_cycles += cost
        self.counter.restart(-1, sequential=False)
        self._schedule()

    def _on_interrupt(self, intno: int) -> None:
        cpu = self.cpu
        pc = cpu.reg("pc")
        if intno == 7:  # BKPT
            insn = int.from_bytes(cpu.read(pc, 2), "little")
            if insn == 0xBEAB:
                self._semihost(pc)
            else:
                self._fault("bkpt", pc, f"BKPT #{insn & 0xFF} executed with no debugger attached")
        elif intno == 2:  # SVC: PC is already after the instruction
            self._take(11, pc)
        elif pc >= 0xFFFFFF00:  # a handler returned through EXC_RETURN
            try:
                cost = self.xu.leave(pc | 1)
            except StackingError as e:
                self._fault("stacking", pc, str(e))
                return
            self.counter.cycles += cost
            self.exception_cycles += cost
            self._schedule()
        elif intno == UC_EXCP_NOCP:  # an FP (coprocessor) instruction the core cannot run
            why = (
                "target has no FPU"
                if not self.target.fpu
                else "FPU disabled: CPACR.CP10/CP11 not enabled"
            )
            self._fault("nocp", pc, f"FP/coprocessor instruction at 0x{pc:08x}: {why}")
        elif intno == UC_EXCP_INVSTATE:
            self._fault(
                "invstate", pc, f"execution at 0x{pc:08x} with EPSR.T = 0 (Thumb bit clear)"
            )
        elif intno == 3:  # prefetch abort: a fetch from an Execute Never region
            self._fault(
                "fetch_prot",
                pc,
                f"instruction fetch from 0x{pc:08x}: {_xn_region(pc)} is Execute Never",
                pc,
            )
        else:
            self._fault("exception", pc, f"CPU exception {intno} that mcusim does not model")

    def _semihost(self, pc: int) -> None:
        cpu = self.cpu
        try:
            r0 = self.semihosting.call(cpu.reg("r0"), cpu.reg("r1"))
        except SemihostingExit as e:
            self._stop(
                "exit",
                f"firmware exited through semihosting with code {e.code}",
                code=e.code & 0xFF,
            )
            cpu.set_reg("pc", (pc + 2) | 1)
            return
        cpu.set_reg("r0", r0 & 0xFFFFFFFF)
        cpu.set_reg("pc", (pc + 2) | 1)

    def _on_bad_access(self, kind: str, address: int, size: int) -> None:
        self.bad_access = (kind, address, size)

    def _hook_operand_dependent(self) -> None:
        wanted = {
            name
            for name, cls in (
                ("sdiv", "div"),
                ("udiv", "div"),
                ("smull", "long_mul"),
                ("umull", "long_mul"),
                ("smlal", "long_mla"),
                ("umlal", "long_mla"),
            )
            if cls in self.core.classes
            and self.core.classes[cls].cycles_max is not None
            and self.core.mnemonic_class.get(name) == cls
        }
        if not wanted:
            return
        for seg in self.fw.segments:
            if not seg.executable or len(seg.data) < 4:
                continue
            hw = np.frombuffer(seg.data[: len(seg.data) & ~1], dtype="<u2")
            first, second = hw[:-1], hw[1:]
            for name in wanted:
                h1, mask, value = OPERAND_PATTERNS[name]
                for i in np.nonzero(((first & 0xFFF0) == h1) & ((second & mask) == value))[0]:
                    self._hook_operand_insn(seg.paddr + 2 * int(i), seg.data[2 * i : 2 * i + 4])

    def _hook_operand_insn(self, address: int, code: bytes) -> None:
        insns = decode(code, address, self.model.names)
        if not insns or insns[0].size != 4:
            return
        insn = insns[0]
        cls = self.core.mnemonic_class.get(insn.name)
        if cls not in ("div", "long_mul", "long_mla"):
            return
        ops = [o.strip() for o in insn.op_str.split(",")]
        a_reg, b_reg = ops[-2], ops[-1]
        static = self.core.classes[cls].cycles
        cpu, counter = self.cpu, self.counter

        def on_insn() -> None:
            a, b = cpu.reg(a_reg), cpu.reg(b_reg)
            if cls == "div" and b == 0 and self.scs.ccr & 0x10:
                self._fault(
                    "div0",
                    address,
                    f"{insn.mnemonic} {insn.op_str} with {b_reg} = 0 and CCR.DIV_0_TRP set",
                )
                return
            counter.add_dynamic(self.model.operand_cycles(cls, insn.name, a, b) - static)

        if self.accounting == "native":  # the same computation in C, Python for a zero divisor
            counter.hook_operand(cpu, address, insn.name, cls, (a_reg, b_reg), on_insn)
        else:
            cpu.hook_address(address, on_insn)

    def _hook_stack_guard(self) -> None:
        """Watch writes just below the stack region: one made while SP is below the region's
        bottom is a stack overflow (reported like a fault; a write there with SP in range is
        the firmware's own data and goes on)."""
        if not self.stack:
            return
        bottom = self.stack[0]
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

        def on_write(address: int, size: int) -> None:
            sp = self.cpu.reg("sp")
            if sp < bottom and not self.stop_reason:
                pc = self.cpu.reg("pc")
                self._fault(
                    "stack_overflow",
                    pc,
                    f"SP 0x{sp:08x} is {bottom - sp:,} bytes below the stack bottom ({what}); "
                    f"write of {size} byte(s) at 0x{address:08x} into {below}",
                    address,
                )

        self.cpu.hook_writes(lo, bottom - 1, on_write)
        self.counter.it_watch = True  # a memory hook: see _repair_it_state

    def _hook_flash_data(self) -> None:
        """Data reads from flash or ROM with wait states go through its data cache, if any, or
        pay the wait states (in C on the native path)."""
        for region in self.target.memory:
            if not region.timed or not (region.wait_states or self._controlled(region)):
                continue
            self.counter.it_watch = True  # a memory hook: see _repair_it_state
            if self.accounting == "native":
                self.counter.hook_data_reads(self.cpu, region)
            else:

                def on_read(address: int, size: int, region=region) -> None:
                    self.counter.data_read(region, address)

                self.cpu.hook_reads(region.base, region.end - 1, on_read)

    def _hook_heap(self) -> None:
        sbrk = next((f for f in self.fw.functions if f.name == "_sbrk"), None)
        if sbrk is None:
            return
        self.heap_peak = 0

        def on_sbrk() -> None:
            incr = self.cpu.reg("r0")
            incr = incr - (1 << 32) if incr & 0x80000000 else incr
            self.heap_used = max(0, self.heap_used + incr)
            self.heap_peak = max(self.heap_peak or 0, self.heap_used)

        self.cpu.hook_address(sbrk.address, on_sbrk)

    # -- faults ---------------------------------------------------------------------------
    def _fault(self, error: str, pc: int, detail: str, address: int | None = None) -> None:
        kind, cause = fault_kind(error, shcsr=self.scs.shcsr, armv6m=self.armv6m)
        regs = self.cpu.regs(REG_NAMES)
        regs["pc"] = pc
        frame = {n: regs[n] for n in ("r0", "r1", "r2", "r3", "r12", "lr")}
        frame |= {"pc": pc, "xpsr": regs["xpsr"]}
        self.fault = Fault(
            kind=kind,
            cause=cause,
            detail=detail,
            pc=pc,
            pc_symbol=self.fw.symbolize(pc),
            lr=regs["lr"],
            lr_symbol=self.fw.symbolize(regs["lr"]),
            address=address,
            registers=regs,
            stacked_frame=frame,
        )
        self._stop("fault", f"{kind}: {cause} at {self._where(pc)}: {detail}")

    def _access_pc(self, pc: int, address: int) -> int:
        """The instruction that made a refused data access: the engine may report the start of
        its block, so find the access in the block by its effective address."""
        b = self.counter.current
        if b is None or not b.insns or not b.address <= pc < b.end:
            return pc
        i = self._locate(b, address)
        return b.insns[i].address if b.insns[i].mem_base or i else pc

    def _fault_from_error(self, error: str, pc: int) -> None:
        kind, address, size = self.bad_access or ("access", 0, 0)
        if error in ("read_unmapped", "write_unmapped", "read_prot", "write_prot"):
            region = self.target.region_at(address)
            able = "writable" if kind == "write" else "readable"
            what = f"{kind} of {size} byte(s) at 0x{address:08x}: " + (
                f"region '{region.name}' is not {able}" if region else "nothing is mapped there"
            )
            self._fault(error, self._access_pc(pc, address), what, address)
        elif error.startswith("fetch") and execute_never(pc):  # checked before any bus access
            why = f"instruction fetch from 0x{pc:08x}: {_xn_region(pc)} is Execute Never"
            self._fault("fetch_prot", pc, why, pc)
        elif error in ("fetch_unmapped", "fetch_prot"):
            region = self.target.region_at(pc)
            what = (
                f"region '{region.name}' is not executable" if region else "nothing is mapped there"
            )
            self._fault(error, pc, f"instruction fetch from 0x{pc:08x}: {what}", pc)
        elif error == "insn_invalid":
            code = self.cpu.read(pc, 4)
            self._fault(
                error,
                pc,
                f"undefined or unsupported instruction {code[:2][::-1].hex()}"
                f" on {self.target.core}",
            )
        else:
            self._fault(error, pc, f"emulation stopped: {error}")

    # -- Probe protocol for observers ------------------------------------------------------
    def reg(self, name: str) -> int:
        return self.cpu.reg(name)

    def read(self, address: int, size: int) -> bytes:
        return self.cpu.read(address, size)

    def write(self, address: int, data: bytes) -> None:
        self.cpu.write(address, data)

    def view(self, address: int, size: int) -> np.ndarray | None:
        region = self.target.region_at(address, size)
        if region is None or region.kind != "ram":
            return None
        return self.buffers[region.name][address - region.base : address - region.base + size]

    def stack_checkpoint(self) -> int:
        if not self.stack:
            return self.initial_sp
        lo = self._stack_scan_bottom()
        below = self._stack_low if self._stack_low is not None else self.stack[1]
        if lo < below:
            changed = np.nonzero(self._view(lo, below) != PAINT)[0]
            if len(changed):
                self._stack_low = lo + 4 * int(changed[0])
        return self._stack_low if self._stack_low is not None else self.stack[1]

    def instructions(self) -> int:
        if self.accounting == "native":
            self.counter.sync()
        done = self.counter.instructions()
        b = self.counter.current
        if b is not None and self._at_pc is not None:  # the block is counted whole at its start
            done -= sum(1 for i in b.insns if i.address >= self._at_pc)
        return done

    def on_address(self, address: int, callback: Callable[[], None]) -> None:
        pc = address & ~1

        def hooked() -> None:
            self._at_pc = pc
            try:
                callback()
            finally:
                self._at_pc = None

        self.cpu.hook_address(pc, hooked)

    def _where(self, address: int) -> str:
        return f"0x{address:08x} ({self.fw.symbolize(address)})"

    # -- the run loop ---------------------------------------------------------------------
    def execute(self) -> RunResult:
        self.t0 = time.monotonic()
        self.next_poll = self.options.poll_cycles
        self.interrupted = False
        old = self._install_signals()
        pc = self.start_pc
        self.counter.restart(pc, sequential=False)
        self._schedule()
        try:
            while not self.stop_reason:
                error = self.cpu.run(pc)
                pc = self.cpu.reg("pc")
                if self.stop_reason:
                    break
                if error == "insn_invalid" and self.cpu.read(pc, 2) == b"\x20\xbf":  # WFE
                    pc += 2
                    error = None
                if error and error.startswith("fetch") and pc >= 0xFFFFFF00:
                    # The Cortex-M0 model reports an EXC_RETURN branch as a failed fetch
                    self._on_interrupt(3)
                    pc = self.cpu.reg("pc")
                    continue
                if error:
                    self._fault_from_error(error, pc)
                    break
                pc = self._sleep(pc)  # Unicorn returns normally after WFI
        finally:
            self._restore_signals(old)
            self.semihosting.close()
        host_seconds = time.monotonic() - self.t0  # the run loop; results are collected after
        if self.accounting == "native":
            self.counter.sync()
        if self.counter._error is not None:
            raise self.counter._error
        return self._result(host_seconds)

    def _sleep(self, pc: int) -> int:
        number = self.xu.next_exception()
        if number is None:
            wake = self._next_wake()
            if wake is None:
                self._stop(
                    "halted", f"halted: WFI at {self._where(pc - 2)} with no interrupt source left"
                )
                return pc
            if wake > self.counter.cycles:
                self.sleep_cycles += wake - self.counter.cycles
                self.counter.cycles = wake
            self._poll(self.counter.cycles)
            number = self.xu.next_exception()
        if self.stop_reason:
            return pc
        if number is not None:
            self._take(number, pc)
            return self.cpu.reg("pc")
        self.counter.restart(pc, sequential=True)
        self._schedule()
        return pc

    def _install_signals(self) -> dict:
        if not self.options.handle_signals:
            return {}

        def on_signal(signum: int, frame: object) -> None:
            self.interrupted = True
            self.counter.deadline = 0
            self.next_poll = 0

        return {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def _restore_signals(self, old: dict) -> None:
        for s, handler in old.items():
            signal.signal(s, handler)

    # -- results --------------------------------------------------------------------------
    def _warnings(self) -> list[str]:
        out = []
        if self.stack and self._stack_peak() >= self.stack[1] - self.stack[0]:
            out.append(
                f"the stack used all {self.stack[1] - self.stack[0]:,} bytes of its region: it "
                "may have overflowed into the memory below; rerun with --check-stack to stop at "
                "the overflowing write"
            )
        return out

    def _stack_scan_bottom(self) -> int:
        """The lowest stack word the scan looks at: above the heap's peak (``_sbrk``)."""
        lo, hi = self.stack
        return min(hi, (lo + (self.heap_peak or 0) + 7) & ~7)

    def _stack_peak(self) -> int:
        """Top of stack - the lowest word ever changed: the final scan, or a lower point an
        observer's checkpoint recorded before it repainted the free stack."""
        if not self.stack:
            return 0
        return self.stack[1] - self.stack_checkpoint()

    def _process_stacks(self) -> tuple[dict, ...]:
        """Each RTOS thread stack (PSP) seen: the object holding it and the bytes used, from
        its top down to the lowest word that no longer holds the value at its bottom (the
        start-up's zeroes or the RTOS's fill pattern; a lower bound, never painted by us)."""
        sps = set(self.xu.psp_seen)
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

    def _functions(self) -> tuple[FunctionCycles, ...]:
        totals: dict[str, list[int]] = {}
        blocks = [b for b in self.counter.all_blocks() if b.count]
        names = self.fw.function_names_at([b.address for b in blocks])  # from the ELF's arrays
        for b, name in zip(blocks, names, strict=True):
            t = totals.setdefault(name or f"0x{b.address:08x}", [0, 0])
            t[0] += b.cycles()
            t[1] += b.count * b.n_insns
        rows = sorted(totals.items(), key=lambda kv: -kv[1][0])
        return tuple(FunctionCycles(n, c, i) for n, (c, i) in rows)

    def _result(self, host_seconds: float) -> RunResult:
        t = self.target
        cycles = self.counter.cycles
        active = cycles - self.sleep_cycles
        clock = t.clock_hz
        # code fetched from RAM draws the datasheet's from-SRAM current where it has one
        from_ram = min(active, sum(
            b.cycles() for b in self.counter.all_blocks()
            if b.count and (r := t.region_at(b.address)) is not None and r.kind == "ram"
        ))  # fmt: skip
        p_active = t.power.active_power_mw(clock)
        p_sram = t.power.active_power_mw(clock, from_sram=True)
        p_sleep = t.power.sleep_power_mw()
        active_uj = (p_active * (active - from_ram) + p_sram * from_ram) / clock * 1000.0
        energy_uj = active_uj + p_sleep * self.sleep_cycles / clock * 1000.0
        time_s = cycles / clock
        note = (
            t.power.source
            if p_active
            else (f"target '{t.name}' has no active-current figure: energy is reported as 0")
        )
        lo_hi = self.stack or (0, 0)
        unknown = tuple(
            MmioAccess(a, k, n, pc, self.fw.symbolize(pc))
            for (a, k), (n, pc) in sorted(self.unknown_mmio.items())
        )
        exc = {exception_name(n): c for n, c in sorted(self.exc.taken.items())}
        # observers finish first (an op still open gets its painted stack back), then the
        # run's own figures are taken: no observer can change them
        extensions = {o.name: o.finish(self) for o in self.options.observers}
        return RunResult(
            firmware=self.fw.path,
            target=t.name,
            core=t.core + ("f" if t.fpu else ""),
            clock_hz=clock,
            exit_reason=self.stop_reason or "halted",
            exit_code=self.exit_code,
            message=self.message,
            instructions=self.counter.instructions(),
            cycles=cycles,
            active_cycles=active,
            sleep_cycles=self.sleep_cycles,
            time_s=time_s,
            energy_uj=energy_uj,
            avg_power_mw=energy_uj / 1000.0 / time_s if time_s else 0.0,
            power_note=note,
            footprint=footprint(self.fw, t),
            stack_peak_bytes=self._stack_peak(),
            stack_size_bytes=lo_hi[1] - lo_hi[0],
            process_stacks=self._process_stacks(),
            heap_peak_bytes=self.heap_peak,
            top_functions=self._functions(),
            memory_stalls=tuple(self.counter.memory_stats(list(t.memory))),
            exceptions_taken=exc,
            unknown_mmio=unknown,
            unknown_mnemonics=dict(self.counter.unknown),
            semihosting_refused=tuple(self.semihosting.refused),
            console=b"".join(self.console_chunks).decode("utf-8", "replace"),
            console_by_source={
                k: b"".join(v).decode("utf-8", "replace") for k, v in self.console_sources.items()
            },
            fault=self.fault,
            host_seconds=host_seconds,
            accounting=self.accounting,
            warnings=tuple(self._warnings()),
            active_cycles_from_ram=from_ram,
            active_power_mw=active_uj / 1000.0 / (active / clock) if active else p_active,
            extensions=extensions,
        )


def _xn_region(address: int) -> str:
    """The name of the Execute Never region of the default memory map holding ``address``
    (Armv7-M ARM DDI 0403E B3.1 table B3-1; Armv6-M DDI 0419E B3.1 table B3-1)."""
    if 0x40000000 <= address < 0x60000000:
        return "the Peripheral region (0x40000000-0x5FFFFFFF)"
    if 0xA0000000 <= address < 0xE0000000:
        return "the Device region (0xA0000000-0xDFFFFFFF)"
    if address >= 0xE0000000:
        return "the System region (0xE0000000-0xFFFFFFFF)"
    return "this address"


class _Memory:
    """Guest memory for semihosting (raises on unmapped addresses)."""

    def __init__(self, cpu: Cpu):
        self.cpu = cpu

    def read(self, address: int, size: int) -> bytes:
        return self.cpu.read(address, size)

    def write(self, address: int, data: bytes) -> None:
        self.cpu.write(address, data)
