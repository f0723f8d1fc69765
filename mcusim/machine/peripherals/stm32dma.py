"""The STM32 DMA controllers: moving data from memory to a peripheral's data register on that
peripheral's request (L3). ``Stm32Dma``: the STM32F4's, with eight streams; ``Stm32DmaChannels``:
the channel-style one of the STM32F1 and STM32L4+ (``stm32dmach``), optionally
fed by a DMAMUX. Both share the move itself, the memory check and the interrupt lines.

Register layout and bits from RM0090 §10.5 (DMA registers; §10.5.11 register map): the
interrupt status registers LISR/HISR (streams 0-3 / 4-7, six bits per stream: FEIF 0, DMEIF 2,
TEIF 3, HTIF 4, TCIF 5, at bit 0, 6, 16, 22 of the register), their clear registers LIFCR/HIFCR
(write 1 to clear), and per stream x at 0x10 + 0x18 * x: SxCR (EN 0, DMEIE 1, TEIE 2, HTIE 3,
TCIE 4, DIR 7:6, CIRC 8, PINC 9, MINC 10, PSIZE 12:11, MSIZE 14:13, PINCOS 15, DBM 18,
CHSEL 27:25), SxNDTR, SxPAR, SxM0AR, SxM1AR and SxFCR (DMDIS 2, FEIE 7; reset 0x21).

Which peripheral requests which stream and channel (RM0090 §10.3.3, tables 42/43) is data in the
target TOML (``requests``): the peripheral and the bit that makes it ask (USART CR3.DMAT). A
stream whose EN bit is set transfers once its channel's request is active: ``NDTR`` items from
``M0AR`` (incrementing with MINC) are written, at once, to the register at ``PAR`` through that
peripheral's model (a console UART prints them); NDTR then reads 0, EN is cleared by the
hardware, HTIF and TCIF are set and the stream's interrupt is made pending while one of its
flags is set with its enable bit. The transfer takes no simulated time, as the register-level
``uart`` model's transmission does. Not modelled: peripheral-to-memory and memory-to-memory
transfers, circular and double-buffer modes, FIFO packing between different widths, bus
contention; each stops the run with a message rather than doing nothing silently.

The channel-style controller (RM0008 §13 for the STM32F1, RM0432 §11 and §12 for the STM32L4+
DMA and DMAMUX) moves data the same way; its differences: four flags per channel in ISR/IFCR
(GIF, TCIF, HTIF, TEIF; CGIF clears all four), CCRx/CNDTRx/CPARx/CMARx per channel, the request
either fixed per channel or chosen by the DMAMUX, EN left set after the transfer (CNDTR = 0
serves no more requests), and a channel line still high after a write to the controller made
pending again (a level interrupt, re-sampled by the NVIC when the handler returns). Not
modelled: memory-to-memory and peripheral-to-memory transfers, circular mode, differing PSIZE
and MSIZE, channel priorities, DMAMUX synchronisation and request generators.
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import (
    Peripheral,
    System,
    dma_read,
    dma_region_names,
    interrupt_line,
    peripheral_request,
    watch_source,
)

MASK32 = 0xFFFFFFFF
LISR, HISR, LIFCR, HIFCR = 0x00, 0x04, 0x08, 0x0C
STREAM0, STREAM_SPAN = 0x10, 0x18
CR, NDTR, PAR, M0AR, M1AR, FCR = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x14
STREAM_REGISTERS = ("CR", "NDTR", "PAR", "M0AR", "M1AR", "FCR")
# SxCR bits (RM0090 §10.5.5)
EN, DMEIE, TEIE, HTIE, TCIE = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4
CIRC, PINC, MINC, PINCOS, DBM = 1 << 8, 1 << 9, 1 << 10, 1 << 15, 1 << 18
# writable while the stream is enabled: EN and the interrupt enables; the rest "can be written
# only if EN is 0" (RM0090 §10.5.5)
CR_LIVE = EN | DMEIE | TEIE | HTIE | TCIE
CR_BITS = 0x0FEFFFFF  # bit 20 and 28-31 reserved
FCR_RESET, FCR_FEIE, FCR_DMDIS = 0x21, 1 << 7, 1 << 2
# flags within a stream's six-bit group of LISR/HISR (RM0090 §10.5.1-10.5.2)
FEIF, DMEIF, TEIF, HTIF, TCIF = 1 << 0, 1 << 2, 1 << 3, 1 << 4, 1 << 5
FLAG_SHIFT = (0, 6, 16, 22)
DIR_NAMES = ("peripheral-to-memory", "memory-to-peripheral", "memory-to-memory", "reserved")


class _DmaController(Peripheral):
    """What the STM32 DMA controllers share: the requesting peripherals they watch, the
    memory-to-peripheral move through the target peripheral's model, the memory they reach,
    and one interrupt line per stream or channel (``_line_high``)."""

    unit = "stream"  # what one of its numbered transfer units is called in messages

    def _setup(self, system: System, where: str, dma_regions: Any, irqs: tuple) -> None:
        self.dma_regions = dma_region_names(where, dma_regions, system)
        self.system = system
        self.where = where
        self.irqs = irqs
        self.mmio: Any = None
        self.sources: dict[str, Peripheral] = {}
        self.lines = [False] * len(irqs)  # each unit's interrupt line as the NVIC last saw it
        self.transfers = 0
        self.bytes_moved = 0

    def _watch(self, mmio: Any, peripheral: str, what: str) -> Peripheral:
        return watch_source(mmio, self.sources, peripheral, f"{self.where}.{what}", self._service)

    def _service(self) -> None:
        raise NotImplementedError

    def _line_high(self, unit: int) -> bool:
        raise NotImplementedError

    def _stop(self, unit: int, what: str, label: int | None = None) -> None:
        """Stop the run; the unit is disabled (``label``: its number in the message)."""
        self._disable(unit)
        n = unit if label is None else label
        self.system.request_stop("fault", f"{self.name} {self.unit} {n}: {what}")

    def _disable(self, unit: int) -> None:
        raise NotImplementedError

    def _move(
        self, unit: int, label: int, source: int, items: int, psize: int, minc: bool,
        step: int, par: int,
    ) -> bool:  # fmt: skip
        """Write ``items`` items of ``psize`` bytes read from ``source`` (advancing with
        ``minc``) to the peripheral register at ``par`` (advancing by ``step``); False, with
        the run stopped, when the memory or the peripheral is not one the DMA reaches."""
        total = items * psize
        span = total if minc else psize
        data, why = dma_read(self.system, self.mmio, self.dma_regions, source, span)
        if why:
            self._stop(unit, why, label)
            return False
        if not minc:
            data = data * items
        target = self.mmio.peripheral_at(par) if self.mmio else None
        last = par + step * (items - 1)
        if target is None or last + psize > target.base + target.size_bytes:
            self._stop(
                unit, f"peripheral address 0x{par:08x} is not a modelled peripheral's register",
                label,
            )  # fmt: skip
            return False
        for i in range(items):
            value = int.from_bytes(data[i * psize : (i + 1) * psize], "little")
            target.write(par + i * step - target.base, psize, value)
        self.transfers += 1
        self.bytes_moved += total
        return True

    def _update_lines(self) -> None:
        """A unit's interrupt line is high while one of its flags is set with its enable bit;
        a line that goes high makes the unit's IRQ pending."""
        for unit, irq in enumerate(self.irqs):
            self.lines[unit] = interrupt_line(
                self.system, irq, self.lines[unit], self._line_high(unit)
            )


class Stm32Dma(_DmaController):
    """One DMA controller (DMA1 or DMA2) of an STM32F4 with its eight streams."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        irqs: Any,
        requests: Any = (),
        dma_regions: Any = (),
    ):
        super().__init__(name, base, size_bytes)
        if size_bytes < STREAM0 + 8 * STREAM_SPAN:
            raise ConfigError(f"{where}.size_bytes must hold the eight streams' registers")
        if (
            not isinstance(irqs, list)
            or len(irqs) != 8
            or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in irqs)
        ):
            raise ConfigError(f"{where}.irqs must list the IRQ numbers of streams 0-7")
        if not isinstance(requests, (list, tuple)):
            raise ConfigError(f"{where}.requests must be an array of tables")
        self.requests: list[tuple[int, int, str, int, int]] = []
        for i, r in enumerate(requests):
            self.requests.append(_request(f"{where}.requests[{i}]", r))
        self._setup(system, where, dma_regions, tuple(irqs))
        self.flags = [0] * 8  # each stream's six status bits, as in its LISR/HISR group
        self.cr = [0] * 8
        self.ndtr = [0] * 8
        self.par = [0] * 8
        self.m0ar = [0] * 8
        self.m1ar = [0] * 8
        self.fcr = [FCR_RESET] * 8

    # -- wiring ----------------------------------------------------------------------------
    def connect(self, mmio: Any) -> None:
        """Find the requesting peripherals (the MMIO map calls this once all are built) and
        watch their writes: a write there may raise a request."""
        self.mmio = mmio
        for _, _, peripheral, _, _ in self.requests:
            self._watch(mmio, peripheral, "requests")

    # -- registers -------------------------------------------------------------------------
    def register_name(self, offset: int) -> str | None:
        offset &= ~3
        if offset < STREAM0:
            return ("LISR", "HISR", "LIFCR", "HIFCR")[offset // 4]
        stream, reg = divmod(offset - STREAM0, STREAM_SPAN)
        if stream < 8:
            return f"S{stream}{STREAM_REGISTERS[reg // 4]}"
        return None

    def read(self, offset: int, size: int) -> int:
        shift = 8 * (offset & 3)
        return (self._read_word(offset & ~3) >> shift) & ((1 << (8 * size)) - 1)

    def _read_word(self, offset: int) -> int:
        if offset in (LISR, HISR):
            half = 4 if offset == HISR else 0
            return sum(self.flags[half + i] << FLAG_SHIFT[i] for i in range(4))
        if offset < STREAM0:
            return 0  # the clear registers are write-only
        stream, reg = divmod(offset - STREAM0, STREAM_SPAN)
        if stream >= 8:
            return 0
        return (self.cr, self.ndtr, self.par, self.m0ar, self.m1ar, self.fcr)[reg // 4][stream]

    def write(self, offset: int, size: int, value: int) -> None:
        if size != 4:  # a byte or halfword write changes only its bytes
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            offset &= ~3
            if offset not in (LIFCR, HIFCR):
                value = (self._read_word(offset) & ~mask) | ((value << shift) & mask)
            else:
                value = (value << shift) & mask
        value &= MASK32
        if offset in (LIFCR, HIFCR):
            half = 4 if offset == HIFCR else 0
            for i in range(4):
                self.flags[half + i] &= ~(value >> FLAG_SHIFT[i]) & 0x3F
            self._update_lines()
            return
        if offset < STREAM0:
            return  # LISR and HISR are read-only
        stream, reg = divmod(offset - STREAM0, STREAM_SPAN)
        if stream >= 8:
            return
        enabled = self.cr[stream] & EN
        if reg == CR:
            keep = CR_BITS & ~CR_LIVE if enabled else 0
            self.cr[stream] = (self.cr[stream] & keep) | (value & CR_BITS & ~keep)
        elif enabled:
            return  # "forbidden to write these registers when the EN bit is read as 1"
        elif reg == NDTR:
            self.ndtr[stream] = value & 0xFFFF
        elif reg == PAR:
            self.par[stream] = value
        elif reg == M0AR:
            self.m0ar[stream] = value
        elif reg == M1AR:
            self.m1ar[stream] = value
        elif reg == FCR:
            self.fcr[stream] = (self.fcr[stream] & 0x38) | (value & 0xA7)  # FS is read-only
        self._update_lines()
        if reg == CR and self.cr[stream] & EN and not enabled:
            self._service()

    # -- transfers -------------------------------------------------------------------------
    def _requested(self, stream: int) -> bool:
        channel = (self.cr[stream] >> 25) & 7
        for s, ch, peripheral, offset, bit in self.requests:
            if s == stream and ch == channel:
                p = self.sources.get(peripheral)
                if p is not None and (p.read(offset, 4) >> bit) & 1:
                    return True
        return False

    def _service(self) -> None:
        """Run every enabled stream whose request is active."""
        for stream in range(8):
            if self.cr[stream] & EN and self.ndtr[stream] and self._requested(stream):
                self._transfer(stream)
        self._update_lines()

    def _disable(self, stream: int) -> None:
        self.cr[stream] &= ~EN

    def _transfer(self, stream: int) -> None:
        cr = self.cr[stream]
        direction = (cr >> 6) & 3
        if direction != 1:
            self._stop(stream, f"{DIR_NAMES[direction]} transfers are not modelled")
            return
        if cr & (CIRC | DBM):
            self._stop(stream, "circular and double-buffer modes are not modelled")
            return
        psize = 1 << ((cr >> 11) & 3)
        msize = psize if not self.fcr[stream] & FCR_DMDIS else 1 << ((cr >> 13) & 3)
        if psize > 4 or msize > 4 or (msize != psize and not cr & MINC):
            self._stop(stream, "this combination of PSIZE and MSIZE is not modelled")
            return
        step = (4 if cr & PINCOS else psize) if cr & PINC else 0
        items, source = self.ndtr[stream], self.m0ar[stream]
        if not self._move(stream, stream, source, items, psize, bool(cr & MINC), step,
                          self.par[stream]):  # fmt: skip
            return
        self.ndtr[stream] = 0
        self.cr[stream] &= ~EN  # cleared by hardware at the end of the transfer
        self.flags[stream] |= HTIF | TCIF

    def _line_high(self, stream: int) -> bool:
        cr, f = self.cr[stream], self.flags[stream]
        return bool(
            (cr & TCIE and f & TCIF)
            or (cr & HTIE and f & HTIF)
            or (cr & TEIE and f & TEIF)
            or (cr & DMEIE and f & DMEIF)
            or (self.fcr[stream] & FCR_FEIE and f & FEIF)
        )


def _request(where: str, r: Any) -> tuple[int, int, str, int, int]:
    """``{stream, channel, peripheral, enable = {offset, bit}}``: the peripheral requests that
    stream on that channel while the bit of its register at ``offset`` is set."""
    return peripheral_request(
        where, r, {"stream": range(8), "channel": range(8)}, "enable",
        "{stream (0-7), channel (0-7), peripheral, enable = {offset, bit}}: the peripheral asks "
        "for that stream while that bit of its register is set",
    )  # fmt: skip
