"""Arm semihosting (BKPT 0xAB) for the firmware under test: console, exit codes, modelled time.

Layer L3: imports only the standard library. Host files are confined to one sandbox folder, and
every guest pointer and length is checked, because the firmware is untrusted.
Facts come from Arm "Semihosting for AArch32 and AArch64", release 2020Q4 (ARM-software/abi-aa).
"""

from __future__ import annotations

import errno as host_errno
import io
import math
import os
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

# Operation numbers, spec section "Semihosting operations".
OPERATIONS: dict[int, str] = {
    0x01: "SYS_OPEN",
    0x02: "SYS_CLOSE",
    0x03: "SYS_WRITEC",
    0x04: "SYS_WRITE0",
    0x05: "SYS_WRITE",
    0x06: "SYS_READ",
    0x07: "SYS_READC",
    0x08: "SYS_ISERROR",
    0x09: "SYS_ISTTY",
    0x0A: "SYS_SEEK",
    0x0C: "SYS_FLEN",
    0x0D: "SYS_TMPNAM",
    0x0E: "SYS_REMOVE",
    0x0F: "SYS_RENAME",
    0x10: "SYS_CLOCK",
    0x11: "SYS_TIME",
    0x12: "SYS_SYSTEM",
    0x13: "SYS_ERRNO",
    0x15: "SYS_GET_CMDLINE",
    0x16: "SYS_HEAPINFO",
    0x18: "SYS_EXIT",
    0x20: "SYS_EXIT_EXTENDED",
    0x30: "SYS_ELAPSED",
    0x31: "SYS_TICKFREQ",
}
# SYS_EXIT reason codes, spec SYS_EXIT (0x18) "Software reason codes" table.
ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN = 0x20023
ADP_STOPPED_APPLICATION_EXIT = 0x20026
# ":semihosting-features": magic "SHFB", then feature byte 0 with SH_EXT_EXIT_EXTENDED (bit 0)
# and SH_EXT_STDOUT_STDERR (bit 1); spec "Semihosting extensions" table.
FEATURES = b"SHFB" + bytes([0b11])
# SYS_OPEN "Value of mode" table; Python always gets the binary form (no difference on POSIX).
OPEN_MODES = ("r", "rb", "r+", "r+b", "w", "wb", "w+", "w+b", "a", "ab", "a+", "a+b")

# errno values as the guest's C library numbers them (newlib sys/errno.h), since newlib's
# rdimon stores the SYS_ERRNO reply in errno unchanged.
EPERM, ENOENT, EIO, EBADF, EACCES, EFAULT, EEXIST = 1, 2, 5, 9, 13, 14, 17
ENOTDIR, EISDIR, EINVAL, EMFILE, ENOSPC, ESPIPE = 20, 21, 22, 24, 28, 29
ENOSYS, ENOTEMPTY, ENAMETOOLONG = 88, 90, 91
_HOST_TO_GUEST_ERRNO = {
    name: value
    for name, value in globals().items()
    if name in host_errno.errorcode.values() and isinstance(value, int)
}

MAX_TRANSFER = 16 * 1024 * 1024  # largest SYS_READ / SYS_WRITE / SYS_GET_CMDLINE buffer
MAX_NAME = 4096  # longest file name (bytes) for OPEN / REMOVE / RENAME
MAX_STRING = 65536  # longest SYS_WRITE0 string before the terminating NUL
MAX_OPEN = 64  # open handles at once (console input, features, host files)
MAX_REFUSED = 1000  # entries kept in `refused`; later refusals are only counted
STDOUT_HANDLE, STDERR_HANDLE = 1, 2
FIRST_HANDLE = 3


class Memory(Protocol):
    """Guest memory as the simulator exposes it; may raise anything for an unmapped address."""

    def read(self, address: int, size: int) -> bytes: ...

    def write(self, address: int, data: bytes) -> None: ...


@dataclass(frozen=True)
class HeapInfo:
    """SYS_HEAPINFO reply, written in this order as four little-endian words."""

    heap_base: int
    heap_limit: int
    stack_base: int
    stack_limit: int


class SemihostingExit(Exception):
    """Raised by Semihosting.call() when the firmware exits (SYS_EXIT or SYS_EXIT_EXTENDED)."""

    def __init__(self, code: int, reason: int) -> None:
        super().__init__(f"firmware exit: code {code} (reason 0x{reason:X})")
        self.code = code
        self.reason = reason


class _Refusal(Exception):
    """A call the sandbox or the bounds refuse: returns -1 with errno and a `refused` entry."""

    def __init__(self, message: str, errno: int) -> None:
        super().__init__(message)
        self.errno = errno


@dataclass
class _Handle:
    kind: str  # "stdin" | "features" | "file"
    name: str
    file: BinaryIO | None = None
    position: int = 0  # read position in the features pseudo-file


def _floor_ticks(seconds: float, rate: float) -> int:
    """Whole ticks elapsed; the tiny nudge keeps 0.29 s from becoming 28.999… centiseconds."""
    return max(0, math.floor(seconds * rate * (1.0 + 1e-12)))


class Semihosting:
    """Services one firmware's semihosting calls.

    Handles: 1 is the console's stdout and 2 its stderr (always open, SYS_CLOSE on them is a
    no-op); ":tt" opened for writing (modes 4-7) returns 1 and for appending (modes 8-11) returns
    2, as SH_EXT_STDOUT_STDERR asks. Everything else (":tt" for reading, ":semihosting-features",
    host files) gets the lowest free handle from 3 on, at most MAX_OPEN of them at once.
    Return values are Python ints (-1 on failure); the caller masks them to 32 bits for r0.
    """

    def __init__(
        self,
        memory: Memory,
        *,
        console: Callable[[bytes, int], None],
        stdin: Callable[[int], bytes] | None = None,
        root: Path | None = None,
        cmdline: str = "",
        clock_seconds: Callable[[], float],
        tick_hz: int,
        heap_info: HeapInfo,
        start_epoch_s: int = 0,
    ) -> None:
        self._memory = memory
        self._console = console
        self._stdin = stdin
        self._root = Path(os.path.realpath(root)) if root is not None else None
        self._cmdline = cmdline.encode("utf-8")
        self._clock_seconds = clock_seconds
        self._tick_hz = int(tick_hz)
        self._heap_info = heap_info
        self._start_epoch_s = int(start_epoch_s)
        self._handles: dict[int, _Handle] = {}
        self.errno = 0
        self.refused: list[str] = []
        self.refused_total = 0
        self.counts: dict[str, int] = {}

    # ---- entry point -------------------------------------------------------------------------

    def call(self, op: int, param: int) -> int:
        """Run operation `op` (r0) with `param` (r1); return the new r0.

        Raises SemihostingExit for SYS_EXIT / SYS_EXIT_EXTENDED. Bad guest pointers, oversize
        lengths and sandbox refusals return -1 with errno set; they never raise.
        """
        op &= 0xFFFFFFFF
        param &= 0xFFFFFFFF
        name = OPERATIONS.get(op, "UNKNOWN")
        self.counts[name] = self.counts.get(name, 0) + 1
        handler = getattr(self, "_op_" + name[4:].lower(), None) if op in OPERATIONS else None
        try:
            if handler is None:
                raise _Refusal(f"operation 0x{op:X}: not a semihosting operation", ENOSYS)
            return int(handler(param))
        except _Refusal as refusal:
            self._refuse(f"{name} {refusal}", refusal.errno)
        except OSError as error:  # an ordinary host failure (no such file…), not a refusal
            self.errno = _guest_errno(error)
        return -1

    def close(self) -> None:
        """Close every host file the firmware left open."""
        for handle in self._handles.values():
            if handle.file is not None:
                handle.file.close()
        self._handles.clear()

    # ---- console and files -------------------------------------------------------------------

    def _op_open(self, param: int) -> int:
        name_ptr, mode, length = self._words(param, 3)
        raw = self._name(name_ptr, length)
        if mode >= len(OPEN_MODES):
            raise _Refusal(f"{_show(raw)}: mode {mode} is not in the mode table", EINVAL)
        if raw == b":tt":
            if mode >= 8:
                return STDERR_HANDLE
            return STDOUT_HANDLE if mode >= 4 else self._allocate(_Handle("stdin", ":tt"))
        if raw == b":semihosting-features":
            if mode > 1:  # spec: only modes 0 (r) and 1 (rb) may open it
                raise _Refusal(f"{_show(raw)}: mode {mode} is not a read mode", EACCES)
            return self._allocate(_Handle("features", ":semihosting-features"))
        path = self._sandboxed(raw)
        self._allocate(None)  # raises EMFILE before a host file is opened
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise _Refusal(f"{_show(raw)}: not a regular file", EACCES)
        except FileNotFoundError:
            if mode < 4:
                raise
        python_mode = OPEN_MODES[mode].replace("b", "") + "b"
        file = open(path, python_mode, buffering=0)  # noqa: SIM115 - lives in the handle table
        return self._allocate(_Handle("file", raw.decode(), file))

    def _op_close(self, param: int) -> int:
        (number,) = self._words(param, 1)
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            return 0
        handle = self._handle(number)
        del self._handles[number]
        if handle.file is not None:
            handle.file.close()
        return 0

    def _op_writec(self, param: int) -> int:
        self._console(self._read(param, 1), STDOUT_HANDLE)
        return 0

    def _op_write0(self, param: int) -> int:
        text = bytearray()
        address = param
        while len(text) <= MAX_STRING:
            # Chunks never cross a 64-byte boundary, so never run from a mapped page into an
            # unmapped one past the terminating NUL.
            chunk = self._read(address, 64 - address % 64)
            end = chunk.find(b"\0")
            if end >= 0:
                text += chunk[:end]
                if len(text) > MAX_STRING:
                    break
                self._console(bytes(text), STDOUT_HANDLE)
                return 0
            text += chunk
            address = (address + len(chunk)) & 0xFFFFFFFF
        raise _Refusal(f"at 0x{param:08X}: no NUL within {MAX_STRING} bytes", EINVAL)

    def _op_write(self, param: int) -> int:
        number, buffer, length = self._words(param, 3)
        _check_length(length, "length")
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            if length:
                self._console(self._read(buffer, length), number)
            return 0
        handle = self._handle(number)
        if handle.file is None:  # console input or the features pseudo-file
            self.errno = EBADF
            return length
        written = handle.file.write(self._read(buffer, length)) if length else 0
        return length - (written or 0)

    def _op_read(self, param: int) -> int:
        number, buffer, length = self._words(param, 3)
        _check_length(length, "length")
        handle = self._handle(number)
        if length == 0:
            return 0
        if handle.kind == "stdin":
            data = self._stdin(length)[:length] if self._stdin is not None else b""
        elif handle.kind == "features":
            data = FEATURES[handle.position : handle.position + length]
            handle.position += len(data)
        else:
            assert handle.file is not None
            data = handle.file.read(length) or b""
        if data:
            self._write(buffer, data)
        return length - len(data)

    def _op_readc(self, param: int) -> int:
        data = self._stdin(1)[:1] if self._stdin is not None else b""
        return data[0] if data else -1

    def _op_iserror(self, param: int) -> int:
        (status,) = self._words(param, 1)
        return 1 if status & 0x80000000 else 0

    def _op_istty(self, param: int) -> int:
        (number,) = self._words(param, 1)
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            return 1
        return 1 if self._handle(number).kind == "stdin" else 0

    def _op_seek(self, param: int) -> int:
        number, position = self._words(param, 2)
        handle = self._handle(number) if number not in (STDOUT_HANDLE, STDERR_HANDLE) else None
        if handle is None or handle.kind == "stdin":
            raise _Refusal(f"handle {number}: the console cannot seek", ESPIPE)
        if handle.kind == "features":
            if position > len(FEATURES):
                raise _Refusal(f"{position}: past the end of :semihosting-features", EINVAL)
            handle.position = position
            return 0
        if position & 0x80000000:
            raise _Refusal(f"{position}: position above 2 GiB", EINVAL)
        assert handle.file is not None
        handle.file.seek(position)
        return 0

    def _op_flen(self, param: int) -> int:
        (number,) = self._words(param, 1)
        handle = self._handle(number) if number not in (STDOUT_HANDLE, STDERR_HANDLE) else None
        if handle is None or handle.kind == "stdin":
            raise _Refusal(f"handle {number}: the console has no length", EINVAL)
        if handle.kind == "features":
            return len(FEATURES)
        assert handle.file is not None
        return os.fstat(handle.file.fileno()).st_size

    def _op_tmpnam(self, param: int) -> int:
        raise _Refusal("refused: temporary host files are not offered", EACCES)

    def _op_remove(self, param: int) -> int:
        name_ptr, length = self._words(param, 2)
        path = self._sandboxed(self._name(name_ptr, length))
        os.remove(path)
        return 0

    def _op_rename(self, param: int) -> int:
        old_ptr, old_length, new_ptr, new_length = self._words(param, 4)
        old = self._sandboxed(self._name(old_ptr, old_length))
        new = self._sandboxed(self._name(new_ptr, new_length))
        os.rename(old, new)
        return 0

    def _op_system(self, param: int) -> int:
        # Never runs anything; the command text is read only to make the record useful.
        try:
            command_ptr, length = self._words(param, 2)
            text = _show(self._read(command_ptr, min(length, 200)))
        except _Refusal:
            text = "(unreadable)"
        raise _Refusal(f"{text}: host commands are never run", EACCES)

    # ---- time, environment, exit -------------------------------------------------------------

    def _op_clock(self, param: int) -> int:
        return _floor_ticks(self._clock_seconds(), 100)

    def _op_time(self, param: int) -> int:
        return self._start_epoch_s + _floor_ticks(self._clock_seconds(), 1)

    def _op_elapsed(self, param: int) -> int:
        ticks = _floor_ticks(self._clock_seconds(), self._tick_hz) & 0xFFFFFFFFFFFFFFFF
        self._write(param, struct.pack("<Q", ticks))  # low word first, spec SYS_ELAPSED 32-bit
        return 0

    def _op_tickfreq(self, param: int) -> int:
        return self._tick_hz

    def _op_errno(self, param: int) -> int:
        return self.errno

    def _op_get_cmdline(self, param: int) -> int:
        buffer, size = self._words(param, 2)
        _check_length(size, "buffer size")
        if len(self._cmdline) + 1 > size:
            raise _Refusal(f"{len(self._cmdline)} bytes do not fit a {size}-byte buffer", EINVAL)
        self._write(buffer, self._cmdline + b"\0")
        self._write(param + 4, struct.pack("<I", len(self._cmdline)))
        return 0

    def _op_heapinfo(self, param: int) -> int:
        # r1 holds the address of a pointer to the four-word block (spec SYS_HEAPINFO).
        (block,) = self._words(param, 1)
        info = self._heap_info
        words = (info.heap_base, info.heap_limit, info.stack_base, info.stack_limit)
        self._write(block, struct.pack("<4I", *(word & 0xFFFFFFFF for word in words)))
        return 0

    def _op_exit(self, param: int) -> int:
        # 32-bit SYS_EXIT carries only a reason code: ApplicationExit means success (0), any
        # other reason (RunTimeErrorUnknown from abort(), a hardware-vector reason…) means 1.
        raise SemihostingExit(0 if param == ADP_STOPPED_APPLICATION_EXIT else 1, param)

    def _op_exit_extended(self, param: int) -> int:
        # {reason, subcode}: for ApplicationExit the subcode is the exit() status (signed);
        # any other reason is a failure, exit code 1, as for SYS_EXIT.
        reason, subcode = self._words(param, 2)
        if reason != ADP_STOPPED_APPLICATION_EXIT:
            raise SemihostingExit(1, reason)
        raise SemihostingExit(subcode - (1 << 32) if subcode & 0x80000000 else subcode, reason)

    # ---- helpers -----------------------------------------------------------------------------

    def _refuse(self, message: str, errno: int) -> None:
        self.errno = errno
        self.refused_total += 1
        if len(self.refused) < MAX_REFUSED:
            self.refused.append(message)
        elif len(self.refused) == MAX_REFUSED:
            self.refused.append("... further refusals are counted in refused_total only")

    def _read(self, address: int, size: int) -> bytes:
        try:
            data = bytes(self._memory.read(address & 0xFFFFFFFF, size))
        except Exception as error:  # noqa: BLE001 - any memory failure is the guest's bad pointer
            raise _Refusal(f"bad pointer 0x{address:08X} (+{size}): {error}", EFAULT) from None
        if len(data) != size:
            raise _Refusal(f"bad pointer 0x{address:08X}: short read", EFAULT)
        return data

    def _write(self, address: int, data: bytes) -> None:
        try:
            self._memory.write(address & 0xFFFFFFFF, data)
        except Exception as error:  # noqa: BLE001 - any memory failure is the guest's bad pointer
            raise _Refusal(f"bad pointer 0x{address:08X} (+{len(data)}): {error}", EFAULT) from None

    def _words(self, address: int, count: int) -> tuple[int, ...]:
        return struct.unpack(f"<{count}I", self._read(address, 4 * count))

    def _name(self, address: int, length: int) -> bytes:
        if length > MAX_NAME:
            raise _Refusal(f"name of {length} bytes is longer than {MAX_NAME}", ENAMETOOLONG)
        raw = self._read(address, length) if length else b""
        if not raw or b"\0" in raw:
            raise _Refusal(f"{_show(raw)}: empty name or NUL inside the name", EINVAL)
        return raw

    def _sandboxed(self, raw: bytes) -> str:
        """Host path for a guest file name, or _Refusal if it could leave the sandbox root."""
        if self._root is None:
            raise _Refusal(f"{_show(raw)}: host files are not enabled (no sandbox root)", EACCES)
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refusal(f"{_show(raw)}: name is not UTF-8", EINVAL) from None
        if name.startswith("/"):
            raise _Refusal(f"{_show(raw)}: absolute paths are refused", EACCES)
        if ".." in name.split("/"):
            raise _Refusal(f"{_show(raw)}: '..' components are refused", EACCES)
        real = Path(os.path.realpath(self._root / name))  # follows every symlink
        if real == self._root or not real.is_relative_to(self._root):
            raise _Refusal(f"{_show(raw)}: outside the sandbox", EACCES)
        return str(real)

    def _handle(self, number: int) -> _Handle:
        handle = self._handles.get(number)
        if handle is None:
            raise _Refusal(f"handle {number}: not open", EBADF)
        return handle

    def _allocate(self, handle: _Handle | None) -> int:
        """Lowest free handle from FIRST_HANDLE for `handle` (None: only check there is room)."""
        if len(self._handles) >= MAX_OPEN:
            raise _Refusal(f"{MAX_OPEN} handles already open", EMFILE)
        number = FIRST_HANDLE
        while number in self._handles:
            number += 1
        if handle is not None:
            self._handles[number] = handle
        return number


def _check_length(length: int, what: str) -> None:
    if length > MAX_TRANSFER:
        raise _Refusal(f"{what} {length} is above the {MAX_TRANSFER}-byte limit", EINVAL)


def _guest_errno(error: OSError) -> int:
    if isinstance(error, io.UnsupportedOperation):  # e.g. writing a file opened read-only
        return EBADF
    return _HOST_TO_GUEST_ERRNO.get(host_errno.errorcode.get(error.errno or 0, "EIO"), EIO)


def _show(raw: bytes) -> str:
    text = raw[:200].decode("utf-8", "backslashreplace")
    return repr(text + ("…" if len(raw) > 200 else ""))
