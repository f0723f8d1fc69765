"""The semihosting service of one run (L3.5): the call dispatch, time, environment, exit, and
the checked guest-memory reads and writes every operation uses.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

from mcusim.machine.semihosting.base import (
    ADP_STOPPED_APPLICATION_EXIT,
    EFAULT,
    EINVAL,
    ENAMETOOLONG,
    ENOSYS,
    MAX_NAME,
    MAX_REFUSED,
    OPERATIONS,
    HeapInfo,
    Memory,
    SemihostingExit,
    _check_length,
    _floor_ticks,
    _guest_errno,
    _Handle,
    _Refusal,
    _show,
)
from mcusim.machine.semihosting.files import ConsoleAndFiles


class Semihosting(ConsoleAndFiles):
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
