"""System Control Space: SysTick, NVIC, SCB and CoreDebug registers at 0xE000E000 (L3).

Register layout from the Armv7-M Architecture Reference Manual (ARM DDI 0403E) B3.2-B3.4 and
C1.6 and the Armv6-M ARM (DDI 0419) B3; SysTick counts the *modelled* processor clock.
"""

from __future__ import annotations

from mcusim.machine.peripherals.bus import Peripheral, RegisterFile, System
from mcusim.machine.peripherals.exceptions import Exceptions

SCS_BASE = 0xE000E000
# CPUID reset values: Cortex-M4 TRM r0p1 (DDI 0439) 4.3.1, Cortex-M3 TRM r2p1 (DDI 0337) 4.3.1,
# Cortex-M0+ TRM r0p1 (DDI 0484) 4.3.1.
CPUID = {"cortex-m4": 0x410FC241, "cortex-m3": 0x412FC231, "cortex-m0plus": 0x410CC601}
VECTKEY = 0x05FA


class SysTick:
    """The 24-bit SysTick down-counter driven by the modelled cycle count."""

    def __init__(self, system: System, exceptions: Exceptions):
        self.system = system
        self.exceptions = exceptions
        self.csr = 0x4  # CLKSOURCE reads 1: the processor clock (external reference not modelled)
        self.rvr = 0
        self._start = 0  # cycle when counting (re)started from _value
        self._value = 0
        self._flag_checked = 0  # COUNTFLAG covers wraps after this cycle
        self._fired_until = 0  # wraps up to this cycle were handled

    @property
    def enabled(self) -> bool:
        return bool(self.csr & 1)

    @property
    def interrupting(self) -> bool:
        return self.csr & 3 == 3 and self.rvr > 0

    def _first_wrap(self) -> int:
        return self._start + (self._value if self._value else self.rvr + 1)

    def wraps_between(self, after: int, upto: int) -> int:
        """Number of times the counter reached zero in the cycle interval (after, upto]."""
        if not self.enabled or self.rvr == 0 or upto <= after:
            return 0
        first, period = self._first_wrap(), self.rvr + 1

        def count(t: int) -> int:
            return 0 if t < first else (t - first) // period + 1

        return count(upto) - count(after)

    def next_wrap(self, after: int) -> int | None:
        """The first cycle > ``after`` at which the counter reaches zero."""
        if not self.enabled or self.rvr == 0:
            return None
        first, period = self._first_wrap(), self.rvr + 1
        if after < first:
            return first
        return first + ((after - first) // period + 1) * period

    def current(self, now: int) -> int:
        if not self.enabled:
            return self._value
        elapsed = now - self._start
        if elapsed <= self._value:
            return self._value - elapsed
        if self.rvr == 0:
            return 0
        return self.rvr - (elapsed - self._value - 1) % (self.rvr + 1)

    def on_time(self, now: int) -> None:
        """Called at or after a wrap deadline: pend the exception once for the wraps passed."""
        if self.interrupting and self.wraps_between(self._fired_until, now):
            self.exceptions.pending.add(15)
        self._fired_until = now

    def read(self, offset: int) -> int:
        now = self.system.now()
        if offset == 0x0:
            flag = self.wraps_between(self._flag_checked, now) > 0
            self._flag_checked = now
            return self.csr | (flag << 16)
        if offset == 0x4:
            return self.rvr
        if offset == 0x8:
            return self.current(now)
        return 0  # CALIB: no reference calibration value (NOREF clear, TENMS 0)

    def write(self, offset: int, value: int) -> None:
        now = self.system.now()
        if offset == 0x0:
            was = self.enabled
            self._value = self.current(now)
            self._start = now
            self.csr = (value & 0x7) | 0x4
            if self.enabled and not was:
                self._fired_until = now
        elif offset == 0x4:
            self._value, self._start = self.current(now), now
            self.rvr = value & 0xFFFFFF
        elif offset == 0x8:  # any write clears the counter and COUNTFLAG
            self._value, self._start, self._flag_checked = 0, now, now
            self._fired_until = now
        self.system.reschedule()


class Scs(Peripheral):
    """SCS registers: ICTR, SysTick, NVIC, SCB, CoreDebug, STIR, FPU context registers."""

    def __init__(self, system: System, exceptions: Exceptions, *, core: str, vtor: int):
        super().__init__("scs", SCS_BASE, 0x1000)
        self.system = system
        self.exc = exceptions
        self.systick = SysTick(system, exceptions)
        self.cpuid = CPUID.get(core, 0)
        self.vtor = vtor
        self.regs = RegisterFile(0x1000)  # plain read-back storage for the rest
        self.cpacr = 0
        self.ccr = 0x200  # STKALIGN set (Armv7-M B3.2.8: reset value is IMPLEMENTATION DEFINED)
        self.shcsr = 0
        self.cfsr = 0
        self.hfsr = 0
        self.mmfar = 0
        self.bfar = 0
        self.fpccr = 0xC0000000  # ASPEN and LSPEN set at reset (Armv7-M B3.2.22 with FP)
        self.demcr = 0

    @property
    def fpu_enabled(self) -> bool:
        return (self.cpacr >> 20) & 0xF == 0xF

    def read(self, offset: int, size: int) -> int:
        aligned = offset & ~3
        value = self._read32(aligned)
        value >>= 8 * (offset - aligned)
        return value & ((1 << (8 * size)) - 1)

    def _read32(self, off: int) -> int:
        exc = self.exc
        if off == 0x004:  # ICTR: INTLINESNUM
            return max(0, (exc.num_irqs + 31) // 32 - 1)
        if 0x010 <= off < 0x020:
            return self.systick.read(off - 0x10)
        if 0x100 <= off < 0x180 or 0x180 <= off < 0x200:  # ISER / ICER
            return self._irq_bits((off & 0x7F) // 4, exc.irq_enabled)
        if 0x200 <= off < 0x300:  # ISPR / ICPR
            return self._irq_bits((off & 0x7F) // 4, {n - 16 for n in exc.pending if n >= 16})
        if 0x300 <= off < 0x380:  # IABR
            return self._irq_bits((off & 0x7F) // 4, {n - 16 for n in exc.active if n >= 16})
        if 0x400 <= off < 0x5F0:  # IPR bytes
            return sum(exc.priority.get(16 + off - 0x400 + i, 0) << (8 * i) for i in range(4))
        if 0xD18 <= off < 0xD24:  # SHPR1-3
            return sum(exc.priority.get(4 + off - 0xD18 + i, 0) << (8 * i) for i in range(4))
        simple = {
            0xD00: self.cpuid,
            0xD08: self.vtor,
            0xD14: self.ccr,
            0xD24: self.shcsr,
            0xD28: self.cfsr,
            0xD2C: self.hfsr,
            0xD34: self.mmfar,
            0xD38: self.bfar,
            0xD88: self.cpacr,
            0xDFC: self.demcr,
            0xF34: self.fpccr,
            0xD0C: (0xFA05 << 16) | (exc.prigroup << 8),
        }
        if off in simple:
            return simple[off]
        if off == 0xD04:  # ICSR
            active = exc.active[-1] if exc.active else 0
            pend = [n for n in exc.pending if exc.can_fire(n)]
            vectpending = min(pend, key=lambda n: (exc.group_priority(n), n)) if pend else 0
            return (
                (active & 0x1FF)
                | (vectpending << 12)
                | ((1 << 22) if any(n >= 16 for n in exc.pending) else 0)
                | ((1 << 28) if 14 in exc.pending else 0)
                | ((1 << 26) if 15 in exc.pending else 0)
                | ((1 << 31) if 2 in exc.pending else 0)
            )
        return self.regs.read(off, 4)

    def _irq_bits(self, word: int, numbers: set[int]) -> int:
        return sum(1 << (n - 32 * word) for n in numbers if 32 * word <= n < 32 * word + 32)

    def write(self, offset: int, size: int, value: int) -> None:
        aligned = offset & ~3
        if size < 4:  # byte/halfword writes: IPR/SHPR are byte accessible
            if 0x400 <= offset < 0x5F0 or 0xD18 <= offset < 0xD24:
                first = 16 + offset - 0x400 if offset < 0xD00 else 4 + offset - 0xD18
                for i in range(size):
                    self.exc.set_priority(first + i, value >> (8 * i))
                self.system.reschedule()
                return
            shift = 8 * (offset - aligned)
            value = (self._read32(aligned) & ~(((1 << (8 * size)) - 1) << shift)) | (value << shift)
        self._write32(aligned, value & 0xFFFFFFFF)
        self.system.reschedule()

    def _write32(self, off: int, value: int) -> None:
        exc = self.exc
        bits = {32 * ((off & 0x7F) // 4) + i for i in range(32) if value >> i & 1}
        bits = {n for n in bits if n < exc.num_irqs}
        if 0x010 <= off < 0x020:
            self.systick.write(off - 0x10, value)
        elif 0x100 <= off < 0x180:
            exc.irq_enabled |= bits
        elif 0x180 <= off < 0x200:
            exc.irq_enabled -= bits
        elif 0x200 <= off < 0x280:
            exc.pending |= {16 + n for n in bits}
        elif 0x280 <= off < 0x300:
            exc.pending -= {16 + n for n in bits}
        elif 0x400 <= off < 0x5F0:
            for i in range(4):
                exc.set_priority(16 + off - 0x400 + i, value >> (8 * i))
        elif 0xD18 <= off < 0xD24:
            for i in range(4):
                exc.set_priority(4 + off - 0xD18 + i, value >> (8 * i))
        elif off == 0xD04:
            self._write_icsr(value)
        elif off == 0xD08:
            self.vtor = value & 0xFFFFFF80
        elif off == 0xD0C:
            if value >> 16 == VECTKEY:
                exc.prigroup = (value >> 8) & 7
                if value & 0x4:
                    self.system.request_stop(
                        "reset", "firmware requested a system reset (AIRCR.SYSRESETREQ)"
                    )
        elif off == 0xD14:
            self.ccr = value
        elif off == 0xD24:
            self.shcsr = value
        elif off == 0xD28:
            self.cfsr &= ~value  # write-one-to-clear
        elif off == 0xD2C:
            self.hfsr &= ~value
        elif off == 0xD88:
            self.cpacr = value
        elif off == 0xDFC:
            self.demcr = value
        elif off == 0xF00:  # STIR
            if (value & 0x1FF) < exc.num_irqs:
                exc.pending.add(16 + (value & 0x1FF))
        elif off == 0xF34:
            self.fpccr = value
        else:
            self.regs.write(off, 4, value)

    def _write_icsr(self, value: int) -> None:
        pend = self.exc.pending
        if value & (1 << 31):
            pend.add(2)
        if value & (1 << 28):
            pend.add(14)
        if value & (1 << 27):
            pend.discard(14)
        if value & (1 << 26):
            pend.add(15)
        if value & (1 << 25):
            pend.discard(15)
