"""Semihosting's vocabulary (L3.5): operation numbers, reason and errno codes, limits, the
guest-memory protocol, and the small helpers the operations share.
"""

from __future__ import annotations

import errno as host_errno
import io
import math
from dataclasses import dataclass
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
