"""The channel-style STM32 DMA controller of the STM32F1 (RM0008 §13) and STM32L4+ (RM0432
§11, fed by the DMAMUX of §12) (L3); the move, memory check and interrupt lines are the
stream model's (:mod:`mcusim.machine.peripherals.stm32dma`, whose docstring describes both)."""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import System, peripheral_request
from mcusim.machine.peripherals.stm32dma import MASK32, _DmaController

# The channel-style controller (STM32F1 RM0008 §13.4, STM32L4+ RM0432 §11.6): ISR / IFCR with
# four bits per channel x at 4 * (x - 1) (GIF 0, TCIF 1, HTIF 2, TEIF 3); channel x's CCRx,
# CNDTRx, CPARx, CMARx at 0x08 + 20 * (x - 1) + 0x0, 0x4, 0x8, 0xC.
ISR, IFCR, CHANNEL1, CHANNEL_SPAN = 0x00, 0x04, 0x08, 20
CH_REGISTERS = ("CCR", "CNDTR", "CPAR", "CMAR")
CH_GIF, CH_TCIF, CH_HTIF, CH_TEIF = 1 << 0, 1 << 1, 1 << 2, 1 << 3
# CCRx bits: EN 0, TCIE 1, HTIE 2, TEIE 3, DIR 4, CIRC 5, PINC 6, MINC 7, PSIZE 9:8,
# MSIZE 11:10, PL 13:12, MEM2MEM 14 (bits 15-31 reserved)
CH_EN, CH_TCIE, CH_HTIE, CH_TEIE = 1 << 0, 1 << 1, 1 << 2, 1 << 3
CH_DIR, CH_CIRC, CH_PINC, CH_MINC, CH_MEM2MEM = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 14
CCR_BITS = 0x7FFF


class Stm32DmaChannels(_DmaController):
    """A channel-style STM32 DMA controller (STM32F1 DMA1/DMA2, STM32L4+ DMA1/DMA2) with up to
    eight channels, numbered from 1 as in the reference manuals. Which peripheral asks for
    which channel is either fixed (``requests = [{channel, peripheral, enable}]``, RM0008
    table 78) or chosen by a DMAMUX (``dmamux = {peripheral, first_channel}`` and
    ``requests = [{request, peripheral, enable}]``: channel x follows the request whose number
    the DMAMUX channel ``first_channel + x - 1`` holds in its CxCR.DMAREQ_ID, bits 6:0)."""

    unit = "channel"

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
        dmamux: Any = None,
        dma_regions: Any = (),
    ):
        super().__init__(name, base, size_bytes)
        if (
            not isinstance(irqs, list)
            or not 1 <= len(irqs) <= 8
            or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in irqs)
        ):
            raise ConfigError(f"{where}.irqs must list the IRQ numbers of channels 1, 2, ...")
        n = len(irqs)
        if size_bytes < CHANNEL1 + n * CHANNEL_SPAN:
            raise ConfigError(f"{where}.size_bytes must hold the {n} channels' registers")
        self.dmamux: tuple[str, int] | None = None
        if dmamux is not None:
            ok = (
                isinstance(dmamux, dict)
                and set(dmamux) <= {"peripheral", "first_channel"}
                and isinstance(dmamux.get("peripheral"), str)
                and isinstance(dmamux.get("first_channel"), int)
                and 0 <= dmamux["first_channel"] < 64
            )
            if not ok:
                raise ConfigError(
                    f"{where}.dmamux must be {{peripheral, first_channel}}: the DMAMUX and its "
                    "channel that feeds this controller's channel 1"
                )
            self.dmamux = (dmamux["peripheral"], dmamux["first_channel"])
        if not isinstance(requests, (list, tuple)):
            raise ConfigError(f"{where}.requests must be an array of tables")
        self.requests = [
            _channel_request(f"{where}.requests[{i}]", r, n, self.dmamux is not None)
            for i, r in enumerate(requests)
        ]
        self._setup(system, where, dma_regions, tuple(irqs))
        self.flags = [0] * n  # each channel's four ISR bits
        self.ccr = [0] * n
        self.cndtr = [0] * n
        self.cpar = [0] * n
        self.cmar = [0] * n

    def connect(self, mmio: Any) -> None:
        """Find the requesting peripherals (and the DMAMUX) and watch their writes."""
        self.mmio = mmio
        if self.dmamux:
            self._watch(mmio, self.dmamux[0], "dmamux")
        for _, peripheral, _, _ in self.requests:
            self._watch(mmio, peripheral, "requests")

    # -- registers -------------------------------------------------------------------------
    def _channel_at(self, offset: int) -> tuple[int, int] | None:
        """(channel index from 0, register index) of a channel register's word offset."""
        if offset < CHANNEL1:
            return None
        channel, reg = divmod(offset - CHANNEL1, CHANNEL_SPAN)
        if channel >= len(self.irqs) or reg >= 16:
            return None
        return channel, reg // 4

    def claims(self, offset: int) -> bool:
        return (offset & ~3) in (ISR, IFCR) or self._channel_at(offset & ~3) is not None

    def register_name(self, offset: int) -> str | None:
        offset &= ~3
        if offset < CHANNEL1:
            return ("ISR", "IFCR")[offset // 4]
        at = self._channel_at(offset)
        return None if at is None else f"{CH_REGISTERS[at[1]]}{at[0] + 1}"

    def read(self, offset: int, size: int) -> int:
        shift = 8 * (offset & 3)
        return (self._read_word(offset & ~3) >> shift) & ((1 << (8 * size)) - 1)

    def _read_word(self, offset: int) -> int:
        if offset == ISR:
            return sum(f << (4 * i) for i, f in enumerate(self.flags))
        at = self._channel_at(offset)
        if at is None:
            return 0  # IFCR is write-only
        channel, reg = at
        return (self.ccr, self.cndtr, self.cpar, self.cmar)[reg][channel]

    def write(self, offset: int, size: int, value: int) -> None:
        if size != 4:  # a byte or halfword write changes only its bytes
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            offset &= ~3
            old = 0 if offset == IFCR else self._read_word(offset)
            value = (old & ~mask) | ((value << shift) & mask)
        value &= MASK32
        before = [self._line_high(i) for i in range(len(self.irqs))]
        if offset == IFCR:
            for i in range(len(self.flags)):
                bits = (value >> (4 * i)) & 0xF
                self.flags[i] &= ~(0xF if bits & CH_GIF else bits)  # CGIF clears all four
            self._lines_after_write(before)
            return
        at = self._channel_at(offset)
        if at is None:
            return  # ISR is read-only
        channel, reg = at
        enabled = self.ccr[channel] & CH_EN
        if reg == 0:
            self.ccr[channel] = value & CCR_BITS
        elif enabled:
            return  # CNDTR, CPAR and CMAR can be written only while the channel is disabled
        elif reg == 1:
            self.cndtr[channel] = value & 0xFFFF
        elif reg == 2:
            self.cpar[channel] = value
        else:
            self.cmar[channel] = value
        self._lines_after_write(before)
        if reg == 0 and self.ccr[channel] & CH_EN and not enabled:
            self._service()

    def _lines_after_write(self, before: list[bool]) -> None:
        """As _update_lines; besides, a line the write leaves high, as it was, is made pending
        again: the NVIC samples a peripheral's level interrupt when its handler returns, and
        STM32Cube's F1/L4 handler serves one flag per entry (HT, then on the next entry TC)."""
        for unit, was in enumerate(before):
            if was and self._line_high(unit):
                self.system.set_pending(16 + self.irqs[unit])
        self._update_lines()

    # -- transfers -------------------------------------------------------------------------
    def _request_id(self, channel: int) -> int | None:
        """The request number the DMAMUX routes to ``channel`` (None: no DMAMUX)."""
        if self.dmamux is None:
            return None
        mux = self.sources.get(self.dmamux[0])
        if mux is None:
            return 0
        return mux.read(4 * (self.dmamux[1] + channel), 4) & 0x7F

    def _requested(self, channel: int) -> bool:
        request = self._request_id(channel)
        for number, peripheral, offset, bit in self.requests:
            if number == (channel + 1 if request is None else request):
                p = self.sources.get(peripheral)
                if p is not None and (p.read(offset, 4) >> bit) & 1:
                    return True
        return False

    def _service(self) -> None:
        """Run every enabled channel with items left whose request is active."""
        for channel in range(len(self.irqs)):
            if (
                self.ccr[channel] & CH_EN
                and self.cndtr[channel]
                and (self.ccr[channel] & CH_MEM2MEM or self._requested(channel))
            ):
                self._transfer(channel)
        self._update_lines()

    def _disable(self, channel: int) -> None:
        self.ccr[channel] &= ~CH_EN

    def _transfer(self, channel: int) -> None:
        ccr = self.ccr[channel]
        label = channel + 1
        if ccr & CH_MEM2MEM:
            self._stop(channel, "memory-to-memory transfers are not modelled", label)
            return
        if not ccr & CH_DIR:
            self._stop(channel, "peripheral-to-memory transfers are not modelled", label)
            return
        if ccr & CH_CIRC:
            self._stop(channel, "circular mode is not modelled", label)
            return
        psize = 1 << ((ccr >> 8) & 3)
        msize = 1 << ((ccr >> 10) & 3)
        if psize > 4 or psize != msize:
            self._stop(channel, "PSIZE and MSIZE other than one same size are not modelled", label)
            return
        step = psize if ccr & CH_PINC else 0
        if not self._move(channel, label, self.cmar[channel], self.cndtr[channel], psize,
                          bool(ccr & CH_MINC), step, self.cpar[channel]):  # fmt: skip
            return
        # CNDTR reads 0 and the channel, still enabled, serves no more requests (EN is not
        # cleared by the hardware: RM0008 §13.4.4, RM0432 §11.6.4)
        self.cndtr[channel] = 0
        self.flags[channel] |= CH_GIF | CH_HTIF | CH_TCIF

    def _line_high(self, channel: int) -> bool:
        ccr, f = self.ccr[channel], self.flags[channel]
        return bool(
            (ccr & CH_TCIE and f & CH_TCIF)
            or (ccr & CH_HTIE and f & CH_HTIF)
            or (ccr & CH_TEIE and f & CH_TEIF)
        )


def _channel_request(where: str, r: Any, channels: int, mux: bool) -> tuple[int, str, int, int]:
    """``{channel, peripheral, enable = {offset, bit}}`` (fixed mapping) or ``{request, ...}``
    (with a DMAMUX): the peripheral asks while that bit of its register is set."""
    key, numbers = ("request", range(1, 128)) if mux else ("channel", range(1, channels + 1))
    what = (
        "request (the DMAMUX request number, 1-127)"
        if mux
        else f"channel (1-{channels}): the fixed request mapping"
    )
    return peripheral_request(
        where, r, {key: numbers}, "enable",
        f"{{{what}, peripheral, enable = {{offset, bit}}}}: the peripheral asks while that bit "
        "of its register is set",
    )  # fmt: skip
