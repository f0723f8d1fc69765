"""A UART whose transmitter reads its buffer from RAM by DMA (Nordic EasyDMA UARTE) (L3).

Described entirely by the target TOML: the offsets of the start/stop tasks, the buffer pointer,
count and amount registers and the events. A write of 1 to the start task sends ``count``
bytes of guest memory at ``pointer`` to the console at once, stores the count in the amount
register and sets the 'started' and 'end' events; the stop task sets the 'stopped' event.
Events are plain registers the model sets to 1 and the firmware clears by writing 0, as on
the nRF52. The same window may also hold a legacy one-byte transmit register and its 'ready'
event (the nRF52 UART and UARTE share an address; the ENABLE register picks which one runs).
Transmission takes no simulated time, as for the register-level ``uart`` model.
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import (
    System,
    dma_read,
    dma_region_names,
    outside_dma_regions,
)
from mcusim.machine.peripherals.simple import Registers

OFFSET_KEYS = (
    "tasks_starttx",
    "tasks_stoptx",
    "txd_ptr",
    "txd_maxcnt",
    "txd_amount",
    "events_txstarted",
    "events_endtx",
    "events_txstopped",
    "tx_data_offset",
    "events_txdrdy",
)


class EasyDmaUart(Registers):
    """EasyDMA transmitter (and optionally the legacy transmit register) of one UART."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        tasks_starttx: int,
        txd_ptr: int,
        txd_maxcnt: int,
        txd_amount: int,
        events_endtx: int,
        events_txstarted: int | None = None,
        tasks_stoptx: int | None = None,
        events_txstopped: int | None = None,
        tx_data_offset: int | None = None,
        events_txdrdy: int | None = None,
        enable: Any = None,
        dma_regions: Any = (),
        console: bool = True,
        status: Any = (),
        registers: Any = (),
    ):
        super().__init__(
            name, base, size_bytes, where=where, reads=list(status), registers=registers
        )
        given = dict(
            tasks_starttx=tasks_starttx,
            tasks_stoptx=tasks_stoptx,
            txd_ptr=txd_ptr,
            txd_maxcnt=txd_maxcnt,
            txd_amount=txd_amount,
            events_txstarted=events_txstarted,
            events_endtx=events_endtx,
            events_txstopped=events_txstopped,
            tx_data_offset=tx_data_offset,
            events_txdrdy=events_txdrdy,
        )
        for key, v in given.items():
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < size_bytes or v % 4:
                raise ConfigError(f"{where}.{key} must be a word-aligned offset in the peripheral")
        self.off = given
        self.enable = _enable(where, enable, size_bytes)
        self.dma_regions = dma_region_names(where, dma_regions, system)
        self.system = system
        self.is_console = bool(console)
        self.bytes_sent = 0
        self.amount = 0

    def _mode(self, which: str) -> bool:
        """Whether the transmitter ``which`` ('legacy' or 'dma') is the enabled one."""
        if self.enable is None:
            return True
        offset, values = self.enable
        return self._stored(offset) == values[which]

    def _set(self, key: str) -> None:
        offset = self.off[key]
        if offset is not None:
            Registers.write(self, offset, 4, 1)

    def _emit(self, data: bytes) -> None:
        self.bytes_sent += len(data)
        if self.is_console and data:
            self.system.console(data, self.name)

    def read(self, offset: int, size: int) -> int:
        aligned = offset & ~3
        if aligned == self.off["txd_amount"]:
            return (self.amount >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)
        if aligned in (self.off["tasks_starttx"], self.off["tasks_stoptx"]):
            return 0  # tasks are write-only
        return super().read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        aligned = offset & ~3
        if aligned == self.off["tasks_starttx"]:
            if value & 1 and self._mode("dma"):
                self._start()
            return
        if aligned == self.off["tasks_stoptx"]:
            if value & 1:
                self._set("events_txstopped")
            return
        if aligned == self.off["txd_amount"]:
            return  # read-only
        if aligned == self.off["tx_data_offset"]:
            if self._mode("legacy"):
                self._emit(bytes([value & 0xFF]))
                self._set("events_txdrdy")
            return
        super().write(offset, size, value)

    def _start(self) -> None:
        pointer = self._stored(self.off["txd_ptr"])
        count = self._stored(self.off["txd_maxcnt"])
        self._set("events_txstarted")
        if count:
            data, why = dma_read(self.system, None, self.dma_regions, pointer, count)
            if why:
                outside = outside_dma_regions(self.system, self.dma_regions, pointer, count)
                hint = " (a buffer in flash must be copied to RAM first)" if outside else ""
                self.system.request_stop("fault", f"{self.name}: EasyDMA transmit: {why}{hint}")
                return
            self._emit(data)
        self.amount = count
        self._set("events_endtx")


def _enable(where: str, enable: Any, size_bytes: int) -> tuple[int, dict[str, int]] | None:
    """``{offset, legacy, dma}``: the register whose value picks the transmitter."""
    if enable is None:
        return None
    ok = (
        isinstance(enable, dict)
        and set(enable) <= {"offset", "legacy", "dma", "meaning"}
        and all(isinstance(enable.get(k), int) for k in ("offset", "legacy", "dma"))
        and 0 <= enable["offset"] < size_bytes
    )
    if not ok:
        raise ConfigError(
            f"{where}.enable must be {{offset, legacy, dma}}: the register and the values that "
            "enable the legacy and the DMA transmitter"
        )
    return enable["offset"], {"legacy": enable["legacy"], "dma": enable["dma"]}
