"""The EFM32 (Series 0) DMA controller, an Arm PL230 µDMA: channels moving data between memory
and a peripheral's register, or memory to memory, as their channel control data structures in
RAM describe (L3).

Register map from the EFM32WG reference manual §'DMA - DMA Controller' (register map; offsets,
bits and reset values as in Silicon Labs' efm32wg_dma.h): STATUS 0x000 (EN 0, STATE 7:4, CHNUM
20:16), CONFIG 0x004 (EN 0, CHPROT 5; write-only), CTRLBASE 0x008, ALTCTRLBASE 0x00C (read-only),
CHWAITSTATUS 0x010, CHSWREQ 0x014, then the set/clear pairs CHUSEBURSTS/C 0x018/0x01C,
CHREQMASKS/C 0x020/0x024, CHENS/C 0x028/0x02C, CHALTS/C 0x030/0x034, CHPRIS/C 0x038/0x03C (a set
register reads the channels' bits; the clear registers and CHSWREQ are write-only), ERRORC
0x04C, CHREQSTATUS 0xE10, CHSREQSTATUS 0xE18, IF 0x1000 (channel x's DONE at bit x, ERR bit 31),
IFS 0x1004, IFC 0x1008, IEN 0x100C, CTRL 0x1010 (DESCRECT 0, PRDU 1), RDS 0x1014, LOOP0 0x1020,
LOOP1 0x1024 (WIDTH 9:0, EN 16), RECT0 0x1060 and per channel x CHx_CTRL at 0x1100 + 4x
(SIGSEL 3:0, SOURCESEL 21:16).

The channel control data structure (PL230 TRM, DDI 0417, §'Channel control data structure';
the RM's §'Channel control data structure'): 16 bytes per channel at CTRLBASE + 16x (primary)
or ALTCTRLBASE + 16x (alternate, chosen by CHALTS): SRC_DATA_END, DST_DATA_END, CTRL (cycle_ctrl
2:0, next_useburst 3, n_minus_1 13:4, R_power 17:14, src_prot 20:18, dst_prot 23:21, src_size
25:24, src_inc 27:26, dst_size 29:28, dst_inc 31:30; an increment of 3 is none), and a word the
controller leaves alone. Item i of N = n_minus_1 + 1 is at END - (N - 1 - i) * 2^inc.

Which peripheral signal is which SOURCESEL/SIGSEL pair is data in the target TOML
(``requests``), with the bit of that peripheral's register that is the request (UART0's
STATUS.TXBL). A channel serves a request once CONFIG.EN is set and its CHENS bit too: a
software request (CHSWREQ) or, unless CHREQMASKS masks it, its selected peripheral signal. An
auto-request cycle (cycle_ctrl 2) or a basic one (1) whose peripheral request stays active moves
all N items at once; a basic cycle on a software request moves 2^R_power of them (the PL230's
arbitration batch) and the next request the rest. Items are read from memory and written through
the destination peripheral's model (a console UART prints them) or to RAM. At the end of the
cycle the controller writes CTRL back with cycle_ctrl 0 (stop) and n_minus_1 0, clears the
channel's CHENS bit, sets IF.DONEx and the DMA IRQ is made pending when IF & IEN becomes non-zero;
a partial cycle writes back n_minus_1 = items left - 1. The transfer takes no simulated time, as
the register-level ``uart`` model's transmission does. Not modelled, each stopping the run with a
message naming the channel: cycle_ctrl 0 on a request, ping-pong and scatter-gather cycles,
the EFM32 loop (LOOP0/1) and 2D copy (CTRL.DESCRECT, RECT0) extensions, RDS, burst-only channels
on a peripheral request, requests not in the target, reading a peripheral, bus errors (ERR),
a control block not 256-byte aligned.
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

MASK32 = 0xFFFFFFFF
STATUS, CONFIG, CTRLBASE, ALTCTRLBASE, CHWAITSTATUS, CHSWREQ = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x14
# (set register, its clear register) pairs
PAIRS = {
    0x018: "CHUSEBURST", 0x020: "CHREQMASK", 0x028: "CHEN", 0x030: "CHALT", 0x038: "CHPRI",
}  # fmt: skip
ERRORC, CHREQSTATUS, CHSREQSTATUS = 0x04C, 0xE10, 0xE18
IF, IFS, IFC, IEN, CTRL, RDS, LOOP0, LOOP1, RECT0 = (
    0x1000, 0x1004, 0x1008, 0x100C, 0x1010, 0x1014, 0x1020, 0x1024, 0x1060,
)  # fmt: skip
CH0_CTRL = 0x1100
NAMES = {
    STATUS: "STATUS", CONFIG: "CONFIG", CTRLBASE: "CTRLBASE", ALTCTRLBASE: "ALTCTRLBASE",
    CHWAITSTATUS: "CHWAITSTATUS", CHSWREQ: "CHSWREQ", ERRORC: "ERRORC",
    CHREQSTATUS: "CHREQSTATUS", CHSREQSTATUS: "CHSREQSTATUS", IF: "IF", IFS: "IFS", IFC: "IFC",
    IEN: "IEN", CTRL: "CTRL", RDS: "RDS", LOOP0: "LOOP0", LOOP1: "LOOP1", RECT0: "RECT0",
    **{o: f"{n}S" for o, n in PAIRS.items()}, **{o + 4: f"{n}C" for o, n in PAIRS.items()},
}  # fmt: skip
# read 0: write-only (CONFIG, CHSWREQ, the clear registers, IFS, IFC)
WRITE_ONLY = (CONFIG, CHSWREQ, IFS, IFC, *(o + 4 for o in PAIRS))
CONFIG_EN, CONFIG_BITS = 1 << 0, 0x21
STATUS_FIXED = 0x10000000  # bits 31:28 as in the reset value 0x100B0000 (verify their meaning)
IF_ERR = 1 << 31
CH_CTRL_BITS = 0x003F000F
LOOP_EN, LOOP_BITS = 1 << 16, 0x000103FF
DESCRECT = 1 << 0
# cycle_ctrl values (PL230 TRM table 'DMA cycle types')
STOP, BASIC, AUTO = 0, 1, 2
CYCLE_NAMES = {
    3: "ping-pong", 4: "memory scatter-gather (primary)", 5: "memory scatter-gather (alternate)",
    6: "peripheral scatter-gather (primary)", 7: "peripheral scatter-gather (alternate)",
}  # fmt: skip
N_MINUS_1 = 0x3FF << 4


class _Pl230Cycles(Peripheral):
    """The transfers: a channel's DMA cycle as its control data structure describes it."""

    system: System
    mmio: Any
    channels: int
    ctrlbase: int
    regs: dict[int, int]
    swreq: int
    dma_regions: tuple[str, ...]

    def _stop(self, ch: int, what: str) -> None:
        """Stop the run; the channel is disabled and its request dropped."""
        self.regs[0x028] &= ~(1 << ch)
        self.swreq &= ~(1 << ch)
        self.system.request_stop("fault", f"{self.name} channel {ch}: {what}")

    def _cycle(self, ch: int, hw: bool) -> None:
        """Serve one request of channel ``ch`` (``hw``: its peripheral's, still active)."""
        bit = 1 << ch
        problem = self._unmodelled(ch, hw)
        if problem:
            self._stop(ch, problem)
            return
        alt = self.regs[0x030] & bit
        at = (self.alt_base() if alt else self.ctrlbase) + 16 * ch
        try:
            words = self.system.read_memory(at, 12)
        except LookupError as e:
            self._stop(ch, f"reading its control data structure: {e}")
            return
        src_end, dst_end, ctrl = (int.from_bytes(words[i : i + 4], "little") for i in (0, 4, 8))
        problem = _descriptor_problem(ctrl)
        if problem:
            self._stop(ch, f"{'alternate' if alt else 'primary'} descriptor: {problem}")
            return
        size = 1 << ((ctrl >> 24) & 3)
        src_inc, dst_inc = (ctrl >> 26) & 3, (ctrl >> 30) & 3
        src_step = 0 if src_inc == 3 else 1 << src_inc
        dst_step = 0 if dst_inc == 3 else 1 << dst_inc
        n = ((ctrl >> 4) & 0x3FF) + 1
        batch = 1 << min((ctrl >> 14) & 0xF, 10)
        count = n if ctrl & 7 == AUTO or hw else min(batch, n)
        # the end pointers stay as written; n_minus_1 counts down, so the first item left is
        # n_minus_1 items before the end
        src = (src_end - src_step * (n - 1)) & MASK32
        dst = (dst_end - dst_step * (n - 1)) & MASK32
        if not self._move(ch, src, src_step, dst, dst_step, size, count):
            return
        left = n - count
        if left:
            ctrl = (ctrl & ~N_MINUS_1) | ((left - 1) << 4)
        else:
            ctrl &= ~(N_MINUS_1 | 7)  # cycle_ctrl 'stop', n_minus_1 0
        region = self.mmio.target.region_at(at + 8, 4)
        if region is None or "w" not in region.access:
            self._stop(ch, f"its control data structure at 0x{at:08x} is not in writable memory")
            return
        self.mmio.cpu.write(at + 8, ctrl.to_bytes(4, "little"))
        self.swreq &= ~bit
        if not left:
            self.regs[0x028] &= ~bit  # CHENS: the controller disables the channel
            self.regs[IF] |= bit  # DONE
        self.transfers += 1
        self.bytes_moved += count * size

    def _move(
        self, ch: int, src: int, src_step: int, dst: int, dst_step: int, size: int, count: int
    ) -> bool:
        """Move ``count`` items of ``size`` bytes; False, with the run stopped, when a side is
        not memory or a modelled peripheral the DMA reaches."""
        span = src_step * (count - 1) + size
        data, why = dma_read(self.system, self.mmio, self.dma_regions, src, span)
        if why:
            self._stop(ch, why)
            return False
        items = [data[i * src_step : i * src_step + size] for i in range(count)]
        why = dma_write(self, self.mmio, dst, dst_step, size, items,
                        system=self.system, regions=self.dma_regions)  # fmt: skip
        if why:
            self._stop(ch, why)
            return False
        return True

    def alt_base(self) -> int:
        """ALTCTRLBASE: the primary structures of all channels, rounded up to a power of two
        (12 channels: 0x100, the header's reset value of ALTCTRLBASE), after CTRLBASE."""
        return (self.ctrlbase + 16 * (1 << (self.channels - 1).bit_length())) & MASK32

    def _unmodelled(self, ch: int, hw: bool) -> str | None:
        regs, bit = self.regs, 1 << ch
        if self.ctrlbase & 0xFF:
            return (
                f"CTRLBASE 0x{self.ctrlbase:08x} is not 256-byte aligned (emlib's DMA_Init "
                "requires it; what the controller does then is not modelled)"
            )
        if ch < 2 and regs[(LOOP0, LOOP1)[ch]] & LOOP_EN:
            return f"the loop mode (LOOP{ch}.EN) is not modelled"
        if ch == 0 and regs[CTRL] & DESCRECT:
            return "2D copy (CTRL.DESCRECT, RECT0) is not modelled"
        if regs[RDS] & bit:
            return "retained descriptor state (RDS) is not modelled"
        if hw and regs[0x018] & bit:
            return "burst-only requests (CHUSEBURSTS) from a peripheral are not modelled"
        return None


def _descriptor_problem(ctrl: int) -> str | None:
    """Why a channel_cfg word cannot run here (None: it can)."""
    cycle = ctrl & 7
    if cycle == STOP:
        return "cycle_ctrl 0 (stop) read on a request is not modelled"
    if cycle in CYCLE_NAMES:
        return f"cycle_ctrl {cycle}, the {CYCLE_NAMES[cycle]} cycle, is not modelled"
    src_size, dst_size = (ctrl >> 24) & 3, (ctrl >> 28) & 3
    if src_size == 3 or dst_size != src_size:
        return f"src_size {src_size} / dst_size {dst_size}: one size of 1, 2 or 4 bytes is needed"
    for side, inc in (("src_inc", (ctrl >> 26) & 3), ("dst_inc", (ctrl >> 30) & 3)):
        if inc != 3 and inc < src_size:
            return f"{side} {inc} is smaller than the data size ({src_size})"
    return None


def _request(where: str, r: Any) -> tuple[int, int, str, int, int]:
    """``{sourcesel, sigsel, peripheral, signal = {offset, bit}}``: the CHx_CTRL selection of a
    peripheral's signal, active while that bit of its register is set."""
    return peripheral_request(
        where, r, {"sourcesel": range(1, 64), "sigsel": range(16)}, "signal",
        "{sourcesel (1-63), sigsel (0-15), peripheral, signal = {offset, bit}}: the CHx_CTRL "
        "selection of a peripheral signal, active while that bit is set",
    )  # fmt: skip


class Efm32Dma(_Pl230Cycles):
    """The EFM32 DMA controller's registers, as far as the module docstring says."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        irq: Any,
        channels: Any = 12,
        requests: Any = (),
        dma_regions: Any = (),
    ):
        super().__init__(name, base, size_bytes)
        if isinstance(irq, bool) or not isinstance(irq, int) or irq < 0:
            raise ConfigError(f"{where}.irq must be the DMA interrupt's IRQ number")
        if isinstance(channels, bool) or not isinstance(channels, int) or not 1 <= channels <= 16:
            raise ConfigError(f"{where}.channels must be the number of channels, 1-16")
        if size_bytes < CH0_CTRL + 4 * channels:
            raise ConfigError(f"{where}.size_bytes must reach the CHx_CTRL registers")
        if not isinstance(requests, (list, tuple)):
            raise ConfigError(f"{where}.requests must be an array of tables")
        self.requests = [_request(f"{where}.requests[{i}]", r) for i, r in enumerate(requests)]
        self.dma_regions = dma_region_names(where, dma_regions, system)
        self.system, self.where, self.irq, self.channels = system, where, irq, channels
        self.mmio: Any = None
        self.sources: dict[str, Peripheral] = {}
        self.all = (1 << channels) - 1
        self.ctrlbase = 0
        self.swreq = 0
        # the registers that hold state, by offset (the set registers hold the channels' bits)
        self.regs = {o: 0 for o in (CONFIG, *PAIRS, ERRORC, IF, IEN, CTRL, RDS, LOOP0, LOOP1)}
        self.regs[RECT0] = 0
        self.ch_ctrl = [0] * channels
        self.line = False
        self.transfers = 0
        self.bytes_moved = 0

    def connect(self, mmio: Any) -> None:
        """Find the requesting peripherals and watch their writes: a write there may raise a
        request an enabled channel waits for."""
        self.mmio = mmio
        for _, _, peripheral, _, _ in self.requests:
            watch_source(mmio, self.sources, peripheral, f"{self.where}.requests", self._service)

    # -- registers -------------------------------------------------------------------------
    def claims(self, offset: int) -> bool:
        word = offset & ~3
        return word in NAMES or CH0_CTRL <= word < CH0_CTRL + 4 * self.channels

    def register_name(self, offset: int) -> str | None:
        word = offset & ~3
        if CH0_CTRL <= word < CH0_CTRL + 4 * self.channels:
            return f"CH{(word - CH0_CTRL) // 4}_CTRL"
        return NAMES.get(word)

    def read(self, offset: int, size: int) -> int:
        return (self._read_word(offset & ~3) >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def _read_word(self, word: int) -> int:
        if word in WRITE_ONLY:
            return 0
        if word == STATUS:
            return STATUS_FIXED | ((self.channels - 1) << 16) | (self.regs[CONFIG] & CONFIG_EN)
        if word == CTRLBASE:
            return self.ctrlbase
        if word == ALTCTRLBASE:
            return self.alt_base()
        if word == CHWAITSTATUS:
            return self.all  # every channel waits on its request (reset value 0xFFF)
        if word in (CHREQSTATUS, CHSREQSTATUS):
            return sum(1 << ch for ch in range(self.channels) if self._requested(ch))
        if CH0_CTRL <= word < CH0_CTRL + 4 * self.channels:
            return self.ch_ctrl[(word - CH0_CTRL) // 4]
        return self.regs.get(word, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        word = offset & ~3
        if size != 4:  # a byte or halfword write changes only its bytes
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            old = 0 if word in WRITE_ONLY or word == ERRORC else self._read_word(word)
            value = (old & ~mask) | ((value << shift) & mask)
        self._write_word(word, value & MASK32)
        self._service()

    def _write_word(self, word: int, value: int) -> None:
        regs, chans = self.regs, value & self.all
        if word in PAIRS:
            regs[word] |= chans
        elif word - 4 in PAIRS:
            regs[word - 4] &= ~chans
        elif word == CONFIG:
            regs[CONFIG] = value & CONFIG_BITS
        elif word == CTRLBASE:
            self.ctrlbase = value
        elif word == CHSWREQ:
            self.swreq |= chans
        elif word == ERRORC:
            regs[ERRORC] &= ~value & 1  # write 1 to clear
        elif word in (IFS, IFC):
            flags = value & (self.all | IF_ERR)
            regs[IF] = regs[IF] | flags if word == IFS else regs[IF] & ~flags
        elif word == IEN:
            regs[IEN] = value & (self.all | IF_ERR)
        elif word == CTRL:
            regs[CTRL] = value & 3
        elif word == RDS:
            regs[RDS] = chans
        elif word in (LOOP0, LOOP1):
            regs[word] = value & LOOP_BITS
        elif word == RECT0:
            regs[RECT0] = value
        elif CH0_CTRL <= word < CH0_CTRL + 4 * self.channels:
            self.ch_ctrl[(word - CH0_CTRL) // 4] = value & CH_CTRL_BITS
        # STATUS, ALTCTRLBASE, CHWAITSTATUS, CHREQSTATUS, CHSREQSTATUS and IF are read-only

    # -- requests --------------------------------------------------------------------------
    def _selected(self, ch: int) -> tuple[int, int]:
        sel = self.ch_ctrl[ch]
        return (sel >> 16) & 0x3F, sel & 0xF

    def _requested(self, ch: int) -> bool:
        """Whether the peripheral signal channel ``ch`` selects is active."""
        source, signal = self._selected(ch)
        for sourcesel, sigsel, peripheral, offset, bit in self.requests:
            if (sourcesel, sigsel) == (source, signal):
                return bool((self.sources[peripheral].read(offset, 4) >> bit) & 1)
        return False

    def _known(self, ch: int) -> bool:
        source, signal = self._selected(ch)
        return source == 0 or any((r[0], r[1]) == (source, signal) for r in self.requests)

    def _service(self) -> None:
        """Serve every enabled channel with a request, high-priority channels (CHPRIS) first,
        then by number (the PL230's fixed priority)."""
        if self.regs[CONFIG] & CONFIG_EN:
            pri = self.regs[0x038]
            for ch in sorted(range(self.channels), key=lambda c: (not pri >> c & 1, c)):
                bit = 1 << ch
                if not self.regs[0x028] & bit:
                    continue
                masked = self.regs[0x020] & bit
                if not masked and not self._known(ch):
                    source, signal = self._selected(ch)
                    self._stop(ch, f"requests from SOURCESEL 0x{source:02x} SIGSEL {signal} are "
                               f"not modelled (not in {self.where}.requests)")  # fmt: skip
                    continue
                hw = not masked and self._requested(ch)
                if hw or self.swreq & bit:
                    self._cycle(ch, hw)
        self._update_line()

    def _update_line(self) -> None:
        """The DMA interrupt is high while IF & IEN is not 0; going high makes it pending."""
        high = bool(self.regs[IF] & self.regs[IEN])
        self.line = interrupt_line(self.system, self.irq, self.line, high)
