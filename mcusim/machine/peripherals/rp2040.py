"""The RP2040's single-cycle I/O block (SIO), its microsecond timer (TIMER) and its watchdog
(L3).

They do what registers as data cannot: SIO answers which core reads it, divides, and hands out
spinlocks; TIMER counts microseconds of modelled time and raises its four alarm interrupts;
WATCHDOG counts down and resets the chip. Offsets and bits: RP2040 Datasheet §2.3.1 (SIO;
register list §2.3.1.7), §4.6 (Timer; register list §4.6.5) and §4.7 (Watchdog; §4.7.6).
Only core 0 is modelled.
"""

from __future__ import annotations

import math

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import Peripheral, RegisterFile, System

MASK32 = 0xFFFFFFFF

# SIO (§2.3.1.7)
CPUID, GPIO_IN, GPIO_HI_IN = 0x000, 0x004, 0x008
FIFO_ST, FIFO_WR, FIFO_RD, SPINLOCK_ST = 0x050, 0x054, 0x058, 0x05C
DIV_UDIVIDEND, DIV_UDIVISOR, DIV_SDIVIDEND, DIV_SDIVISOR = 0x060, 0x064, 0x068, 0x06C
DIV_QUOTIENT, DIV_REMAINDER, DIV_CSR = 0x070, 0x074, 0x078
SPINLOCK0, INTERP = 0x100, 0x080
# GPIO_OUT, GPIO_OE, GPIO_HI_OUT, GPIO_HI_OE, each followed by its SET, CLR and XOR aliases
GPIO_GROUPS = (0x010, 0x020, 0x030, 0x040)
FIFO_VLD, FIFO_RDY, FIFO_WOF, FIFO_ROE = 1, 2, 4, 8
DIV_READY, DIV_DIRTY = 1, 2


def _signed(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


class Sio(Peripheral):
    """CPUID (0: core 0), the GPIO output registers with their set/clear/xor aliases and the
    input registers reading the outputs the SIO drives (pins it does not drive read 0, as the
    pads' reset pull-downs leave them; other functions' pins are not modelled), the
    inter-core FIFO as seen with no second core (never anything to read, always room to
    write), the 32 spinlocks (a read claims a free lock and returns its bit, or returns 0 while
    it is held; any write releases it) and the hardware divider: a write of a dividend or
    divisor starts a signed or unsigned division whose quotient and remainder are there at
    once, while DIV_CSR.READY reads 0 until ``divider_cycles`` core cycles have passed, as on
    the chip (§2.3.1.5: 8 cycles). Division by zero gives the documented results (quotient
    all ones, or 1 for a negative signed dividend; remainder the dividend: verify). Every other
    offset reads back what was written; the interpolators are not modelled (``claims``)."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        divider_cycles: int = 8,
    ):
        super().__init__(name, base, size_bytes)
        if not isinstance(divider_cycles, int) or divider_cycles < 0:
            raise ConfigError(f"{where}.divider_cycles must be an integer >= 0")
        self.system, self.divider_cycles = system, divider_cycles
        self.regs = RegisterFile(size_bytes)
        self.locks = 0
        self.fifo_flags = 0  # WOF/ROE
        self.dividend = self.divisor = self.quotient = self.remainder = 0
        self.dirty = False
        self.ready_at = 0  # the cycle DIV_CSR.READY goes to 1
        self.divisions = 0

    def claims(self, offset: int) -> bool:
        """The interpolators (INTERP0/1, 0x080-0x0FC) are not modelled: their accesses are
        reported as unmodelled MMIO."""
        return not INTERP <= offset < INTERP + 0x80

    def register_name(self, offset: int) -> str | None:
        names = {CPUID: "CPUID", FIFO_ST: "FIFO_ST", DIV_CSR: "DIV_CSR", SPINLOCK_ST: "SPINLOCK_ST"}
        if SPINLOCK0 <= offset < SPINLOCK0 + 0x80:
            return f"SPINLOCK{(offset - SPINLOCK0) // 4}"
        return names.get(offset & ~3)

    def read(self, offset: int, size: int) -> int:
        word = offset & ~3
        value = self._read_word(word)
        return (value >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def _read_word(self, word: int) -> int:
        if word == CPUID:
            return 0
        if word in (GPIO_IN, GPIO_HI_IN):  # driven pins read what they drive, others low
            out, oe = (0x010, 0x020) if word == GPIO_IN else (0x030, 0x040)
            return self.regs.read(out, 4) & self.regs.read(oe, 4)
        if word == FIFO_ST:
            return FIFO_RDY | self.fifo_flags
        if word == FIFO_RD:
            self.fifo_flags |= FIFO_ROE  # read of an empty FIFO
            return 0
        if word == SPINLOCK_ST:
            return self.locks
        if SPINLOCK0 <= word < SPINLOCK0 + 0x80:
            bit = 1 << ((word - SPINLOCK0) // 4)
            if self.locks & bit:
                return 0
            self.locks |= bit
            return bit
        if word in (DIV_UDIVIDEND, DIV_SDIVIDEND):
            return self.dividend
        if word in (DIV_UDIVISOR, DIV_SDIVISOR):
            return self.divisor
        if word == DIV_QUOTIENT:
            self.dirty = False
            return self.quotient
        if word == DIV_REMAINDER:
            return self.remainder
        if word == DIV_CSR:
            ready = DIV_READY if self.system.now() >= self.ready_at else 0
            return ready | (DIV_DIRTY if self.dirty else 0)
        for group in GPIO_GROUPS:
            if group < word < group + 0x10:  # the SET/CLR/XOR aliases read as the register
                return self.regs.read(group, 4)
        return self.regs.read(word, 4)

    def write(self, offset: int, size: int, value: int) -> None:
        word = offset & ~3
        if size != 4:  # narrower writes: merge into the word (as the registers file does)
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            value = (self._peek(word) & ~mask) | ((value << shift) & mask)
        value &= MASK32
        if SPINLOCK0 <= word < SPINLOCK0 + 0x80:
            self.locks &= ~(1 << ((word - SPINLOCK0) // 4))
        elif word == FIFO_ST:
            self.fifo_flags &= ~(value & (FIFO_WOF | FIFO_ROE))  # write 1 to clear
        elif word == FIFO_WR:
            pass  # no core 1 to receive it; the FIFO never fills
        elif word in (DIV_UDIVIDEND, DIV_SDIVIDEND):
            self.dividend = value
            self._divide(signed=word == DIV_SDIVIDEND)
        elif word in (DIV_UDIVISOR, DIV_SDIVISOR):
            self.divisor = value
            self._divide(signed=word == DIV_SDIVISOR)
        elif word in (DIV_QUOTIENT, DIV_REMAINDER):  # restoring a saved state
            if word == DIV_QUOTIENT:
                self.quotient = value
            else:
                self.remainder = value
            self.dirty = True
            self.ready_at = self.system.now()
        else:
            self._write_gpio(word, value)

    def _peek(self, word: int) -> int:
        if word in (DIV_UDIVIDEND, DIV_SDIVIDEND):
            return self.dividend
        if word in (DIV_UDIVISOR, DIV_SDIVISOR):
            return self.divisor
        return self.regs.read(word, 4)

    def _write_gpio(self, word: int, value: int) -> None:
        for group in GPIO_GROUPS:
            if group <= word < group + 0x10:
                old = self.regs.read(group, 4)
                op = (word - group) // 4  # 0 write, 1 set, 2 clear, 3 xor
                new = (value, old | value, old & ~value, old ^ value)[op]
                self.regs.write(group, 4, new)
                return
        self.regs.write(word, 4, value)

    def _divide(self, *, signed: bool) -> None:
        """Start a division of the operands as they are now (§2.3.1.5)."""
        n, d = self.dividend, self.divisor
        if signed:
            n, d = _signed(n), _signed(d)
        if d == 0:
            q, r = (1 if n < 0 else -1), n
        else:
            q = abs(n) // abs(d) * (1 if (n < 0) == (d < 0) else -1)  # rounds towards zero
            r = n - q * d
        self.quotient, self.remainder = q & MASK32, r & MASK32
        self.dirty = True
        self.ready_at = self.system.now() + self.divider_cycles
        self.divisions += 1


# TIMER (§4.6.5)
TIMEHW, TIMELW, TIMEHR, TIMELR = 0x00, 0x04, 0x08, 0x0C
ALARM0, ARMED, TIMERAWH, TIMERAWL = 0x10, 0x20, 0x24, 0x28
DBGPAUSE, PAUSE, INTR, INTE, INTF, INTS = 0x2C, 0x30, 0x34, 0x38, 0x3C, 0x40
ALIAS_SPAN = 0x1000  # §2.1.2: +0x1000 XOR, +0x2000 set, +0x3000 clear on write


class Timer(Peripheral):
    """A 64-bit microsecond counter following modelled time (the tick the watchdog makes from
    clk_ref, §4.6.1: 1 µs after the SDK's start-up, whatever the core clock), read latched
    (TIMELR then TIMEHR) or raw (TIMERAWL/TIMERAWH) and set through TIMELW/TIMEHW; four
    alarms comparing the counter's low 32 bits, each disarming itself, setting its INTR bit
    and, while enabled in INTE (or forced in INTF), pending interrupt ``irq + n``. PAUSE stops
    the count. The atomic set/clear/xor aliases (§2.1.2) work on every register."""

    counts_by_itself = True  # reads that return one value many times in a row are no poll

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        irq: int = 0,
        tick_hz: int = 1_000_000,
    ):
        super().__init__(name, base, size_bytes)
        if not isinstance(irq, int) or irq < 0:
            raise ConfigError(f"{where}.irq must be the IRQ number of alarm 0")
        if not isinstance(tick_hz, int) or tick_hz <= 0:
            raise ConfigError(f"{where}.tick_hz must be a positive integer")
        self.system, self.irq, self.tick_hz = system, irq, tick_hz
        self.offset_us = 0  # counter = ticks of modelled time + offset (TIMEHW/LW, PAUSE)
        self.paused_at: int | None = None
        self.alarms = [0, 0, 0, 0]
        self.due = [0, 0, 0, 0]  # the 64-bit count each armed alarm fires at
        self.armed = 0
        self.intr = self.inte = self.intf = 0
        self.lines = 0  # INTS as the NVIC last saw it
        self.dbgpause = 0x7
        self.latched_high = 0
        self.write_high = 0
        self.fired = 0

    # -- time ---------------------------------------------------------------------------
    def _ticks(self, cycles: int) -> int:
        return math.floor(self.system.seconds(cycles) * self.tick_hz + 1e-6)

    def count(self, cycles: int | None = None) -> int:
        """The 64-bit counter at core cycle ``cycles`` (default: the access being made)."""
        if self.paused_at is not None:
            return self.paused_at
        now = self.system.now() if cycles is None else cycles
        return (self._ticks(now) + self.offset_us) & ((1 << 64) - 1)

    def next_event(self, cycles: int) -> int | None:
        """The core cycle the next armed alarm fires (None: none armed, or paused)."""
        if not self.armed or self.paused_at is not None:
            return None
        due = min(self.due[n] for n in range(4) if self.armed >> n & 1)
        wait = due - self.count(cycles)
        return cycles + max(1, math.ceil(wait * self.system.hz() / self.tick_hz - 1e-6))

    def on_time(self, cycles: int) -> None:
        """Modelled time reached ``cycles``: fire the alarms whose time has come (the counter's
        low word has reached the alarm's value since it was armed)."""
        if not self.armed or self.paused_at is not None:
            return
        now = self.count(cycles)
        for n in range(4):
            bit = 1 << n
            if self.armed & bit and now >= self.due[n]:
                self.armed &= ~bit
                self.intr |= bit
                self.fired += 1
        self._assert_lines()

    def _assert_lines(self) -> None:
        """An interrupt line that goes high makes its IRQ pending (a line held high does not
        pend it again while its handler runs; mcusim has no re-pend at exception return)."""
        ints = (self.intr | self.intf) & self.inte
        rising, self.lines = ints & ~self.lines, ints
        for n in range(4):
            if rising >> n & 1:
                self.system.set_pending(16 + self.irq + n)

    # -- registers --------------------------------------------------------------------------
    def register_name(self, offset: int) -> str | None:
        names = ("TIMEHW", "TIMELW", "TIMEHR", "TIMELR", "ALARM0", "ALARM1", "ALARM2",
                 "ALARM3", "ARMED", "TIMERAWH", "TIMERAWL", "DBGPAUSE", "PAUSE", "INTR",
                 "INTE", "INTF", "INTS")  # fmt: skip
        word = (offset % ALIAS_SPAN) // 4
        return names[word] if word < len(names) else None

    def read(self, offset: int, size: int) -> int:
        word = offset % ALIAS_SPAN & ~3
        return (self._read_word(word) >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def _read_word(self, word: int) -> int:
        if word == TIMELR:
            c = self.count()
            self.latched_high = c >> 32
            return c & MASK32
        if word == TIMEHR:
            return self.latched_high
        if word == TIMERAWL:
            return self.count() & MASK32
        if word == TIMERAWH:
            return self.count() >> 32
        if ALARM0 <= word < ALARM0 + 16:
            return self.alarms[(word - ALARM0) // 4]
        self.on_time(self.system.now())  # ARMED and INTR show alarms that came due
        return {
            ARMED: self.armed,
            DBGPAUSE: self.dbgpause,
            PAUSE: 1 if self.paused_at is not None else 0,
            INTR: self.intr,
            INTE: self.inte,
            INTF: self.intf,
            INTS: (self.intr | self.intf) & self.inte,
            TIMEHW: self.write_high,
        }.get(word, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        op, word = offset // ALIAS_SPAN, offset % ALIAS_SPAN & ~3
        if size != 4:
            shift = 8 * (offset & 3)
            value = (value << shift) & MASK32
        if op and word not in (INTR, ARMED):  # atomic alias: XOR, set or clear the bits
            old = self._peek(word)
            value = (old ^ value, old | value, old & ~value)[op - 1] if op <= 3 else old
        self._write_word(word, value & MASK32)

    def _arm(self, n: int, *, keep: bool = False) -> None:
        """Alarm ``n`` fires when the counter's low word next equals its value (``keep``:
        only recompute that moment for an alarm already armed)."""
        if keep and not self.armed >> n & 1:
            return
        now = self.count()
        self.due[n] = now + ((self.alarms[n] - now) & MASK32)
        self.armed |= 1 << n

    def _peek(self, word: int) -> int:
        return {INTE: self.inte, INTF: self.intf,
                DBGPAUSE: self.dbgpause, PAUSE: 1 if self.paused_at is not None else 0,
                TIMEHW: self.write_high}.get(word, 0)  # fmt: skip

    def _write_word(self, word: int, value: int) -> None:
        now = self.system.now()
        self.on_time(now)
        if word == TIMEHW:
            self.write_high = value
        elif word == TIMELW:  # the counter becomes TIMEHW:TIMELW
            target = (self.write_high << 32) | value
            self.offset_us = target - self._ticks(now)
            if self.paused_at is not None:
                self.paused_at = target
            for n in range(4):
                self._arm(n, keep=True)
        elif ALARM0 <= word < ALARM0 + 16:
            n = (word - ALARM0) // 4
            self.alarms[n] = value
            self._arm(n)
        elif word == ARMED:  # write 1 to disarm (an alias write is taken as a plain one)
            self.armed &= ~value
        elif word == INTR:  # write 1 to clear
            self.intr &= ~value & 0xF
        elif word == INTE:
            self.inte = value & 0xF
        elif word == INTF:
            self.intf = value & 0xF
        elif word == DBGPAUSE:
            self.dbgpause = value & 0x6
        elif word == PAUSE:
            if value & 1 and self.paused_at is None:
                self.paused_at = self.count(now)
            elif not value & 1 and self.paused_at is not None:
                self.offset_us = self.paused_at - self._ticks(now)
                self.paused_at = None
        self._assert_lines()
        self.system.reschedule()


# WATCHDOG (§4.7.6)
WD_CTRL, WD_LOAD, WD_REASON, WD_TICK = 0x00, 0x04, 0x08, 0x2C
WD_ENABLE, WD_TRIGGER, WD_TIME = 1 << 30, 1 << 31, 0xFFFFFF


class Watchdog(Peripheral):
    """The watchdog's countdown: LOAD sets it, it counts down ``decrements_per_tick`` each
    microsecond of modelled time while CTRL.ENABLE is set (CTRL.TIME reads it) and the chip
    resets when it reaches 0, or at once on CTRL.TRIGGER: the run ends with reason "reset".
    REASON reads 0 (a power-on boot); the scratch registers and TICK (RUNNING follows ENABLE)
    read back what was written. Atomic aliases as the timer's."""

    counts_by_itself = True

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        decrements_per_tick: int = 2,
    ):
        super().__init__(name, base, size_bytes)
        if not isinstance(decrements_per_tick, int) or decrements_per_tick <= 0:
            raise ConfigError(f"{where}.decrements_per_tick must be a positive integer")
        self.system, self.step = system, decrements_per_tick
        self.regs = RegisterFile(0x1000)
        self.regs.write(WD_TICK, 4, 0x200)
        self.ctrl = 0x07000000  # PAUSE_DBG0/1 and PAUSE_JTAG set at reset
        self.count, self.since_us = 0, 0.0  # the count when last loaded or stopped, and when

    def _us(self, cycles: int | None = None) -> float:
        return self.system.seconds(self.system.now() if cycles is None else cycles) * 1e6

    def time(self, cycles: int | None = None) -> int:
        """CTRL.TIME: the countdown now."""
        if not self.ctrl & WD_ENABLE:
            return self.count
        elapsed = int(self._us(cycles) - self.since_us + 1e-6)
        return max(0, self.count - self.step * elapsed)

    def next_event(self, cycles: int) -> int | None:
        if not self.ctrl & WD_ENABLE:
            return None
        wait_us = -(-self.time(cycles) // self.step)
        return cycles + max(1, math.ceil(wait_us * self.system.hz() / 1e6 - 1e-6))

    def on_time(self, cycles: int) -> None:
        if self.ctrl & WD_ENABLE and self.time(cycles) == 0:
            self.ctrl &= ~WD_ENABLE
            self.system.request_stop(
                "reset", f"{self.name}: the watchdog counted down to 0 (not fed): the chip resets"
            )

    def read(self, offset: int, size: int) -> int:
        word = offset % ALIAS_SPAN & ~3
        value = self._peek(word)
        return (value >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def _peek(self, word: int) -> int:
        if word == WD_CTRL:
            return (self.ctrl & ~WD_TIME & ~WD_TRIGGER) | self.time()
        if word in (WD_LOAD, WD_REASON):
            return 0
        value = self.regs.read(word, 4)
        if word == WD_TICK:  # RUNNING (bit 10) follows ENABLE (bit 9)
            value = (value & ~(1 << 10)) | ((value >> 9 & 1) << 10)
        return value

    def write(self, offset: int, size: int, value: int) -> None:
        op, word = offset // ALIAS_SPAN, offset % ALIAS_SPAN & ~3
        if size != 4:
            value = (value << (8 * (offset & 3))) & MASK32
        if op:
            old = self._peek(word)
            value = (old ^ value, old | value, old & ~value)[op - 1] if op <= 3 else old
        if word == WD_CTRL:
            self.count, self.since_us = self.time(), self._us()  # the count goes on from here
            self.ctrl = value & (WD_ENABLE | 0x07000000)
            if value & WD_TRIGGER:
                self.system.request_stop("reset", f"{self.name}: CTRL.TRIGGER reset the chip")
        elif word == WD_LOAD:
            self.count, self.since_us = value & WD_TIME, self._us()
        elif word != WD_REASON:
            self.regs.write(word, 4, value)
        self.system.reschedule()
