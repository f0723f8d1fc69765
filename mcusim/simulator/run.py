"""One run of a firmware on a target (L5): :class:`Simulator` and the run that wires the
collaborators of this package together and holds the run loop.

``Simulator(target, options).run(firmware)`` returns a :class:`RunResult`. The collaborators:
``boot`` (memory and first SP/PC), ``clock`` (deadlines, host polls), ``exceptions`` (entry,
return, WFI and idle loops), ``traps`` (Unicorn's interrupts: semihosting, SVC, EXC_RETURN),
``faults`` (the fault decoder), ``alignment``, ``hooks`` (operand timing, flash data, heap),
``stack``, ``access`` (MMIO accesses, unknown registers, stuck polls), ``probe`` (what
observers see) and ``assemble`` (the result). The hot path itself lives in
:mod:`mcusim.timing.accounting` (or the C fast path).
"""

from __future__ import annotations

import time
from pathlib import Path

from mcusim.config.core import load_core
from mcusim.config.target import Target
from mcusim.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_LIMIT,
    EXIT_OK,
    EXIT_STUCK,
    InputError,
)
from mcusim.image.elf import Firmware
from mcusim.image.memory import check_placement
from mcusim.machine import native
from mcusim.machine.cortex import ExceptionCosts, ExceptionUnit
from mcusim.machine.cpu import Cpu, execute_never, hook_block_native
from mcusim.machine.mmio import MmioMap
from mcusim.machine.peripherals.debug import Dwt, Itm
from mcusim.machine.peripherals.exceptions import Exceptions
from mcusim.machine.peripherals.scs import Scs
from mcusim.machine.semihosting import Semihosting
from mcusim.result import Fault, RunResult
from mcusim.simulator import hooks
from mcusim.simulator.access import AccessLog, locate
from mcusim.simulator.alignment import AlignmentCheck
from mcusim.simulator.assemble import assemble_result
from mcusim.simulator.boot import find_boot, load_image
from mcusim.simulator.clock import Clock
from mcusim.simulator.core_clock import CoreClock
from mcusim.simulator.exceptions import ExceptionDispatch
from mcusim.simulator.faults import DATA_ERRORS, REG_NAMES, build_fault, describe_error
from mcusim.simulator.options import RunOptions
from mcusim.simulator.probe import RunProbe
from mcusim.simulator.stack import StackWatch
from mcusim.simulator.system import ConsoleLog, RunSystem
from mcusim.simulator.traps import EXC_RETURN_BASE, Traps, nocp_reason
from mcusim.timing.accounting import Block, CycleCounter
from mcusim.timing.model import CycleModel

XPSR_IT_BITS = 0x0600FC00  # EPSR.IT[1:0] (bits 26:25) and IT[7:2] (bits 15:10)
EXIT_CODES = {
    "exit": None,
    "halted": EXIT_OK,
    "stop_at": EXIT_OK,
    "reset": EXIT_OK,
    "fault": EXIT_FAILURE,
    "limit": EXIT_LIMIT,
    "stuck": EXIT_STUCK,
    "timeout": EXIT_LIMIT,
    "interrupted": EXIT_INTERRUPTED,
}
WFE = b"\x20\xbf"


class Simulator:
    """Runs firmware on one target."""

    def __init__(self, target: Target, options: RunOptions | None = None):
        self.target = target
        self.options = options or RunOptions()

    def run(self, firmware: Firmware | str | Path) -> RunResult:
        fw = firmware if isinstance(firmware, Firmware) else Firmware(firmware)
        return _Run(self.target, self.options, fw).execute()


class _Run(RunProbe, RunSystem):
    """The state of one run; the peripherals' System and the observers' Probe."""

    def __init__(self, target: Target, options: RunOptions, fw: Firmware):
        self.target, self.options, self.fw = target, options, fw
        self.core = load_core(target.core)
        self.model = CycleModel(self.core)
        self.armv6m = target.core == "cortex-m0plus"
        check_placement(fw, target)
        self.cpu = cpu = Cpu(self.core.unicorn_model)
        self.buffers = load_image(cpu, target, fw)
        self.console_log = ConsoleLog()
        self.stop_reason, self.message, self.exit_code = "", "", 0
        self.fault_record: Fault | None = None
        self.heap = hooks.Heap()
        boot = find_boot(fw, target)
        self.vtor, self.boot = boot.vtor, boot.how
        self.initial_sp, self.start_pc = boot.sp, boot.pc
        cpu.set_reg("sp", self.initial_sp)
        self._machine()
        self.counter = self._counter()
        self.clock = Clock(self.counter, self.scs.systick, self.exc, options, self.stop)
        self.access = AccessLog(
            self.counter,
            cpu.reg,
            poll_limit=options.poll_limit,
            stop=self.stop,
            where=self.where,
            svd=target.svd,
        )
        self.exceptions = ExceptionDispatch(self)
        self.traps = Traps(self)
        self.align = AlignmentCheck(
            cpu, self.counter, self.scs, armv6m=self.armv6m, fault=self.fault
        )
        # not on Armv6-M: Unicorn faults every unaligned access there itself (see Traps)
        if options.check_alignment and not self.armv6m:
            self.counter.align_rules = self.align.rules
        self.mmio = MmioMap(cpu, target, self, [self.scs, self.dwt, Itm(self)])
        self.mmio.map_all(on_unknown=self.access.unknown_access)
        self.clock.timed = [p for p in self.mmio.peripherals if hasattr(p, "next_event")]
        self.core_clock = CoreClock(
            target,
            now=self.access.now,
            sleep=lambda: self.exceptions.sleep_cycles,
            wait_states=self._flash_wait_states,
        )
        self.core_clock.watch(self.mmio.peripherals)
        self._hook(options)

    def _flash_wait_states(self) -> int | None:
        """The wait states of the flash region the clock tree names, now."""
        tree = self.target.clock_tree
        region = tree and tree.flash_region and self.memory_region(tree.flash_region)
        return None if not region else self.counter.wait_states_of(region)

    def _machine(self) -> None:
        """The core's system: NVIC state, System Control Space, DWT, exception unit."""
        target, rules = self.target, self.core.rules
        raw = target.raw
        self.exc = Exceptions(
            num_irqs=int(raw.get("nvic_irqs", 32 if self.armv6m else 240)),
            priority_bits=int(raw.get("nvic_priority_bits", 2 if self.armv6m else 3)),
        )
        self.scs = Scs(self, self.exc, core=target.core, vtor=self.vtor)
        self.dwt = Dwt(self, cyccnt=not self.armv6m)
        entry = int(rules.get("exception_entry_cycles", 12))
        exit_ = int(rules.get("exception_exit_cycles", 10))
        costs = ExceptionCosts(
            entry=entry,
            exit=exit_,
            tail_chain=int(rules.get("exception_tail_chain_cycles", 6)),
            entry_fp=int(rules.get("exception_entry_fp_context_cycles", entry)),
            exit_fp=int(rules.get("exception_exit_fp_context_cycles", exit_)),
        )
        self.xu = ExceptionUnit(self.cpu, self.exc, self.scs, fpu=target.fpu, costs=costs)

    def _counter(self) -> CycleCounter:
        """The cycle counter: the C fast path's when it is built (and not refused), else the
        pure-Python one."""
        use_native = self.options.native is not False and native.library() is not None
        if self.options.native and not use_native:
            raise InputError(f"native fast path requested but {native.unavailable_reason()}")
        cls = native.NativeCycleCounter if use_native else CycleCounter
        on, region_of = self.on_event, self.target.region_at
        counter = cls(self.model, fetch_code=self.cpu.read, region_of=region_of, on_event=on)
        self.accounting = "native" if use_native else "python"
        if use_native:
            counter.attach_memory([(r, self.buffers[r.name]) for r in self.target.memory])
        counter.set_fp_allowed(False)  # CPACR resets to 0 (both paths: C and Python state)
        counter.set_memory_blocks(self.target.memory_blocks(), self.cpu.reg)  # pipelining
        return counter

    def _hook(self, options: RunOptions) -> None:
        """Hooks before the first instruction, in this order: blocks, interrupts, refused
        accesses, operand timing, flash data, heap, stack guard; then the stack is painted and
        the observers attach."""
        cpu, counter, fw = self.cpu, self.counter, self.fw
        counter.stop = cpu.stop
        if self.accounting == "native":
            hook_block_native(cpu, counter.hook_address, counter.user_data)
        else:
            cpu.hook_block(counter.on_block)
        cpu.hook_interrupt(self.traps.on_interrupt)
        cpu.hook_bad_access(self._on_bad_access)
        self.bad_access: tuple[str, int, int] | None = None
        hooks.hook_operand_dependent(self)
        hooks.hook_flash_data(cpu, counter, self.target, native=self.accounting == "native")
        self.heap.hook(cpu, fw)
        self.stack = StackWatch(fw, self.target, cpu, self.buffers, self.initial_sp,
                                lambda: self.heap.peak)  # fmt: skip
        if options.check_stack:
            self.stack.hook_guard(counter, stopped=lambda: bool(self.stop_reason), fault=self.fault)
        self.semihosting = Semihosting(
            _Memory(cpu),
            console=lambda data, fd: self.console(data, "semihosting"),
            stdin=options.stdin,
            root=options.semihosting_root,
            cmdline=" ".join((Path(fw.path).name, *options.args)),
            clock_seconds=lambda: self.core_clock.seconds(self.now()),
            tick_hz=self.target.clock_hz,
            heap_info=self.stack.heap_info(),
        )
        self.stack.paint()
        self.firmware = fw
        for observer in options.observers:
            observer.attach(self)

    # -- stops and faults -----------------------------------------------------------------
    def stop(self, reason: str, message: str, code: int | None = None) -> None:
        """End the run (the first reason given is kept)."""
        if not self.stop_reason:
            self.stop_reason, self.message = reason, message
            self.exit_code = EXIT_CODES.get(reason) if code is None else code
        self.cpu.stop()

    def fault(self, error: str, pc: int, detail: str, address: int | None = None) -> None:
        """Stop with a fault, as a debugger would show it."""
        self.fault_record = f = build_fault(
            error, pc, detail, address, self.cpu.regs(REG_NAMES),
            shcsr=self.scs.shcsr, armv6m=self.armv6m, symbolize=self.fw.symbolize,
        )  # fmt: skip
        self.stop("fault", f"{f.kind}: {f.cause} at {self.where(pc)}: {detail}")

    def where(self, address: int) -> str:
        name = self.fw.symbolize(address)
        region = self.target.region_at(address) if name == "?" else None
        rom = region.function_at(address) if region is not None else None
        return f"0x{address:08x} ({f'{rom} in the {region.name} image' if rom else name})"

    def _on_bad_access(self, kind: str, address: int, size: int) -> None:
        self.bad_access = (kind, address, size)

    def _fault_from_error(self, error: str, pc: int) -> None:
        if error.startswith("fetch") and execute_never(pc):  # the core's MemManage IACCVIOL
            error = "fetch_prot"
        detail, address = describe_error(
            error, pc, bad_access=self.bad_access, region_at=self.target.region_at,
            read=self.cpu.read, core=self.target.core,
        )  # fmt: skip
        if error in DATA_ERRORS:  # the engine may report the start of the block
            pc = self._access_pc(pc, address)
        self.fault(error, pc, detail, address)

    def _access_pc(self, pc: int, address: int) -> int:
        """The instruction that made a refused data access: found in the running block by its
        effective address."""
        b = self.counter.current
        if b is None or not b.insns or not b.address <= pc < b.end:
            return pc
        i = locate(b, address, self.cpu.reg)
        return b.insns[i].address if b.insns[i].mem_base or i else pc

    # -- the block hook's events and the run loop -----------------------------------------
    def on_event(self, b: Block, sequential: bool) -> bool:
        """A deadline passed or ``b`` needs attention; True when ``b`` must not run now."""
        counter = self.counter
        if counter.it_check and self._repair_it_state(b, sequential):
            return True
        if counter.cycles >= counter.deadline:
            self.clock.poll(counter.cycles)
            if self.stop_reason:
                self.cpu.stop()
                counter.restart(b.address, sequential=sequential)
                return True
            number = self.xu.next_exception()
            if number is not None:
                self.exceptions.take(number, b.address)
                return True
            self.clock.schedule()
        if b.special:
            if b.fp_first is not None and not counter.fp_allowed:
                why = nocp_reason(self.target)
                self.fault("nocp", b.fp_first, f"FP instruction at 0x{b.fp_first:08x}: {why}")
                return True
            if b.align and self.align.check(b, sequential):
                return True
            if b.self_loop:
                return self.exceptions.idle(b)
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

    def execute(self) -> RunResult:
        clock = self.clock
        clock.start()
        old = clock.install_signals()
        pc = self.start_pc
        self.counter.restart(pc, sequential=False)
        clock.schedule()
        try:
            while not self.stop_reason:
                error = self.cpu.run(pc)
                pc = self.cpu.reg("pc")
                if self.stop_reason:
                    break
                if error == "insn_invalid" and (resume := _past_wfe(self.cpu, self.target, pc)):
                    pc, error = resume, None  # a WFE, which Unicorn does not know
                if error and error.startswith("fetch") and pc >= EXC_RETURN_BASE:
                    # The Cortex-M0 model reports an EXC_RETURN branch as a failed fetch
                    self.traps.on_interrupt(3)
                    pc = self.cpu.reg("pc")
                    continue
                if error:
                    self._fault_from_error(error, pc)
                    break
                pc = self.exceptions.sleep(pc)  # Unicorn returns normally after WFI
        finally:
            clock.restore_signals(old)
            self.semihosting.close()
        host_seconds = time.monotonic() - clock.t0  # the run loop; results are collected after
        if self.accounting == "native":
            self.counter.sync()
        if self.counter._error is not None:
            raise self.counter._error
        return assemble_result(self, host_seconds)


def _past_wfe(cpu: Cpu, target: Target, pc: int) -> int | None:
    """Where to go on when Unicorn stopped on a WFE (at ``pc``) or just after one (it ended a
    translated block: the halfword before ``pc`` is a WFE, not the second half of a 32-bit
    instruction); None when it stopped for another reason."""
    if cpu.read(pc, 2) == WFE:
        return pc + 2
    if not target.region_at(pc - 4, 4) or cpu.read(pc - 2, 2) != WFE:
        return None
    wide_first_half = int.from_bytes(cpu.read(pc - 4, 2), "little") >> 11 in (0x1D, 0x1E, 0x1F)
    return None if wide_first_half else pc


class _Memory:
    """Guest memory for semihosting (raises on unmapped addresses)."""

    def __init__(self, cpu: Cpu):
        self.cpu = cpu

    def read(self, address: int, size: int) -> bytes:
        return self.cpu.read(address, size)

    def write(self, address: int, data: bytes) -> None:
        self.cpu.write(address, data)
