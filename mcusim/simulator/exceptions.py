"""When exceptions are taken and what waiting for one means (L5): exception entry and return
with their cycles, and the two ways firmware waits (WFI, and a branch-to-self such as
``while (!flag);``): skip ahead to the next interrupt, or halt when none can ever come.
"""

from __future__ import annotations

from mcusim.machine.cortex import StackingError

SYSTICK = 15  # its exception number


class ExceptionDispatch:
    """Uses the run's ``cpu``, ``counter``, ``clock``, ``xu`` (the exception unit), ``exc``,
    ``scs`` and its ``fault``/``stop``/``where``; keeps the cycles spent entering, leaving,
    asleep (WFI) and spinning (a branch-to-self skipped)."""

    def __init__(self, run):
        self.run = run
        self.exception_cycles = 0
        self.sleep_cycles = 0
        self.spin_cycles = 0

    def take(self, number: int, return_address: int) -> None:
        r = self.run
        try:
            cost = r.xu.enter(number, return_address)
        except StackingError as e:
            # the derived fault's HardFault would stack at the same SP and fail again
            r.fault("lockup", return_address, f"{e}; the HardFault entry would fail too")
            return
        r.counter.cycles += cost
        self.exception_cycles += cost
        r.counter.restart(-1, sequential=False)
        r.clock.schedule()

    def leave(self, pc: int) -> None:
        """A handler returned through EXC_RETURN ``pc``."""
        r = self.run
        try:
            cost = r.xu.leave(pc | 1)
        except StackingError as e:
            r.fault("stacking", pc, str(e))
            return
        r.counter.cycles += cost
        self.exception_cycles += cost
        r.clock.schedule()

    def can_preempt(self) -> bool:
        """Whether SysTick (when it interrupts) or a pending enabled exception could preempt
        the code running now, at its execution priority."""
        r = self.run
        exc = r.exc
        current = exc.execution_priority(
            primask=r.cpu.reg("primask"),
            faultmask=r.cpu.reg("faultmask"),
            basepri=r.cpu.reg("basepri"),
        )
        sources = [n for n in exc.pending if exc.can_fire(n)]
        if r.scs.systick.interrupting:
            sources.append(SYSTICK)
        return any(exc.group_priority(n) < current for n in sources)

    def idle(self, b) -> bool:
        """A branch-to-self: skip ahead to the next interrupt, or halt if none can come (none
        left, or all masked: the loop itself can never unmask them)."""
        r = self.run
        wake = r.clock.next_wake()
        masked = wake is not None and not self.can_preempt()
        if wake is None or masked:
            event = r.clock.next_event()  # one that needs no interrupt: a watchdog's reset
            if event is not None and event > r.counter.cycles:
                self.spin_cycles += event - r.counter.cycles
                r.counter.cycles = event
                r.counter.deadline = 0
                return False
            why = (
                "interrupts masked (PRIMASK/BASEPRI/FAULTMASK or the running handler's "
                "priority), so none can ever be taken"
                if masked
                else "no interrupt source left"
            )
            r.stop("halted", f"halted: branch-to-self at {r.where(b.address)} with {why}")
            return True
        if wake > r.counter.cycles:
            self.spin_cycles += wake - r.counter.cycles
            r.counter.cycles = wake
            r.counter.deadline = 0
        return False

    def sleep(self, pc: int) -> int:
        """After a WFI (Unicorn returns from the run): sleep to the next wake-up and take the
        exception that wakes the core; returns where execution goes on."""
        r = self.run
        number = r.xu.next_exception()
        if number is None:
            wake = r.clock.next_wake()
            if wake is None:
                r.stop("halted", f"halted: WFI at {r.where(pc - 2)} with no interrupt source left")
                return pc
            if wake > r.counter.cycles:
                self.sleep_cycles += wake - r.counter.cycles
                r.counter.cycles = wake
            r.clock.poll(r.counter.cycles)
            number = r.xu.next_exception()
        if r.stop_reason:
            return pc
        if number is not None:
            self.take(number, pc)
            return r.cpu.reg("pc")
        r.counter.restart(pc, sequential=True)
        r.clock.schedule()
        return pc
