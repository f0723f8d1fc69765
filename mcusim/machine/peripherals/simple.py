"""Data-driven peripherals: a register-level console UART and registers as data (L3).

Both are described entirely by the target TOML (offsets, reset values, status bits that follow
their enable bits, read-only and write-1-to-clear bits, constant status registers), so a new
chip needs data, not code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import (
    Peripheral,
    RegisterFile,
    System,
    interrupt_line,
    register_bit,
)


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


ALIAS_SPAN = 0x1000  # RP2040 §2.1.2: +0x1000 XOR, +0x2000 set, +0x3000 clear on write

REGISTER_KEYS = (
    "offset", "name", "reset", "read_only", "write_1_to_clear", "follow", "commands", "one_hot",
    "meaning",
)  # fmt: skip
COMMAND_KEYS = ("mask", "match", "offset", "set", "clear", "copy")


class _Register:
    """One described register: reset value, bits that read as a copy of other bits (a ready
    flag following its enable bit, in this register or another one of the peripheral),
    read-only and write-1-to-clear masks; ``one_hot``: it reads as ``1 << field`` of another
    register (a clock mux's SELECTED register decoding its control register's SRC field)."""

    def __init__(self, where: str, e: Any):
        if not isinstance(e, dict) or not isinstance(e.get("offset"), int) or e["offset"] % 4:
            raise ConfigError(f"{where} needs an integer, word-aligned 'offset'")
        unknown = sorted(set(e) - set(REGISTER_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(REGISTER_KEYS)})"
            )
        self.name = str(e.get("name", f"0x{e['offset']:03x}"))
        self.value = _mask(where, e, "reset")
        self.read_only = _mask(where, e, "read_only")
        self.w1c = _mask(where, e, "write_1_to_clear")
        self.follow: list[tuple[int, int, int, int | None]] = []
        self.any_of: list[tuple[int, int, int | None]] = []
        for f in e.get("follow", []):
            f = {"from": f[0], "to": f[1]} if isinstance(f, list) and len(f) == 2 else f
            if isinstance(f, dict) and "any_of" in f:
                self.any_of.append(_any_of(where, f))
                continue
            ok = isinstance(f, dict) and all(isinstance(f.get(k), int) for k in ("from", "to"))
            width = f.get("width", 1) if ok else 0
            src = f.get("offset") if ok else None
            if (
                not ok
                or not isinstance(width, int)
                or max(f["from"], f["to"]) + width > 32
                or not (src is None or isinstance(src, int))
            ):
                raise ConfigError(
                    f"{where}.follow entries are [from_bit, to_bit], {{from, to, width, "
                    "offset}} (offset: another register of the peripheral) inside 32 bits, "
                    "or {any_of, to, offset}"
                )
            self.follow.append((f["from"], f["to"], width, src))
        # commands: a write whose bits under ``mask`` equal ``match`` sets bits ``set`` and
        # clears bits ``clear`` of the register at ``offset`` (an oscillator enable command
        # setting its status bits; a clock select field choosing one of several status bits),
        # then copies the bits ``copy.mask`` of the register at ``copy.offset`` into it (a
        # start task latching the source its select register names: nRF52 LFCLKSTAT.SRC)
        self.commands: list[tuple[int, int, int | None, int, int]] = []
        self.copies: list[tuple[int, int] | None] = []
        for i, c in enumerate(e.get("commands", [])):
            here = f"{where}.commands[{i}]"
            if not isinstance(c, dict) or set(c) - set(COMMAND_KEYS):
                raise ConfigError(f"{here} must be a table of {', '.join(COMMAND_KEYS)}")
            mask = _mask(here, c, "mask")
            if not mask:
                raise ConfigError(f"{here}.mask must name the command's bits")
            match = _mask(here, {"match": c.get("match", mask)}, "match")
            target = c.get("offset")
            if target is not None and (not isinstance(target, int) or target % 4):
                raise ConfigError(f"{here}.offset must be a word-aligned register offset")
            self.commands.append(
                (mask, match, target, _mask(here, c, "set"), _mask(here, c, "clear"))
            )
            self.copies.append(_copy(here, c.get("copy")))
        self.one_hot: tuple[int, int, int] | None = None
        oh = e.get("one_hot")
        if oh is not None:
            ok = isinstance(oh, dict) and all(isinstance(oh.get(k), int) for k in ("lsb", "width"))
            if not ok or not 0 < oh["width"] <= 5 or not isinstance(oh.get("offset", 0), int):
                raise ConfigError(
                    f"{where}.one_hot must be {{offset, lsb, width}} (width 1-5): the register "
                    "reads as 1 << that field of the register at offset"
                )
            self.one_hot = (oh.get("offset", e["offset"]), oh["lsb"], oh["width"])

    def read(self, register: Callable[[int], int]) -> int:
        """The value as read: ``register(offset)`` gives another register's stored value."""
        v = self.value
        if self.one_hot is not None:  # a mux's 'selected' register: one bit per source
            offset, lsb, width = self.one_hot
            v = 1 << ((register(offset) >> lsb) & ((1 << width) - 1))
        for src, dst, width, offset in self.follow:
            m = (1 << width) - 1
            from_value = v if offset is None else register(offset)
            v = (v & ~(m << dst)) | (((from_value >> src) & m) << dst)
        for mask, dst, offset in self.any_of:
            from_value = v if offset is None else register(offset)
            v = (v & ~(1 << dst)) | (int(from_value & mask != 0) << dst)
        return v

    def write(self, value: int, mask: int = 0xFFFFFFFF) -> None:
        """A write of the bits in ``mask`` (the bytes the access covers)."""
        old, ro, w1c = self.value, self.read_only | ~mask, self.w1c & mask
        self.value = ((old & ro) | (value & ~ro & ~w1c) | (old & w1c & ~value)) & 0xFFFFFFFF


def _copy(where: str, c: Any) -> tuple[int, int] | None:
    """A command's ``copy = {offset, mask}``: the bits ``mask`` of the register at ``offset``
    (as the firmware reads it) are copied into the command's target register."""
    if c is None:
        return None
    if (
        not isinstance(c, dict)
        or set(c) != {"offset", "mask"}
        or not isinstance(c["offset"], int)
        or c["offset"] % 4
    ):
        raise ConfigError(
            f"{where}.copy must be {{offset, mask}}: the bits mask of the word-aligned register "
            "at offset are copied into the command's target"
        )
    return c["offset"], _mask(f"{where}.copy", c, "mask")


def _any_of(where: str, f: dict) -> tuple[int, int, int | None]:
    """``{any_of = MASK, to = BIT, offset = OFF}``: the bit reads 1 while any bit of MASK is set
    (a power domain's status bit, on while any device of the domain is switched on)."""
    mask, dst, src = f.get("any_of"), f.get("to"), f.get("offset")
    if (
        set(f) - {"any_of", "to", "offset"}
        or not isinstance(mask, int)
        or not 0 < mask < 1 << 32
        or not isinstance(dst, int)
        or not 0 <= dst < 32
        or not (src is None or isinstance(src, int))
    ):
        raise ConfigError(
            f"{where}.follow {{any_of, to, offset}}: any_of a non-zero 32-bit mask, to a bit "
            "0-31, offset (optional) another register of the peripheral"
        )
    return mask, dst, src


def _mask(where: str, e: dict, key: str) -> int:
    v = e.get(key, 0)
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 32:
        raise ConfigError(f"{where}.{key} must be a 32-bit integer")
    return v


class Registers(Peripheral):
    """Registers as data: described ones (``registers``: reset value, follow, read-only and
    write-1-to-clear bits), constant ones (``reads``), and any other offset reads back what
    was written (``default`` before it is: 0, or 0xFFFFFFFF for an erased flash page such as
    the nRF52 UICR). ``atomic_aliases``: the window is 4 KB of registers followed by three
    aliases of them where a write XORs, sets or clears the written bits (RP2040 §2.1.2)."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        where: str,
        reads: Any = (),
        registers: Any = (),
        default: int = 0,
        system: System | None = None,
        atomic_aliases: bool = False,
    ):
        super().__init__(name, base, size_bytes)
        if not isinstance(atomic_aliases, bool) or (atomic_aliases and size_bytes < 0x4000):
            raise ConfigError(
                f"{where}.atomic_aliases = true needs size_bytes 0x4000 (register block, then "
                "its XOR, set and clear aliases)"
            )
        self.atomic = atomic_aliases
        self.consts = _constant_reads(f"{where}.reads", list(reads))
        self.regs = RegisterFile(size_bytes, _mask(where, {"default": default}, "default"))
        if not isinstance(registers, (list, tuple)):
            raise ConfigError(f"{where}.registers must be an array of tables")
        self.described: dict[int, _Register] = {}
        for i, e in enumerate(registers):
            self.described[e["offset"] if isinstance(e, dict) else -1] = _Register(
                f"{where}.registers[{i}]", e
            )
        for offset, r in self.described.items():
            for _, _, target, _, _ in r.commands:
                if target is not None and target not in self.described:
                    raise ConfigError(
                        f"{where}: register 0x{offset:03x}'s command acts on 0x{target:03x}, "
                        "which registers does not describe"
                    )

    def _stored(self, offset: int) -> int:
        r = self.described.get(offset)
        if r is not None:
            return r.value
        return _read(self.consts, self.regs, offset, 4)

    def register_name(self, offset: int) -> str | None:
        """The described register's name at ``offset`` (for diagnostics), or None."""
        r = self.described.get(offset & ~3)
        return r.name if r is not None else None

    def read(self, offset: int, size: int) -> int:
        if self.atomic:  # an alias reads as the register
            offset %= ALIAS_SPAN
        r = self.described.get(offset & ~3)
        if r is not None:
            shift = 8 * (offset & 3)
            return (r.read(self._stored) >> shift) & ((1 << (8 * size)) - 1)
        return _read(self.consts, self.regs, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        if self.atomic and offset >= ALIAS_SPAN:  # XOR, set or clear the bits as they read
            op, offset = divmod(offset, ALIAS_SPAN)
            old = self.read(offset, size)
            self.write(offset, size, (old ^ value, old | value, old & ~value)[op - 1])
            return
        r = self.described.get(offset & ~3)
        if r is not None:
            shift, mask = 8 * (offset & 3), (1 << (8 * size)) - 1
            written = (value & mask) << shift
            r.write(written, mask << shift)
            for (bits, match, target, set_, clear), copy in zip(r.commands, r.copies, strict=True):
                if bits & (mask << shift) == bits and written & bits == match:
                    t = r if target is None else self.described[target]
                    t.value = (t.value & ~clear | set_) & 0xFFFFFFFF
                    if copy is not None:
                        m = copy[1]
                        t.value = t.value & ~m | self.read(copy[0], 4) & m
            return
        self.regs.write(offset, size, value)


class Uart(Registers):
    """A UART whose transmit register feeds the console; its other registers are registers
    as data (``status``: constant reads such as 'TX empty'; ``registers``: e.g. a transmit-
    enable acknowledge that follows the enable bit). With ``irq`` and ``interrupts``
    (``{flag = {offset, bit}, enable = {offset, bit}}``) its interrupt line is high while a
    flag reads 1 with its enable bit set, and a line going high makes the IRQ pending; as the
    transmission takes no time, a write to the transmit register empties and refills the
    transmitter, so a line still high after it goes high again (an enabled 'transmit register
    empty' or 'transmission complete' interrupt is pending again after each byte)."""

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
        registers: Any = (),
        atomic_aliases: bool = False,
        irq: int | None = None,
        interrupts: Any = (),
    ):
        super().__init__(
            name, base, size_bytes, where=where, reads=list(status), registers=registers,
            atomic_aliases=atomic_aliases,
        )  # fmt: skip
        if not isinstance(tx_data_offset, int) or not 0 <= tx_data_offset < size_bytes:
            raise ConfigError(f"{where}.tx_data_offset must be an offset inside the peripheral")
        self.system = system
        self.tx = tx_data_offset
        self.is_console = bool(console)
        self.bytes_sent = 0
        self.irq, self.interrupts = _interrupts(where, irq, interrupts, size_bytes)
        self.line = False

    def write(self, offset: int, size: int, value: int) -> None:
        if offset == self.tx:
            self.bytes_sent += 1
            if self.is_console:
                self.system.console(bytes([value & 0xFF]), self.name)
            if self.interrupts:
                self.line = False  # the transmitter empties and refills at once
                self._update_line()
            return
        super().write(offset, size, value)
        if self.interrupts:
            self._update_line()

    def _update_line(self) -> None:
        high = any(
            (self.read(f_off, 4) >> f_bit) & 1 and (self.read(e_off, 4) >> e_bit) & 1
            for f_off, f_bit, e_off, e_bit in self.interrupts
        )
        self.line = interrupt_line(self.system, self.irq, self.line, high)


def _interrupts(
    where: str, irq: Any, entries: Any, size_bytes: int
) -> tuple[int, list[tuple[int, int, int, int]]]:
    """``irq`` and ``interrupts = [{flag = {offset, bit}, enable = {offset, bit}}]``."""
    if not isinstance(entries, (list, tuple)):
        raise ConfigError(f"{where}.interrupts must be an array of {{flag, enable}} tables")
    if entries and (not isinstance(irq, int) or isinstance(irq, bool) or irq < 0):
        raise ConfigError(f"{where}.interrupts needs irq: the UART's IRQ number")

    def bit(e: Any, key: str) -> tuple[int, int]:
        b = register_bit(e.get(key)) if isinstance(e, dict) else None
        if b is None or not 0 <= b[0] < size_bytes:
            raise ConfigError(
                f"{where}.interrupts entries are {{flag = {{offset, bit}}, enable = {{offset, "
                "bit}}, meaning}}: a status bit and the bit enabling its interrupt"
            )
        return b

    out = []
    for e in entries:
        if isinstance(e, dict) and set(e) - {"flag", "enable", "meaning"}:
            raise ConfigError(f"{where}.interrupts entries take flag, enable and meaning")
        out.append((*bit(e, "flag"), *bit(e, "enable")))
    return (irq if entries else 0), out
