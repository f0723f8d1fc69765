"""The SAM D5x/E5x DMAC's registers (L3): what each one reads and what a write does; the
transfers are :mod:`mcusim.machine.peripherals.samd51dma`'s (its docstring gives the sources).

Registers narrower than a word (CTRL, CRCCTRL, INTPEND are 16 bits; CRCSTATUS, DBGCTRL and the
channel's CHCTRLB, CHPRILVL, CHEVCTRL, CHINTENCLR/SET, CHINTFLAG, CHSTATUS are 8 bits) may be
reached by wider accesses: a write gives each register it covers its own bytes. Offsets
between registers are not claimed (an access there is reported as unmodelled MMIO).
"""

from __future__ import annotations

from mcusim.machine.peripherals.bus import Peripheral

# channel flags (CHINTFLAG / CHINTENSET / CHINTENCLR; INTPEND bits 8-10)
TERR, TCMPL, SUSP = 1 << 0, 1 << 1, 1 << 2
FLAGS = TERR | TCMPL | SUSP
DMAENABLE = 1 << 1
CH_ENABLE, CH_SWRST = 1 << 1, 1 << 0
CHCTRLA_BITS = 0x3F307F40  # RUNSTDBY, TRIGSRC, TRIGACT, BURSTLEN, THRESHOLD (DFP MASK less 3)
PRICTRL0_RESET = 0x40404040
GLOBAL = {
    0x00: ("CTRL", 2), 0x02: ("CRCCTRL", 2), 0x04: ("CRCDATAIN", 4), 0x08: ("CRCCHKSUM", 4),
    0x0C: ("CRCSTATUS", 1), 0x0D: ("DBGCTRL", 1), 0x10: ("SWTRIGCTRL", 4), 0x14: ("PRICTRL0", 4),
    0x20: ("INTPEND", 2), 0x24: ("INTSTATUS", 4), 0x28: ("BUSYCH", 4), 0x2C: ("PENDCH", 4),
    0x30: ("ACTIVE", 4), 0x34: ("BASEADDR", 4), 0x38: ("WRBADDR", 4),
}  # fmt: skip
CHANNEL = {
    0x0: ("CHCTRLA", 4), 0x4: ("CHCTRLB", 1), 0x5: ("CHPRILVL", 1), 0x6: ("CHEVCTRL", 1),
    0xC: ("CHINTENCLR", 1), 0xD: ("CHINTENSET", 1), 0xE: ("CHINTFLAG", 1), 0xF: ("CHSTATUS", 1),
}  # fmt: skip
# byte offset -> (register offset, name, width) for every claimed byte
_GLOBAL_BYTES = {o + i: (o, n, w) for o, (n, w) in GLOBAL.items() for i in range(w)}
_CHANNEL_BYTES = {o + i: (o, n, w) for o, (n, w) in CHANNEL.items() for i in range(w)}


class DmacRegisters(Peripheral):
    """The DMAC's register state; the subclass supplies ``_service`` (run what the triggers
    allow), ``_update_lines`` and ``_unmodelled`` (stop the run)."""

    def __init__(self, name: str, base: int, size_bytes: int, channels: int):
        super().__init__(name, base, size_bytes)
        self.channels = channels
        self._reset()

    def _reset(self) -> None:
        """CTRL.SWRST: every register to its reset value (the descriptors stay in SRAM)."""
        n = self.channels
        self.ctrl = self.crcctrl = self.crcdatain = self.crcchksum = 0
        self.crcstatus = self.dbgctrl = self.swtrig = self.pend = 0
        self.prictrl0 = PRICTRL0_RESET
        self.intpend_id = self.baseaddr = self.wrbaddr = 0
        self.chctrla, self.chprilvl, self.chevctrl = [0] * n, [0] * n, [0] * n
        self.chinten, self.chintflag = [0] * n, [0] * n
        self.active: list[tuple | None] = [None] * n  # the descriptor a channel is moving

    def _reset_channel(self, ch: int) -> None:
        """CHCTRLA.SWRST of a disabled channel: its registers to their reset values."""
        self.chctrla[ch] = self.chprilvl[ch] = self.chevctrl[ch] = 0
        self.chinten[ch] = self.chintflag[ch] = 0
        self.pend &= ~(1 << ch)
        self.swtrig &= ~(1 << ch)
        self.active[ch] = None

    def _service(self) -> None:
        raise NotImplementedError

    def _update_lines(self, repend: bool = False) -> None:
        raise NotImplementedError

    def _unmodelled(self, what: str, ch: int | None = None) -> None:
        raise NotImplementedError

    # -- decoding ----------------------------------------------------------------------------
    def _locate(self, offset: int) -> tuple[int | None, int, str] | None:
        """(channel or None, the register's offset in the window, name) of a byte."""
        if offset < 0x40:
            hit = _GLOBAL_BYTES.get(offset)
            return None if hit is None else (None, hit[0], hit[1])
        ch, rel = divmod(offset - 0x40, 0x10)
        hit = _CHANNEL_BYTES.get(rel) if ch < self.channels else None
        return None if hit is None else (ch, 0x40 + 0x10 * ch + hit[0], hit[1])

    def claims(self, offset: int) -> bool:
        return self._locate(offset) is not None

    def register_name(self, offset: int) -> str | None:
        at = self._locate(offset)
        if at is None:
            return None
        return at[2] if at[0] is None else f"{at[2]}{at[0]}"

    def read(self, offset: int, size: int) -> int:
        value = 0
        for i in range(size):
            at = self._locate(offset + i)
            if at is None:
                continue
            ch, start, name = at
            byte = (self._read_reg(name, ch) >> (8 * (offset + i - start))) & 0xFF
            value |= byte << (8 * i)
        return value

    def write(self, offset: int, size: int, value: int) -> None:
        parts: dict[tuple, list[int]] = {}  # (channel, name, block offset) -> [value, mask]
        for i in range(size):
            at = self._locate(offset + i)
            if at is None:
                continue
            ch, start, name = at
            shift = 8 * (offset + i - start)
            part = parts.setdefault((ch, name), [0, 0])
            part[0] |= ((value >> (8 * i)) & 0xFF) << shift
            part[1] |= 0xFF << shift
        for (ch, name), (v, mask) in parts.items():
            self._write_reg(name, ch, v, mask)
        self._service()

    # -- register semantics ------------------------------------------------------------------
    def _pending_id(self) -> int:
        """INTPEND.ID: the lowest channel with a pending interrupt, else the ID last written."""
        for ch in range(self.channels):
            if self.chintflag[ch] & self.chinten[ch]:
                return ch
        return self.intpend_id

    def _read_reg(self, name: str, ch: int | None) -> int:
        if ch is not None:
            if name == "CHCTRLA":
                return self.chctrla[ch]
            if name == "CHPRILVL":
                return self.chprilvl[ch]
            if name == "CHEVCTRL":
                return self.chevctrl[ch]
            if name in ("CHINTENCLR", "CHINTENSET"):
                return self.chinten[ch]
            if name == "CHINTFLAG":
                return self.chintflag[ch]
            if name == "CHSTATUS":
                return self.pend >> ch & 1  # PEND; BUSY, FERR, CRCERR never set here
            return 0  # CHCTRLB: the command is done at once
        if name == "INTPEND":
            i = self._pending_id()
            return i | self.chintflag[i] << 8 | (self.pend >> i & 1) << 15
        if name == "INTSTATUS":
            return sum(1 << c for c in range(self.channels) if self.chintflag[c] & self.chinten[c])
        if name == "PENDCH":
            return self.pend
        if name == "ACTIVE":  # LVLEXx: a level's trigger pending; nothing is ever executing
            levels = {self.chprilvl[c] & 3 for c in range(self.channels) if self.pend >> c & 1}
            return sum(1 << level for level in levels)
        if name == "BUSYCH":
            return 0
        return {
            "CTRL": self.ctrl, "CRCCTRL": self.crcctrl, "CRCDATAIN": self.crcdatain,
            "CRCCHKSUM": self.crcchksum, "CRCSTATUS": self.crcstatus, "DBGCTRL": self.dbgctrl,
            "SWTRIGCTRL": self.swtrig, "PRICTRL0": self.prictrl0, "BASEADDR": self.baseaddr,
            "WRBADDR": self.wrbaddr,
        }[name]  # fmt: skip

    def _write_reg(self, name: str, ch: int | None, v: int, mask: int) -> None:
        if ch is not None:
            self._write_channel(name, ch, v, mask)
            return

        def merged(old: int, bits: int) -> int:
            return (old & ~mask | v & mask) & bits

        if name == "CTRL":
            if v & mask & 1 and not self.ctrl & DMAENABLE:
                self._reset()  # SWRST, only while the DMAC is disabled
                return
            self.ctrl = merged(self.ctrl, 0x0F02)
        elif name == "CRCCTRL":
            self.crcctrl = merged(self.crcctrl, 0xFF0F)
            if self.crcctrl & 0x3F00:
                self._unmodelled("the CRC module (CRCCTRL.CRCSRC) is not modelled")
        elif name == "CRCDATAIN":
            self.crcdatain = merged(self.crcdatain, 0xFFFFFFFF)
        elif name == "CRCCHKSUM":
            self.crcchksum = merged(self.crcchksum, 0xFFFFFFFF)
        elif name == "CRCSTATUS":
            self.crcstatus &= ~(v & mask) & 0x3  # CRCBUSY and CRCZERO: write 1 to clear
        elif name == "DBGCTRL":
            self.dbgctrl = merged(self.dbgctrl, 1)
        elif name == "SWTRIGCTRL":
            self.swtrig |= v & mask & ((1 << self.channels) - 1)
        elif name == "PRICTRL0":
            self.prictrl0 = merged(self.prictrl0, 0xFFFFFFFF)
        elif name == "INTPEND":
            if mask & 0xFF:
                self.intpend_id = (v & 0x1F) % self.channels
            self.chintflag[self.intpend_id] &= ~((v & mask) >> 8) & FLAGS
            self._update_lines(repend=True)
        elif name in ("BASEADDR", "WRBADDR") and not self.ctrl & DMAENABLE:  # enable-protected
            setattr(self, name.lower(), merged(getattr(self, name.lower()), 0xFFFFFFF0))

    def _write_channel(self, name: str, ch: int, v: int, mask: int) -> None:
        v &= mask
        if name == "CHCTRLA":
            was = self.chctrla[ch]
            if v & CH_SWRST and not was & CH_ENABLE:
                self._reset_channel(ch)
                return
            now = (was & ~mask | v) & (CHCTRLA_BITS | CH_ENABLE)
            self.chctrla[ch] = now
            if (was ^ now) & CH_ENABLE:  # enabled: start afresh; disabled: the transfer ends
                self.active[ch] = None
                self.pend &= ~(1 << ch)
        elif name == "CHCTRLB" and mask & 0xFF and v & 3:
            what = {1: "SUSPEND", 2: "RESUME", 3: "3 (reserved)"}[v & 3]
            self._unmodelled(f"channel command CHCTRLB.CMD {what} is not modelled", ch)
        elif name == "CHPRILVL":
            self.chprilvl[ch] = v & 3
        elif name == "CHEVCTRL":
            self.chevctrl[ch] = v & 0xF7
        elif name == "CHINTENCLR":
            self.chinten[ch] &= ~v & FLAGS
            self._update_lines(repend=True)
        elif name == "CHINTENSET":
            self.chinten[ch] |= v & FLAGS
        elif name == "CHINTFLAG":
            self.chintflag[ch] &= ~v & FLAGS
            self._update_lines(repend=True)
