"""A small bounds-checked FlatBuffers reader (L3): tables, vectors, strings, scalars.

Every offset is checked against the buffer before it is followed, so a malformed file raises
:class:`FlatbufferError` with the byte offset instead of reading out of bounds or looping.
"""

from __future__ import annotations

import struct


class FlatbufferError(ValueError):
    """The bytes are not a well-formed flatbuffer (message says where)."""


class Buffer:
    def __init__(self, data: bytes):
        self.data = data
        self.size = len(data)

    def _check(self, pos: int, n: int, what: str) -> None:
        if pos < 0 or n < 0 or pos + n > self.size:
            raise FlatbufferError(
                f"{what} at byte {pos} (+{n}) is outside the {self.size}-byte buffer"
            )

    def u8(self, pos: int) -> int:
        self._check(pos, 1, "u8")
        return self.data[pos]

    def scalar(self, pos: int, fmt: str) -> int | float:
        n = struct.calcsize(fmt)
        self._check(pos, n, "scalar")
        return struct.unpack_from("<" + fmt, self.data, pos)[0]

    def u32(self, pos: int) -> int:
        return int(self.scalar(pos, "I"))

    def root(self) -> Table:
        if self.size < 8:
            raise FlatbufferError(f"{self.size} bytes is too short for a flatbuffer")
        return self.table_at(self.u32(0), "root table")

    def table_at(self, pos: int, what: str = "table") -> Table:
        self._check(pos, 4, what)
        vt = pos - int(self.scalar(pos, "i"))
        self._check(vt, 4, f"{what} vtable")
        vt_size = int(self.scalar(vt, "H"))
        obj_size = int(self.scalar(vt + 2, "H"))
        if vt_size < 4 or vt_size % 2:
            raise FlatbufferError(f"{what} at byte {pos}: vtable size {vt_size} is invalid")
        self._check(vt, vt_size, f"{what} vtable")
        self._check(pos, obj_size, what)
        return Table(self, pos, vt, vt_size, obj_size)


class Table:
    def __init__(self, buf: Buffer, pos: int, vt: int, vt_size: int, obj_size: int):
        self.buf, self.pos, self.vt, self.vt_size, self.obj_size = buf, pos, vt, vt_size, obj_size

    def _field(self, index: int) -> int | None:
        slot = 4 + 2 * index
        if slot + 2 > self.vt_size:
            return None
        off = int(self.buf.scalar(self.vt + slot, "H"))
        if off == 0:
            return None
        if off >= self.obj_size:
            raise FlatbufferError(
                f"table at byte {self.pos}: field {index} offset {off} beyond the table's "
                f"{self.obj_size} bytes"
            )
        return self.pos + off

    def scalar(self, index: int, fmt: str, default: int | float = 0) -> int | float:
        p = self._field(index)
        return default if p is None else self.buf.scalar(p, fmt)

    def _indirect(self, index: int) -> int | None:
        p = self._field(index)
        return None if p is None else p + self.buf.u32(p)

    def table(self, index: int) -> Table | None:
        p = self._indirect(index)
        return None if p is None else self.buf.table_at(p)

    def _vector(self, index: int, elem_size: int) -> tuple[int, int] | None:
        p = self._indirect(index)
        if p is None:
            return None
        n = self.buf.u32(p)
        self.buf._check(p + 4, n * elem_size, f"vector field {index} ({n} elements)")
        return p + 4, n

    def vector_len(self, index: int) -> int:
        v = self._vector(index, 1)
        return v[1] if v else 0

    def scalars(self, index: int, fmt: str) -> list:
        n_bytes = struct.calcsize(fmt)
        v = self._vector(index, n_bytes)
        if v is None:
            return []
        start, n = v
        return list(struct.unpack_from(f"<{n}{fmt}", self.buf.data, start))

    def bytes_view(self, index: int) -> tuple[int, int] | None:
        """(start, length) of a [ubyte] vector, without copying."""
        return self._vector(index, 1)

    def string(self, index: int) -> str | None:
        v = self._vector(index, 1)
        if v is None:
            return None
        start, n = v
        return self.buf.data[start : start + n].decode("utf-8", "replace")

    def tables(self, index: int) -> list[Table]:
        v = self._vector(index, 4)
        if v is None:
            return []
        start, n = v
        return [self.buf.table_at(start + 4 * i + self.buf.u32(start + 4 * i)) for i in range(n)]
