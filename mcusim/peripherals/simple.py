"""Data-driven peripherals: a register-level console UART and registers as data (L3).

Both are described entirely by the target TOML (offsets, reset values, status bits that follow
their enable bits, read-only and write-1-to-clear bits, constant status registers), so a new
chip needs data, not code.
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


class _Register:
    """One described register: reset value, bits copied from other bits of it on every read
    (a ready flag following its enable bit), read-only and write-1-to-clear masks."""

    def __init__(self, where: str, e: Any):
        if not isinstance(e, dict) or not isinstance(e.get("offset"), int) or e["offset"] % 4:
            raise ConfigError(f"{where} needs an integer, word-aligned 'offset'")
        self.name = str(e.get("name", f"0x{e['offset']:03x}"))
        self.value = _mask(where, e, "reset")
        self.read_only = _mask(where, e, "read_only")
        self.w1c = _mask(where, e, "write_1_to_clear")
        self.follow: list[tuple[int, int, int]] = []
        for f in e.get("follow", []):
            f = {"from": f[0], "to": f[1]} if isinstance(f, list) and len(f) == 2 else f
            ok = isinstance(f, dict) and all(isinstance(f.get(k), int) for k in ("from", "to"))
            width = f.get("width", 1) if ok else 0
            if not ok or not isinstance(width, int) or max(f["from"], f["to"]) + width > 32:
                raise ConfigError(f"{where}.follow entries are [from_bit, to_bit] or "
                                  "{from, to, width} inside 32 bits")  # fmt: skip
            self.follow.append((f["from"], f["to"], width))

    def read(self) -> int:
        v = self.value
        for src, dst, width in self.follow:
            m = (1 << width) - 1
            v = (v & ~(m << dst)) | (((v >> src) & m) << dst)
        return v

    def write(self, value: int, mask: int = 0xFFFFFFFF) -> None:
        """A write of the bits in ``mask`` (the bytes the access covers)."""
        old, ro, w1c = self.value, self.read_only | ~mask, self.w1c & mask
        self.value = ((old & ro) | (value & ~ro & ~w1c) | (old & w1c & ~value)) & 0xFFFFFFFF


def _mask(where: str, e: dict, key: str) -> int:
    v = e.get(key, 0)
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 32:
        raise ConfigError(f"{where}.{key} must be a 32-bit integer")
    return v


class Registers(Peripheral):
    """Registers as data: described ones (``registers``: reset value, follow, read-only and
    write-1-to-clear bits), constant ones (``reads``), and any other offset reads back what
    was written."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        where: str,
        reads: Any = (),
        registers: Any = (),
        **_: Any,
    ):
        super().__init__(name, base, size_bytes)
        self.consts = _constant_reads(f"{where}.reads", list(reads))
        self.regs = RegisterFile(size_bytes)
        if not isinstance(registers, (list, tuple)):
            raise ConfigError(f"{where}.registers must be an array of tables")
        self.described = {}
        for i, e in enumerate(registers):
            r = _Register(f"{where}.registers[{i}]", e)
            self.described[e["offset"]] = r

    def read(self, offset: int, size: int) -> int:
        r = self.described.get(offset & ~3)
        if r is not None:
            shift = 8 * (offset & 3)
            return (r.read() >> shift) & ((1 << (8 * size)) - 1)
        return _read(self.consts, self.regs, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        r = self.described.get(offset & ~3)
        if r is not None:
            shift, mask = 8 * (offset & 3), (1 << (8 * size)) - 1
            r.write((value & mask) << shift, mask << shift)
            return
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
