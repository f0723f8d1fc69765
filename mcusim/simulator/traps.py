"""What Unicorn's interrupt hook reports, dispatched (L5): BKPT 0xAB is a semihosting call,
another BKPT a fault; SVC is taken; a branch to EXC_RETURN returns from a handler; the two
UsageFaults Unicorn raises itself and an Execute Never fetch become faults.
"""

from __future__ import annotations

from mcusim.machine.semihosting import SemihostingExit
from mcusim.simulator.faults import xn_region

# Unicorn's exception numbers for two M-profile UsageFaults it raises itself (QEMU's
# target/arm/cpu.h EXCP_NOCP and EXCP_INVSTATE, which Unicorn 2 inherits)
UC_EXCP_NOCP = 17
UC_EXCP_INVSTATE = 18
UC_EXCP_DATA_ABORT = 4  # QEMU's EXCP_DATA_ABORT: its Armv6-M alignment fault
EXC_RETURN_BASE = 0xFFFFFF00


def nocp_reason(target) -> str:
    """Why an FP instruction cannot run: no FPU, or CPACR has not enabled it."""
    return "target has no FPU" if not target.fpu else "FPU disabled: CPACR.CP10/CP11 not enabled"


class Traps:
    """Uses the run's ``cpu``, ``semihosting``, ``exceptions`` (take/leave) and ``fault``/
    ``stop``."""

    def __init__(self, run):
        self.run = run

    def on_interrupt(self, intno: int) -> None:
        r = self.run
        cpu = r.cpu
        pc = cpu.reg("pc")
        if intno == 7:  # BKPT
            insn = int.from_bytes(cpu.read(pc, 2), "little")
            if insn == 0xBEAB:
                self.semihost(pc)
            else:
                r.fault("bkpt", pc, f"BKPT #{insn & 0xFF} executed with no debugger attached")
        elif intno == 2:  # SVC: PC is already after the instruction
            r.exceptions.take(11, pc)
        elif pc >= EXC_RETURN_BASE:  # a handler returned through EXC_RETURN
            r.exceptions.leave(pc)
        elif intno == UC_EXCP_NOCP:  # an FP (coprocessor) instruction the core cannot run
            why = nocp_reason(r.target)
            r.fault("nocp", pc, f"FP/coprocessor instruction at 0x{pc:08x}: {why}")
        elif intno == UC_EXCP_INVSTATE:
            r.fault("invstate", pc, f"execution at 0x{pc:08x} with EPSR.T = 0 (Thumb bit clear)")
        elif intno == 3:  # prefetch abort: a fetch from an Execute Never region
            r.fault(
                "fetch_prot",
                pc,
                f"instruction fetch from 0x{pc:08x}: {xn_region(pc)} is Execute Never",
                pc,
            )
        elif intno == UC_EXCP_DATA_ABORT and r.align.data_abort(pc, r.model.names):
            pass  # an unaligned access on Armv6-M, reported as such
        else:
            r.fault("exception", pc, f"CPU exception {intno} that mcusim does not model")

    def semihost(self, pc: int) -> None:
        """BKPT 0xAB at ``pc``: the call in R0 with its argument block in R1; the result goes
        to R0 and execution continues after the BKPT."""
        r = self.run
        cpu = r.cpu
        try:
            r0 = r.semihosting.call(cpu.reg("r0"), cpu.reg("r1"))
        except SemihostingExit as e:
            r.stop(
                "exit",
                f"firmware exited through semihosting with code {e.code}",
                code=e.code,
            )
            cpu.set_reg("pc", (pc + 2) | 1)
            return
        cpu.set_reg("r0", r0 & 0xFFFFFFFF)
        cpu.set_reg("pc", (pc + 2) | 1)
