"""The native fast path: a C block hook doing CycleCounter.on_block's work (L3).

``mcusim/_native/fastpath.c`` is compiled when the package is installed (a hatchling build hook
calls the system C compiler). When the library is missing, runs use the pure-Python hook with
a one-line notice; both give the same counts. ``MCUSIM_NATIVE=0`` forces the Python path.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from pathlib import Path

from mcusim.timing.accounting import Block, CycleCounter

_DIR = Path(__file__).resolve().parent / "_native"
EVENT = ctypes.CFUNCTYPE(
    ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int64, ctypes.c_int32
)
NO_PREV = (1 << 64) - 1


class _State(ctypes.Structure):
    """The public prefix of fp_state in fastpath.c (same order and types)."""

    _fields_ = [
        ("cycles", ctypes.c_uint64),
        ("deadline", ctypes.c_uint64),
        ("block_start", ctypes.c_uint64),
        ("prev", ctypes.c_int64),
        ("prev_end", ctypes.c_uint64),
        ("prev_taken_extra", ctypes.c_int64),
        ("current", ctypes.c_int64),
        ("error", ctypes.c_int64),
    ]


@cache
def library() -> ctypes.CDLL | None:
    """The compiled fast path, or None (see :func:`unavailable_reason`)."""
    if os.environ.get("MCUSIM_NATIVE", "1") == "0":
        return None
    found = sorted(_DIR.glob("_fastpath*.so"))
    if not found:
        return None
    lib = ctypes.CDLL(str(found[0]))
    lib.fp_new.restype = ctypes.POINTER(_State)
    lib.fp_new.argtypes = [EVENT]
    lib.fp_free.argtypes = [ctypes.POINTER(_State)]
    lib.fp_register.restype = ctypes.c_int64
    lib.fp_register.argtypes = (
        [ctypes.POINTER(_State), ctypes.c_uint64, ctypes.c_uint32]
        + [ctypes.c_int64] * 5
        + [ctypes.c_int32]
    )
    lib.fp_set_special.argtypes = [ctypes.POINTER(_State), ctypes.c_int64, ctypes.c_int32]
    u64p = ctypes.POINTER(ctypes.c_uint64)
    lib.fp_export.argtypes = [ctypes.POINTER(_State), u64p, u64p, u64p, ctypes.c_int64]
    return lib


def unavailable_reason() -> str:
    if os.environ.get("MCUSIM_NATIVE", "1") == "0":
        return "disabled by MCUSIM_NATIVE=0"
    return f"no compiled fast path in {_DIR} (install with a C compiler present)"


class NativeCycleCounter(CycleCounter):
    """CycleCounter whose hot path runs in C; Python sees the same attributes."""

    def __init__(self, *args, **kwargs):
        self._lib = library()
        assert self._lib is not None
        self._event_cb = EVENT(self._event)
        self._state = self._lib.fp_new(self._event_cb)
        if not self._state:
            raise MemoryError("fast path state")
        self._s = self._state.contents
        self._by_index: list[Block] = []
        super().__init__(*args, **kwargs)

    def __del__(self) -> None:
        lib, state = getattr(self, "_lib", None), getattr(self, "_state", None)
        if lib is not None and state:
            lib.fp_free(state)
            self._state = None

    @property
    def hook_address(self) -> int:
        return ctypes.cast(self._lib.fp_block_hook, ctypes.c_void_p).value

    @property
    def user_data(self) -> int:
        return ctypes.addressof(self._s)

    # The counter's state lives in C: these attributes read and write it.
    cycles = property(lambda self: self._s.cycles, lambda self, v: setattr(self._s, "cycles", v))
    deadline = property(
        lambda self: self._s.deadline, lambda self, v: setattr(self._s, "deadline", max(0, v))
    )
    block_start = property(
        lambda self: self._s.block_start, lambda self, v: setattr(self._s, "block_start", v)
    )

    @property
    def current(self) -> Block | None:
        i = self._s.current
        return self._by_index[i] if i >= 0 else None

    @current.setter
    def current(self, value: Block | None) -> None:
        if value is None:
            self._s.current = -1

    @property
    def prev(self):  # only restart() changes it from Python
        return None

    @prev.setter
    def prev(self, value) -> None:
        self._s.prev = -1
        self._s.prev_end = NO_PREV if value.end < 0 else value.end
        self._s.prev_taken_extra = 0

    def _event(self, address: int, size: int, index: int, seq: int) -> int:
        try:
            if index < 0:
                b = self._new_block(address, size)
                i = self._lib.fp_register(
                    self._state,
                    address,
                    size,
                    b.cost_seq,
                    b.cost_entry,
                    b.seq_pen,
                    b.entry_pen,
                    b.taken_extra,
                    int(b.special),
                )
                if i < 0:
                    raise MemoryError("fast path block table")
                self._by_index.append(b)
                return i
            return int(bool(self.on_event(self._by_index[index], bool(seq))))
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._error = e
            self._s.error = 1
            self.stop()
            return 1 if index >= 0 else -1

    def set_fp_allowed(self, allowed: bool) -> None:
        super().set_fp_allowed(allowed)
        for i, b in enumerate(self._by_index):
            self._lib.fp_set_special(self._state, i, int(b.special))

    def sync(self) -> None:
        """Copy the C execution counters into the Block objects (after a run)."""
        n = len(self._by_index)
        if not n:
            return
        arrays = [(ctypes.c_uint64 * n)() for _ in range(3)]
        self._lib.fp_export(self._state, *arrays, n)
        for b, c, e, t in zip(self._by_index, *arrays, strict=True):
            b.count, b.entries, b.taken_out = c, e, t

    def all_blocks(self) -> list[Block]:
        return list(self._by_index)
