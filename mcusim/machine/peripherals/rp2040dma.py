"""The RP2040 DMA controller: channels moving data from memory to a UART's transmit register,
paced by its transmit request (DREQ), or from memory to memory (L3).

Register layout and bits from RP2040 Datasheet §2.5 (§2.5.7 list of registers): per channel n
at 0x40 * n READ_ADDR 0x00, WRITE_ADDR 0x04, TRANS_COUNT 0x08, CTRL_TRIG 0x0C and the aliases
AL1 (CTRL 0x10, READ_ADDR 0x14, WRITE_ADDR 0x18, TRANS_COUNT_TRIG 0x1C), AL2 (CTRL 0x20,
TRANS_COUNT 0x24, READ_ADDR 0x28, WRITE_ADDR_TRIG 0x2C) and AL3 (CTRL 0x30, WRITE_ADDR 0x34,
TRANS_COUNT 0x38, READ_ADDR_TRIG 0x3C): the last register of each group of four is a trigger.
INTR 0x400, INTE0 0x404, INTF0 0x408, INTS0 0x40C, INTE1 0x414, INTF1 0x418, INTS1 0x41C,
TIMER0-3 0x420-0x42C, MULTI_CHAN_TRIGGER 0x430, SNIFF_CTRL 0x434, SNIFF_DATA 0x438,
FIFO_LEVELS 0x440, CHAN_ABORT 0x444, N_CHANNELS 0x448. CTRL bits (§2.5.7 CH0_CTRL_TRIG): EN 0,
HIGH_PRIORITY 1, DATA_SIZE 3:2, INCR_READ 4, INCR_WRITE 5, RING_SIZE 9:6, RING_SEL 10,
CHAIN_TO 14:11, TREQ_SEL 20:15 (0x3f: permanent request), IRQ_QUIET 21, BSWAP 22, SNIFF_EN 23,
BUSY 24, WRITE_ERROR 29, READ_ERROR 30, AHB_ERROR 31. TRANS_COUNT written is the reload value,
copied to the live counter a read shows each time the channel is triggered (§2.5.2.2).

Which DREQ number is which peripheral's request (§2.5.3.1 DREQ table: DREQ_UART0_TX = 20) is
data in the target TOML (``dreqs``): the peripheral and the bit that lets it ask (the PL011's
UARTDMACR.TXDMAE, §4.2). A triggered channel with EN set becomes BUSY and, once its request is
active, moves TRANS_COUNT items at once: reads from memory, writes through the model of the
peripheral at WRITE_ADDR (a console UART prints them) or to RAM. BUSY then clears, TRANS_COUNT
reads 0, READ_ADDR/WRITE_ADDR have advanced, and the channel's INTR bit is set (unless
IRQ_QUIET); DMA_IRQ_0/1 is made pending when its INTS line goes high. The transfer takes no
simulated time, as the register-level ``uart`` model's transmission does. Not modelled, each
stopping the run with a message naming the channel: chaining (CHAIN_TO other than the channel
itself), address wrapping (RING_SIZE), the sniffer, pacing timers and DREQs not listed in the
target, reading a peripheral, writing the DMA's own registers (control blocks), a null
trigger with IRQ_QUIET, bus errors. A trigger with TRANS_COUNT 0 completes at once and sets
the INTR bit (verify: the datasheet does not say so in as many words).
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import (
    Peripheral,
    System,
    dma_read,
    dma_write,
    interrupt_line,
    peripheral_request,
    watch_source,
)

MASK32 = 0xFFFFFFFF
CHANNELS, CHANNEL_SPAN = 12, 0x40
ALIAS_SPAN = 0x1000
INTR, INTE0, INTF0, INTS0 = 0x400, 0x404, 0x408, 0x40C
INTE1, INTF1, INTS1 = 0x414, 0x418, 0x41C
TIMER0, MULTI_CHAN_TRIGGER, SNIFF_CTRL, SNIFF_DATA = 0x420, 0x430, 0x434, 0x438
FIFO_LEVELS, CHAN_ABORT, N_CHANNELS = 0x440, 0x444, 0x448
# CTRL bits (§2.5.7)
EN, INCR_READ, INCR_WRITE, RING_SEL = 1 << 0, 1 << 4, 1 << 5, 1 << 10
IRQ_QUIET, BSWAP, SNIFF_EN, BUSY = 1 << 21, 1 << 22, 1 << 23, 1 << 24
WRITE_ERROR, READ_ERROR, AHB_ERROR = 1 << 29, 1 << 30, 1 << 31
CTRL_WRITABLE = 0x00FFFFFF  # BUSY and the error flags are the hardware's
PERMANENT = 0x3F
# in each group of four: which register each word is (R, W, C: READ_ADDR, WRITE_ADDR, TRANS_COUNT,
# T: CTRL); the fourth is the group's trigger (§2.5.2.1)
GROUPS = ("RWCT", "TRWC", "TCRW", "TWCR")
REG_NAMES = {"R": "READ_ADDR", "W": "WRITE_ADDR", "C": "TRANS_COUNT", "T": "CTRL"}
GLOBAL_NAMES = {
    INTR: "INTR", INTE0: "INTE0", INTF0: "INTF0", INTS0: "INTS0", INTE1: "INTE1",
    INTF1: "INTF1", INTS1: "INTS1", MULTI_CHAN_TRIGGER: "MULTI_CHAN_TRIGGER",
    SNIFF_CTRL: "SNIFF_CTRL", SNIFF_DATA: "SNIFF_DATA", FIFO_LEVELS: "FIFO_LEVELS",
    CHAN_ABORT: "CHAN_ABORT", N_CHANNELS: "N_CHANNELS",
}  # fmt: skip
# write-1 registers an atomic alias write is taken as a plain write of (as the timer's INTR)
PLAIN_ON_ALIAS = (INTR, INTS0, INTS1, MULTI_CHAN_TRIGGER, CHAN_ABORT)


class Rp2040Dma(Peripheral):
    """The RP2040's twelve-channel DMA controller, as far as the module docstring says."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        irqs: Any,
        dreqs: Any = (),
    ):
        super().__init__(name, base, size_bytes)
        if size_bytes != 0x4000:
            raise ConfigError(
                f"{where}.size_bytes must be 0x4000 (registers, then the XOR/set/clear aliases)"
            )
        if (
            not isinstance(irqs, list)
            or len(irqs) != 2
            or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in irqs)
        ):
            raise ConfigError(f"{where}.irqs must list the IRQ numbers of DMA_IRQ_0 and DMA_IRQ_1")
        self.irqs = tuple(irqs)
        if not isinstance(dreqs, (list, tuple)):
            raise ConfigError(f"{where}.dreqs must be an array of tables")
        self.dreqs = {}
        for i, d in enumerate(dreqs):
            number, peripheral, offset, bit = _dreq(f"{where}.dreqs[{i}]", d)
            self.dreqs[number] = (peripheral, offset, bit)
        self.system, self.where = system, where
        self.mmio: Any = None
        self.sources: dict[str, Peripheral] = {}
        self.read_addr = [0] * CHANNELS
        self.write_addr = [0] * CHANNELS
        self.reload = [0] * CHANNELS  # TRANS_COUNT as written
        self.count = [0] * CHANNELS  # the live counter a read shows
        self.ctrl = [(ch << 11) for ch in range(CHANNELS)]  # CHAIN_TO resets to the channel
        self.busy = 0  # channel bit mask
        self.intr = 0
        self.inte = [0, 0]
        self.intf = [0, 0]
        self.lines = [False, False]
        self.other: dict[int, int] = {}  # TIMER0-3, SNIFF_CTRL, SNIFF_DATA: read back
        self.transfers = 0
        self.bytes_moved = 0

    # -- wiring ----------------------------------------------------------------------------
    def connect(self, mmio: Any) -> None:
        """Find the peripherals whose requests pace channels and watch their writes: a write
        there may raise a request a busy channel waits for."""
        self.mmio = mmio
        for peripheral, _, _ in self.dreqs.values():
            watch_source(mmio, self.sources, peripheral, f"{self.where}.dreqs", self._service)

    # -- registers -------------------------------------------------------------------------
    def claims(self, offset: int) -> bool:
        """The debug registers (CHn_DBG_CTDREQ/TCR from 0x800) are not modelled."""
        return offset % ALIAS_SPAN < 0x800

    def register_name(self, offset: int) -> str | None:
        return _register_name(offset % ALIAS_SPAN & ~3)

    def read(self, offset: int, size: int) -> int:
        word = offset % ALIAS_SPAN & ~3
        return (self._read_word(word) >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def _read_word(self, word: int) -> int:
        if word < CHANNELS * CHANNEL_SPAN:
            ch, at = divmod(word, CHANNEL_SPAN)
            reg = GROUPS[at // 16][(at % 16) // 4]
            if reg == "R":
                return self.read_addr[ch]
            if reg == "W":
                return self.write_addr[ch]
            if reg == "C":
                return self.count[ch]
            return self.ctrl[ch] | (BUSY if self.busy >> ch & 1 else 0)
        if word == INTR:
            return self.intr
        if word in (INTE0, INTE1):
            return self.inte[word == INTE1]
        if word in (INTF0, INTF1):
            return self.intf[word == INTF1]
        if word in (INTS0, INTS1):
            return self._ints(word == INTS1)
        if word == N_CHANNELS:
            return CHANNELS
        if word in (MULTI_CHAN_TRIGGER, FIFO_LEVELS, CHAN_ABORT):
            return 0  # nothing in flight: every FIFO empty, every abort done
        return self.other.get(word, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        op, word = offset // ALIAS_SPAN, offset % ALIAS_SPAN & ~3
        if size != 4:  # a narrow write is replicated across the bus (§2.1.4): take its lanes
            value = (value & ((1 << (8 * size)) - 1)) * (0x01010101 if size == 1 else 0x00010001)
        value &= MASK32
        if op and word not in PLAIN_ON_ALIAS:  # atomic alias: XOR, set or clear the bits
            old = self._read_word(word) & ~BUSY
            value = (old ^ value, old | value, old & ~value)[op - 1]
        self._write_word(word, value)
        self._update_lines()

    def _write_word(self, word: int, value: int) -> None:
        if word < CHANNELS * CHANNEL_SPAN:
            ch, at = divmod(word, CHANNEL_SPAN)
            reg = GROUPS[at // 16][(at % 16) // 4]
            if reg == "R":
                self.read_addr[ch] = value
            elif reg == "W":
                self.write_addr[ch] = value
            elif reg == "C":
                self.reload[ch] = value
            else:
                errors = self.ctrl[ch] & ~value & (WRITE_ERROR | READ_ERROR)  # write 1 to clear
                self.ctrl[ch] = (value & CTRL_WRITABLE) | errors
            if at % 16 == 12:  # the group's trigger register
                self._trigger(ch, null=value == 0)
            elif reg == "T" and self.busy >> ch & 1:
                self._service()  # EN set again resumes a paused channel
            return
        if word == INTR or word in (INTS0, INTS1):
            self.intr &= ~value & 0xFFFF  # write 1 to clear
        elif word in (INTE0, INTE1):
            self.inte[word == INTE1] = value & 0xFFFF
        elif word in (INTF0, INTF1):
            self.intf[word == INTF1] = value & 0xFFFF
        elif word == MULTI_CHAN_TRIGGER:
            for ch in range(CHANNELS):
                if value >> ch & 1:
                    self._trigger(ch, null=False)
        elif word == CHAN_ABORT:  # the channels stop at once (no interrupt)
            self.busy &= ~value
        elif word == SNIFF_CTRL and value & 1:
            self.system.request_stop("fault", f"{self.name}: the sniffer is not modelled")
        elif TIMER0 <= word < TIMER0 + 16 or word in (SNIFF_CTRL, SNIFF_DATA):
            self.other[word] = value

    # -- transfers -------------------------------------------------------------------------
    def _trigger(self, ch: int, *, null: bool) -> None:
        """A write to a trigger register (or MULTI_CHAN_TRIGGER): an enabled channel becomes
        busy with the reload count; a null trigger (all-zero write) starts nothing."""
        if null:
            if self.ctrl[ch] & IRQ_QUIET:
                self._stop(ch, "a null trigger with IRQ_QUIET (its interrupt) is not modelled")
            return
        if not self.ctrl[ch] & EN:
            return  # "When 0, the channel will ignore triggers"
        self.busy |= 1 << ch
        self.count[ch] = self.reload[ch]
        self._service()

    def _requested(self, ch: int) -> bool:
        treq = (self.ctrl[ch] >> 15) & 0x3F
        if treq == PERMANENT:
            return True
        peripheral, offset, bit = self.dreqs[treq]
        return bool((self.sources[peripheral].read(offset, 4) >> bit) & 1)

    def _service(self) -> None:
        """Run every busy, enabled channel whose request is active."""
        for ch in range(CHANNELS):
            if self.busy >> ch & 1 and self.ctrl[ch] & EN:
                problem = _unmodelled(ch, self.ctrl[ch], self.dreqs)
                if problem:
                    self._stop(ch, problem)
                elif self._requested(ch):
                    self._transfer(ch)
        self._update_lines()

    def _stop(self, ch: int, what: str) -> None:
        self.busy &= ~(1 << ch)
        self.system.request_stop("fault", f"{self.name} channel {ch}: {what}")

    def _transfer(self, ch: int) -> None:
        ctrl, items = self.ctrl[ch], self.count[ch]
        size = 1 << ((ctrl >> 2) & 3)
        src, dst = self.read_addr[ch], self.write_addr[ch]
        src_step = size if ctrl & INCR_READ else 0
        dst_step = size if ctrl & INCR_WRITE else 0
        span = src_step * (items - 1) + size if items else 0
        data, why = dma_read(self.system, None, (), src, span)
        if why:
            self._stop(ch, f"{why} (reading a peripheral is not modelled)")
            return
        if not src_step and items:
            data = data * items
        if items and not self._write(ch, dst, dst_step, size, data, items):
            return
        self.read_addr[ch] = (src + src_step * items) & MASK32
        self.write_addr[ch] = (dst + dst_step * items) & MASK32
        self.count[ch] = 0
        self.busy &= ~(1 << ch)
        if not ctrl & IRQ_QUIET:
            self.intr |= 1 << ch
        self.transfers += 1
        self.bytes_moved += items * size

    def _write(self, ch: int, dst: int, step: int, size: int, data: bytes, items: int) -> bool:
        """Write ``items`` items to RAM or through a peripheral's model; False: the run stops."""
        swap = self.ctrl[ch] & BSWAP
        chunks = [data[i * size : (i + 1) * size] for i in range(items)]
        if swap:
            chunks = [c[::-1] for c in chunks]
        why = dma_write(self, self.mmio, dst, step, size, chunks)
        if why:
            self._stop(ch, why)
            return False
        return True

    def _ints(self, line: int) -> int:
        return (self.intr | self.intf[line]) & self.inte[line]

    def _update_lines(self) -> None:
        """DMA_IRQ_0/1 is high while INTS0/1 is not 0; going high makes its IRQ pending."""
        for line in (0, 1):
            high = bool(self._ints(line))
            self.lines[line] = interrupt_line(self.system, self.irqs[line], self.lines[line], high)


def _register_name(word: int) -> str | None:
    if word < CHANNELS * CHANNEL_SPAN:
        ch, at = divmod(word, CHANNEL_SPAN)
        group, index = divmod(at, 16)
        reg = REG_NAMES[GROUPS[group][index // 4]]
        prefix = f"AL{group}_" if group else ""
        trig = "_TRIG" if index == 12 else ""
        return f"CH{ch}_{prefix}{reg}{trig}"
    if TIMER0 <= word < TIMER0 + 16:
        return f"TIMER{(word - TIMER0) // 4}"
    return GLOBAL_NAMES.get(word)


def _unmodelled(ch: int, ctrl: int, dreqs: dict) -> str | None:
    """Why channel ``ch`` with CTRL ``ctrl`` cannot run here (None: it can)."""
    treq = (ctrl >> 15) & 0x3F
    if treq != PERMANENT and treq not in dreqs:
        what = f"timer {treq - 0x3B}" if treq >= 0x3B else f"DREQ {treq}"
        return f"pacing by {what} is not modelled (TREQ_SEL 0x{treq:02x})"
    if (ctrl >> 11) & 0xF != ch:
        return f"chaining to channel {(ctrl >> 11) & 0xF} is not modelled"
    if (ctrl >> 6) & 0xF:
        return "address wrapping (RING_SIZE) is not modelled"
    if ctrl & SNIFF_EN:
        return "the sniffer (SNIFF_EN) is not modelled"
    if (ctrl >> 2) & 3 == 3:
        return "DATA_SIZE 3 is reserved"
    return None


def _dreq(where: str, d: Any) -> tuple[int, str, int, int]:
    """``{dreq, peripheral, enable = {offset, bit}}``: that peripheral's request is DREQ
    number ``dreq`` and is active while the bit of its register at ``offset`` is set."""
    return peripheral_request(
        where, d, {"dreq": range(0x3B)}, "enable",
        "{dreq (0-58), peripheral, enable = {offset, bit}}: the peripheral's request is that "
        "DREQ while that bit of its register is set",
    )  # fmt: skip
