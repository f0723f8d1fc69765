"""The SAM D5x/E5x DMA controller (DMAC): channels moving blocks described by transfer
descriptors in SRAM, to a peripheral's data register on its trigger (a SERCOM's 'data register
empty') or from memory to memory on a software trigger (L3).

Register layout and bits from DS60001507 §22 'DMAC - Direct Memory Access Controller' (register
summary §22.7; the bit positions agree with Microchip's SAMD51 DFP component/dmac.h): CTRL 0x00
(SWRST 0, DMAENABLE 1, LVLEN0-3 8-11), CRCCTRL 0x02 (CRCSRC 13:8), CRCDATAIN 0x04, CRCCHKSUM
0x08, CRCSTATUS 0x0C, DBGCTRL 0x0D, SWTRIGCTRL 0x10, PRICTRL0 0x14 (reset 0x40404040), INTPEND
0x20 (ID 4:0, TERR 8, TCMPL 9, SUSP 10, CRCERR 12, FERR 13, BUSY 14, PEND 15), INTSTATUS 0x24,
BUSYCH 0x28, PENDCH 0x2C, ACTIVE 0x30, BASEADDR 0x34, WRBADDR 0x38; channel n at 0x40 + 0x10 n:
CHCTRLA +0x0 (SWRST 0, ENABLE 1, RUNSTDBY 6, TRIGSRC 14:8, TRIGACT 21:20, BURSTLEN 27:24,
THRESHOLD 29:28), CHCTRLB +0x4 (CMD 1:0), CHPRILVL +0x5, CHEVCTRL +0x6 (EVACT 2:0, EVOMODE
5:4, EVIE 6, EVOE 7), CHINTENCLR +0xC, CHINTENSET +0xD, CHINTFLAG +0xE (TERR 0, TCMPL 1,
SUSP 2; write 1 to clear), CHSTATUS +0xF (PEND 0, BUSY 1, FERR 2, CRCERR 3).

Transfer descriptors (§22.6.2.3, §22.10): 16 bytes each, channel n's first one at BASEADDR +
16 n, its write-back at WRBADDR + 16 n: BTCTRL (VALID 0, EVOSEL 2:1, BLOCKACT 4:3, BEATSIZE
9:8, SRCINC 10, DSTINC 11, STEPSEL 12, STEPSIZE 15:13), BTCNT (beats), SRCADDR, DSTADDR,
DESCADDR (the next descriptor; 0: the last block). An incrementing address is the END of the
block (§22.6.2.7 'Addressing'): start = address - BTCNT x beat bytes x (2^STEPSIZE if the step
applies to it); a beat is 1 << BEATSIZE bytes (the data sheet's '(BEATSIZE + 1)' is that byte
count for byte and halfword beats; the DFP's STEPSIZE values read 'ADDR + (1<<BEATSIZE) * n').

Which TRIGSRC is which peripheral's trigger is data in the target TOML (``triggers``): the
peripheral and the register bit while which it asks (SERCOM INTFLAG.DRE for a TX trigger).
An enabled channel whose trigger is active, with CTRL.DMAENABLE and the LVLEN bit of its
CHPRILVL level set, fetches its descriptor and moves it at once, through the models of the
peripherals at its addresses (a console SERCOM prints) or in RAM: as the trigger stays active
(the USART's data register is empty again at once), every block of the transaction moves;
a software trigger (SWTRIGCTRL) moves one burst, one block or the transaction (TRIGACT). After
each block the descriptor is written back with VALID 0 and BTCNT 0, the next one (DESCADDR)
fetched into the write-back, CHINTFLAG.TCMPL set when the block action asks for the block
interrupt or the transaction ends (verify: BLOCKACT NOACT's last block), and the channel
disabled at the end. A channel interrupt line (DMAC_0-3 for channels 0-3, DMAC_4 for the
others: ``irqs``) is high while a flag is set with its enable bit; going high makes it pending.
No simulated time passes. Not modelled, each stopping the run with a message naming the
channel: events (CHEVCTRL EVIE/EVOE), the CRC module, channel suspend and resume (BLOCKACT
SUSPEND/BOTH, CHCTRLB.CMD), descriptors with VALID 0 (the fetch error), BTCNT 0, bus errors,
trigger sources not listed in the target, reading a peripheral, writing the DMAC itself;
priorities and arbitration (channels run in number order).
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import (
    Peripheral,
    System,
    dma_read,
    dma_region_names,
    dma_write,
    interrupt_line,
    peripheral_request,
    watch_source,
)
from mcusim.machine.peripherals.samd51dmaregs import TCMPL, DmacRegisters

MASK32 = 0xFFFFFFFF
ENABLE = 1 << 1
# BTCTRL bits
VALID, SRCINC, DSTINC, STEPSEL = 1 << 0, 1 << 10, 1 << 11, 1 << 12
TRIGACT_BLOCK, TRIGACT_BURST, TRIGACT_TRANSACTION = 0, 2, 3
MAX_FETCHES = 0x10000


class Samd51Dmac(DmacRegisters):
    """The DMAC's transfers; its registers are :class:`DmacRegisters`'."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        irqs: Any,
        channels: Any = 32,
        triggers: Any = (),
        dma_regions: Any = (),
    ):
        _check_shape(where, channels, size_bytes, irqs)
        if not isinstance(triggers, (list, tuple)):
            raise ConfigError(f"{where}.triggers must be an array of tables")
        self.triggers: dict[int, tuple[str, int, int]] = {}
        for i, t in enumerate(triggers):
            number, *rest = _trigger(f"{where}.triggers[{i}]", t)
            self.triggers[number] = tuple(rest)
        super().__init__(name, base, size_bytes, channels)
        self.dma_regions = dma_region_names(where, dma_regions, system)
        self.system, self.where = system, where
        self.irqs = tuple(irqs)
        self.mmio: Any = None
        self.sources: dict[str, Peripheral] = {}
        self.lines = [False] * len(irqs)
        self.transfers = 0
        self.bytes_moved = 0
        self.fetches = 0

    def connect(self, mmio: Any) -> None:
        """Find the trigger peripherals and watch their writes: a write may raise a trigger."""
        self.mmio = mmio
        for peripheral, _, _ in self.triggers.values():
            watch_source(mmio, self.sources, peripheral, f"{self.where}.triggers", self._service)

    # -- hooks the registers call ----------------------------------------------------------
    def _channel_line(self, ch: int) -> int:
        return min(ch, len(self.irqs) - 1)

    def _line_high(self, line: int) -> bool:
        return any(
            self.chintflag[ch] & self.chinten[ch]
            for ch in range(self.channels)
            if self._channel_line(ch) == line
        )

    def _update_lines(self, repend: bool = False) -> None:
        """A line high before and after a write to the DMAC is made pending again (the NVIC
        samples a level interrupt when the handler returns; ASF4's handler serves one channel)."""
        for line, irq in enumerate(self.irqs):
            was = self.lines[line] and not repend
            self.lines[line] = interrupt_line(self.system, irq, was, self._line_high(line))

    def _unmodelled(self, what: str, ch: int | None = None) -> None:
        if ch is not None:
            self.chctrla[ch] &= ~ENABLE
            self.active[ch] = None
            what = f"channel {ch}: {what}"
        self.system.request_stop("fault", f"{self.name} {what}")

    # -- transfers -------------------------------------------------------------------------
    def _triggered(self, ch: int) -> bool:
        src = (self.chctrla[ch] >> 8) & 0x7F
        if src == 0:
            return False
        if src not in self.triggers:
            listed = ", ".join(f"0x{t:02x}" for t in sorted(self.triggers)) or "none"
            self._unmodelled(
                f"trigger source TRIGSRC 0x{src:02x} is not modelled (modelled: {listed})", ch
            )
            return False
        peripheral, offset, bit = self.triggers[src]
        return bool((self.sources[peripheral].read(offset, 4) >> bit) & 1)

    def _may_run(self, ch: int) -> bool:
        level = self.chprilvl[ch] & 3
        return bool(self.ctrl & ENABLE and self.ctrl >> (8 + level) & 1)

    def _service(self) -> None:
        """Give every enabled channel its triggers: a software trigger becomes the channel's
        pending trigger; a pending or active trigger runs once the controller and the
        channel's priority level are enabled."""
        self.fetches = 0
        for ch in range(self.channels):
            if not self.chctrla[ch] & ENABLE:
                continue
            if self.chevctrl[ch] & 0xC0:
                self._unmodelled("events (CHEVCTRL.EVIE/EVOE) are not modelled", ch)
                continue
            if self.swtrig >> ch & 1:
                self.swtrig &= ~(1 << ch)
                self.pend |= 1 << ch
            while True:  # a peripheral trigger still active triggers again
                if self.pend >> ch & 1:
                    if not self._may_run(ch):
                        break
                    self.pend &= ~(1 << ch)
                    self._serve(ch)
                elif self._triggered(ch):
                    if not self._may_run(ch):
                        self.pend |= 1 << ch
                        break
                    self._serve(ch)
                else:
                    break
                if not self.chctrla[ch] & ENABLE:
                    break
        self._update_lines()

    def _serve(self, ch: int) -> None:
        """One trigger: a burst, a block or the whole transaction (TRIGACT); a peripheral's
        trigger is served again by the caller while it stays active."""
        action = (self.chctrla[ch] >> 20) & 3
        if action == 1:
            self._unmodelled("TRIGACT 1 is reserved", ch)
            return
        while True:
            if self.active[ch] is None and not self._fetch(ch, self.baseaddr + 16 * ch):
                return
            btctrl, btcnt, src, dst, nxt, done = self.active[ch]
            beats = btcnt - done
            if action == TRIGACT_BURST:
                beats = min(beats, ((self.chctrla[ch] >> 24) & 0xF) + 1)
            if not self._move(ch, btctrl, btcnt, src, dst, done, beats):
                return
            done += beats
            self.active[ch] = (btctrl, btcnt, src, dst, nxt, done)
            if done < btcnt:  # the rest of the block waits for the next trigger
                self._write_back(ch, btctrl, btcnt - done, src, dst, nxt)
                return
            self._write_back(ch, btctrl & ~VALID, 0, src, dst, nxt)
            if (btctrl >> 3) & 1 or not nxt:  # BLOCKACT INT, or the transaction's end
                self.chintflag[ch] |= TCMPL
            self.active[ch] = None
            if not nxt:
                self.chctrla[ch] &= ~ENABLE
                return
            if not self._fetch(ch, nxt):
                return
            if action != TRIGACT_TRANSACTION:
                return

    def _fetch(self, ch: int, address: int) -> bool:
        """Fetch a descriptor into the channel and its write-back entry; False: stopped."""
        self.fetches += 1
        if self.fetches > MAX_FETCHES:
            self._unmodelled(
                f"more than {MAX_FETCHES} descriptors at once: a linked list looping back (a "
                "transaction with no end) is not modelled", ch,
            )  # fmt: skip
            return False
        try:
            raw = self.system.read_memory(address, 16)
        except LookupError as e:
            self._unmodelled(f"descriptor fetch at 0x{address:08x}: {e}", ch)
            return False
        btctrl = int.from_bytes(raw[0:2], "little")
        btcnt = int.from_bytes(raw[2:4], "little")
        src, dst, nxt = (int.from_bytes(raw[i : i + 4], "little") for i in (4, 8, 12))
        problem = _descriptor_problem(btctrl, btcnt, self.chevctrl[ch])
        if problem:
            self._unmodelled(f"{problem} (descriptor at 0x{address:08x})", ch)
            return False
        self.active[ch] = (btctrl, btcnt, src, dst, nxt, 0)
        return self._write_back(ch, btctrl, btcnt, src, dst, nxt)

    def _write_back(self, ch: int, btctrl: int, btcnt: int, src: int, dst: int, nxt: int) -> bool:
        at = self.wrbaddr + 16 * ch
        data = b"".join(
            (btctrl.to_bytes(2, "little"), btcnt.to_bytes(2, "little"), src.to_bytes(4, "little"),
             dst.to_bytes(4, "little"), nxt.to_bytes(4, "little"))
        )  # fmt: skip
        region = self.mmio.target.region_at(at, 16) if self.mmio else None
        if region is None or "w" not in region.access:
            self._unmodelled(f"write-back to 0x{at:08x} (WRBADDR): not writable memory", ch)
            return False
        self.mmio.cpu.write(at, data)
        return True

    def _move(
        self, ch: int, btctrl: int, btcnt: int, src: int, dst: int, done: int, beats: int
    ) -> bool:
        """Move ``beats`` beats of the block from beat ``done`` on; False: the run stops."""
        size = 1 << ((btctrl >> 8) & 3)
        step = size << ((btctrl >> 13) & 7)
        src_step = (step if btctrl & STEPSEL else size) if btctrl & SRCINC else 0
        dst_step = (size if btctrl & STEPSEL else step) if btctrl & DSTINC else 0
        src0 = (src - btcnt * src_step + done * src_step) & MASK32
        dst0 = (dst - btcnt * dst_step + done * dst_step) & MASK32
        items = []
        for i in range(beats):
            data, why = dma_read(
                self.system, self.mmio, self.dma_regions, src0 + i * src_step, size
            )
            if why:
                self._unmodelled(why, ch)
                return False
            items.append(data)
        for i, data in enumerate(items):
            if not self._write_beat(ch, (dst0 + i * dst_step) & MASK32, size, data):
                return False
        self.transfers += 1
        self.bytes_moved += beats * size
        return True

    def _write_beat(self, ch: int, at: int, size: int, data: bytes) -> bool:
        why = dma_write(self, self.mmio, at, 0, size, [data])
        if why:
            self._unmodelled(why, ch)
            return False
        return True


def _check_shape(where: str, channels: Any, size_bytes: int, irqs: Any) -> None:
    if isinstance(channels, bool) or not isinstance(channels, int) or not 1 <= channels <= 32:
        raise ConfigError(f"{where}.channels must be the number of DMA channels (1-32)")
    if size_bytes < 0x40 + 0x10 * channels:
        raise ConfigError(f"{where}.size_bytes must hold the {channels} channels' registers")
    if (
        not isinstance(irqs, list)
        or not 1 <= len(irqs) <= channels
        or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in irqs)
    ):
        raise ConfigError(
            f"{where}.irqs must list the IRQ numbers of channel 0, 1, ...; the last one is "
            "shared by the channels after it"
        )


def _descriptor_problem(btctrl: int, btcnt: int, chevctrl: int) -> str | None:
    """Why a fetched descriptor cannot run here (None: it can)."""
    if not btctrl & VALID:
        return "a descriptor with BTCTRL.VALID 0 (the fetch error, CHSTATUS.FERR) is not modelled"
    if (btctrl >> 8) & 3 == 3:
        return "BTCTRL.BEATSIZE 3 is reserved"
    if (btctrl >> 3) & 3 >= 2:
        return "channel suspend (BTCTRL.BLOCKACT SUSPEND/BOTH) is not modelled"
    if btcnt == 0:
        return "a block of BTCNT 0 is not modelled"
    if (btctrl >> 1) & 3 and chevctrl & 0x80:
        return "event output (BTCTRL.EVOSEL with CHEVCTRL.EVOE) is not modelled"
    return None


def _trigger(where: str, t: Any) -> tuple[int, str, int, int]:
    """``{trigsrc, peripheral, ready = {offset, bit}}``: the peripheral's trigger is number
    ``trigsrc`` and is active while that bit of its register is set."""
    return peripheral_request(
        where, t, {"trigsrc": range(1, 0x80)}, "ready",
        "{trigsrc (1-127), peripheral, ready = {offset, bit}}: the peripheral's DMA trigger is "
        "that TRIGSRC while that bit of its register is set",
    )  # fmt: skip
