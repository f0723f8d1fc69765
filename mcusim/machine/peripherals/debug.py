"""DWT cycle counter and ITM stimulus ports (L3).

DWT_CTRL 0xE0001000 / DWT_CYCCNT 0xE0001004 (Armv7-M ARM DDI 0403E C1.8) count the modelled
cycles; ITM stimulus port 0 at 0xE0000000 (C1.7) is a console, as a debugger's SWO viewer shows.
An Armv6-M DWT has no cycle counter (DDI 0419E C1.8: DWT_CTRL, DWT_PCSR and the comparators
only; a Cortex-M0+ has up to two comparators, the RP2040's two: RP2040 datasheet §2.4, "Cortex-M0+",
its debug features): there CYCCNT's address is
reserved, read as zero, and DWT_CTRL shows NUMCOMP = 2 with no counter to enable, so firmware
that times itself with CYCCNT reads what it would read on the chip.
"""

from __future__ import annotations

from mcusim.machine.peripherals.bus import Peripheral, RegisterFile, System

DWT_BASE = 0xE0001000
ITM_BASE = 0xE0000000


class Dwt(Peripheral):
    """DWT with CYCCNT; comparators and other counters read back what was written."""

    def __init__(self, system: System, *, cyccnt: bool = True):
        super().__init__("dwt", DWT_BASE, 0x1000)
        self.system = system
        self.has_cyccnt = cyccnt
        # NUMCOMP = 4, cycle counter present (NOCYCCNT clear); Armv6-M: NUMCOMP = 2, no counter
        self.ctrl = 0x40000000 if cyccnt else 0x20000000
        self._offset = 0  # CYCCNT = now - offset while counting
        self._frozen = 0
        self.regs = RegisterFile(0x1000)
        self.reads = 0

    @property
    def counting(self) -> bool:
        return bool(self.ctrl & 1)

    def cyccnt(self) -> int:
        if not self.counting:
            return self._frozen
        return (self.system.now() - self._offset) & 0xFFFFFFFF

    def read(self, offset: int, size: int) -> int:
        if offset == 0x000:
            return self.ctrl
        if offset == 0x004:
            self.reads += 1
            return self.cyccnt() & ((1 << (8 * size)) - 1) if self.has_cyccnt else 0
        return self.regs.read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        now = self.system.now()
        if not self.has_cyccnt and offset in (0x000, 0x004):
            return  # Armv6-M: DWT_CTRL has nothing writable here, CYCCNT is reserved
        if offset == 0x000:
            current = self.cyccnt()
            self.ctrl = (self.ctrl & 0xF0000000) | (value & 0x0FFFFFFF)
            self._frozen = current
            self._offset = now - current
        elif offset == 0x004:
            self._frozen = value & 0xFFFFFFFF
            self._offset = now - self._frozen
        else:
            self.regs.write(offset, size, value)


class Itm(Peripheral):
    """ITM: stimulus port 0 writes go to the console; TER/TCR read as enabled (SWO attached)."""

    def __init__(self, system: System):
        super().__init__("itm", ITM_BASE, 0x1000)
        self.system = system
        self.regs = RegisterFile(0x1000)
        self.regs.write(0xE00, 4, 0x1)  # TER: port 0 enabled
        self.regs.write(0xE80, 4, 0x1)  # TCR: ITMENA

    def read(self, offset: int, size: int) -> int:
        if offset < 0x80:
            return 1  # stimulus port FIFO ready
        return self.regs.read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        if offset < 0x80:
            if offset == 0:
                self.system.console(value.to_bytes(size, "little"), "itm")
            return
        self.regs.write(offset, size, value)
