"""Data-driven peripherals: a register-level console UART and constant-status registers (L3).

Both are described entirely by the target TOML (offsets and the values status registers read),
so a new chip needs data, not code.
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.peripherals.bus import Peripheral, RegisterFile, System


def _constant_reads(where: str, entries: Any) -> dict[int, int]:
    out: dict[int, int] = {}
    if not isinstance(entries, list):
        raise ConfigError(f"{where} must be an array of {{offset, value}} tables")
    for i, e in enumerate(entries):
        if not (
            isinstance(e, dict)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("value"), int)
            and not isinstance(e.get("value"), bool)
        ):
            raise ConfigError(f"{where}[{i}] needs integer 'offset' and 'value'")
        out[e["offset"]] = e["value"]
    return out


def _read(consts: dict[int, int], regs: RegisterFile, offset: int, size: int) -> int:
    aligned = offset & ~3
    if aligned in consts:
        return (consts[aligned] >> (8 * (offset - aligned))) & ((1 << (8 * size)) - 1)
    return regs.read(offset, size)


class Registers(Peripheral):
    """Registers that read back writes, except listed offsets that read a constant."""

    def __init__(
        self, name: str, base: int, size_bytes: int, *, where: str, reads: Any = (), **_: Any
    ):
        super().__init__(name, base, size_bytes)
        self.consts = _constant_reads(f"{where}.reads", list(reads))
        self.regs = RegisterFile(size_bytes)

    def read(self, offset: int, size: int) -> int:
        return _read(self.consts, self.regs, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        self.regs.write(offset, size, value)


class Uart(Peripheral):
    """A UART whose transmit register feeds the console and whose status says 'ready'."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        tx_data_offset: int,
        status: Any = (),
        console: bool = True,
        **_: Any,
    ):
        super().__init__(name, base, size_bytes)
        if not isinstance(tx_data_offset, int) or not 0 <= tx_data_offset < size_bytes:
            raise ConfigError(f"{where}.tx_data_offset must be an offset inside the peripheral")
        self.system = system
        self.tx = tx_data_offset
        self.consts = _constant_reads(f"{where}.status", list(status))
        self.regs = RegisterFile(size_bytes)
        self.is_console = bool(console)
        self.bytes_sent = 0

    def read(self, offset: int, size: int) -> int:
        return _read(self.consts, self.regs, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        if offset == self.tx:
            self.bytes_sent += 1
            if self.is_console:
                self.system.console(bytes([value & 0xFF]), self.name)
            return
        self.regs.write(offset, size, value)
