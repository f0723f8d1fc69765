"""The native fast path's cycle counter (L3.5): a C block hook doing CycleCounter.on_block's
work, and the Python view of the blocks it keeps.
"""

from __future__ import annotations

import ctypes

import numpy as np

from mcusim.errors import InputError
from mcusim.machine.native.library import (
    BLOCK_FIELDS,
    EVENT,
    FL_ALIGN,
    FL_FP,
    FL_IT_ENDED,
    FL_SELF_LOOP,
    NO_PREV,
    STEM,
    library,
)
from mcusim.machine.native.setup import NativeSetup
from mcusim.timing.accounting import Block, CycleCounter
from mcusim.timing.decode import decode
from mcusim.timing.model import (
    CycleModel,
)

_CORE_REGS = tuple(f"r{i}" for i in range(13)) + ("sp", "lr", "pc")


class NativeBlock(Block):
    """A block the C side decoded and costed: its instructions are decoded in Python only if
    something asks for them (a timer read inside it, a fault report)."""

    __slots__ = ("_model", "_fetch", "_uses_fp", "_pairs")

    def __init__(self, address: int, size: int, model: CycleModel, fetch_code, flags: int):
        super().__init__(address, size, [])
        self._insns = None
        self._model, self._fetch = model, fetch_code
        self._uses_fp = bool(flags & FL_FP)
        self.self_loop = bool(flags & FL_SELF_LOOP)

    @property
    def uses_fp(self) -> bool:
        return self._uses_fp

    def _describe(self) -> None:
        self._insns = decode(self._fetch(self.address, self.size), self.address, self._model.names)
        cost = self._model.cost_block(self._insns)
        self._insn_cycles, self._fp_first = cost.insn_cycles, cost.fp_first
        self._pairs = tuple(cost.pairs)  # the same pairs C found (fastpath.c native_block)

    @property
    def pairs(self) -> tuple:
        if self._insns is None:
            self._describe()
        return self._pairs

    @pairs.setter
    def pairs(self, value: tuple) -> None:
        pass  # C holds them

    @property
    def insns(self):
        if self._insns is None:
            self._describe()
        return self._insns

    @property
    def insn_cycles(self) -> list[int]:
        if self._insns is None:
            self._describe()
        return self._insn_cycles

    @property
    def fp_first(self) -> int | None:
        if self._insns is None:
            self._describe()
        return self._fp_first


class NativeCycleCounter(NativeSetup, CycleCounter):
    """CycleCounter whose hot path (and the costing of most new blocks) runs in C; Python sees
    the same attributes."""

    def __init__(self, *args, **kwargs):
        self._lib = library()
        assert self._lib is not None
        self._event_cb = EVENT(self._event)
        self._stem_cb = STEM(self._stem)
        self._state = self._lib.fp_new(self._event_cb)
        if not self._state:
            raise MemoryError("fast path state")
        self._s = self._state.contents
        self._by_index: list[Block | None] = []
        self._synced_extra: list[int] = []  # C's .extra of each block at the last sync
        self._operand_fallbacks: dict[int, object] = {}
        self._timing: dict[str, dict] = {}  # per region: what fp_set_timing was last given
        super().__init__(*args, **kwargs)
        self._configure()

    def __del__(self) -> None:
        lib, state = getattr(self, "_lib", None), getattr(self, "_state", None)
        if lib is not None and state:
            lib.fp_free(state)
            self._state = None

    # -- the counter's state lives in C: these attributes read and write it ---------------
    cycles = property(lambda self: self._s.cycles, lambda self, v: setattr(self._s, "cycles", v))
    deadline = property(
        lambda self: self._s.deadline, lambda self, v: setattr(self._s, "deadline", max(0, v))
    )
    block_start = property(
        lambda self: self._s.block_start, lambda self, v: setattr(self._s, "block_start", v)
    )
    executions = property(
        lambda self: self._s.executions, lambda self, v: setattr(self._s, "executions", v)
    )

    @property
    def it_watch(self) -> bool:
        return bool(self._s.it_watch)

    @it_watch.setter
    def it_watch(self, on: bool) -> None:
        """C checks the IT state itself (uc_reg_read of XPSR) and calls Python only when it
        must be repaired."""
        if on:
            from mcusim.machine.cpu import reg_id, reg_read_function

            self._lib.fp_set_xpsr_read(self._state, reg_read_function(), reg_id("xpsr"))
        self._s.it_watch = int(on)

    split_bits = property(lambda self: self._s.split_bits, lambda self, v: None)
    it_check = property(
        lambda self: bool(self._s.it_check), lambda self, v: setattr(self._s, "it_check", int(v))
    )

    @property
    def hook_address(self) -> int:
        return ctypes.cast(self._lib.fp_block_hook, ctypes.c_void_p).value

    @property
    def user_data(self) -> int:
        return ctypes.addressof(self._s)

    @property
    def current(self) -> Block | None:
        i = self._s.current
        return self._block(i) if i >= 0 else None

    @current.setter
    def current(self, value: Block | None) -> None:
        if value is None:
            self._s.current = -1

    @property
    def prev(self):  # only restart() changes it from Python
        return None

    @prev.setter
    def prev(self, value) -> None:
        self._s.prev = None
        self._s.prev_end = NO_PREV if value.end < 0 else value.end

    # -- blocks ---------------------------------------------------------------------------
    def _info(self, first: int, n: int) -> np.ndarray:
        """Rows of BLOCK_FIELDS for blocks [first, first + n) from C."""
        out = np.zeros((n, len(BLOCK_FIELDS)), dtype=np.int64)
        self._lib.fp_block_info(self._state, first, n, out.ctypes.data)
        return out

    def _block(self, index: int, info: np.ndarray | None = None) -> Block:
        """The Python view of block ``index`` (made on first use for a block C costed)."""
        if index < len(self._by_index) and (b := self._by_index[index]) is not None:
            return b
        self._by_index += [None] * (self._lib.fp_count(self._state) - len(self._by_index))
        row = (self._info(index, 1)[0] if info is None else info).tolist()
        f = dict(zip(BLOCK_FIELDS, row, strict=True))
        b = NativeBlock(f["address"], f["size"], self.model, self.fetch_code, f["flags"])
        for key in ("cost_seq", "cost_entry", "taken_extra", "entry_pen"):
            setattr(b, key, f[key])
        b.n_insns = f["n_insns"]
        b.special = b.needs_check(self.fp_allowed)
        self._by_index[index] = b
        return b

    def _flags(self, b: Block) -> int:
        return (
            (FL_SELF_LOOP if b.self_loop else 0)
            | (FL_FP if b.uses_fp else 0)
            | (FL_ALIGN if b.align and _entry_checks(b) is None else 0)
            | (FL_IT_ENDED if b.it_ended else 0)
        )

    def _send_align(self, index: int, b: Block) -> None:
        """C checks a block's alignment at entry when every check can be made there (Python's
        AlignmentCheck then sees the block only when one fails); else the block stays special
        (FL_ALIGN) and Python checks and hooks it."""
        rows = _entry_checks(b) if b.align else None
        data = (ctypes.c_int32 * (5 * len(rows)))(*[v for r in rows for v in r]) if rows else None
        if self._lib.fp_set_align(self._state, index, len(rows or ()), data) != 0:
            raise MemoryError("fast path alignment checks")

    def set_memory_blocks(self, blocks: tuple[tuple[int, int], ...], reg) -> None:
        """C checks the pipelined pairs (CycleCounter.set_memory_blocks) at block entry."""
        from mcusim.machine.cpu import reg_id, reg_read_function

        super().set_memory_blocks(blocks, reg)
        ranges = (ctypes.c_uint64 * (2 * len(blocks)))(*[v for b in blocks for v in b])
        ids = (ctypes.c_int32 * 16)(*[reg_id(r) for r in _CORE_REGS])
        if self._lib.fp_set_memory_blocks(
            self._state, len(blocks), ranges, ids, reg_read_function()
        ):
            raise InputError(
                f"target has {len(blocks)} memory blocks (regions and bank_bytes banks); the "
                "fast path handles at most 32 (MCUSIM_NATIVE=0 runs without it)"
            )

    def _send_pairs(self, index: int, b: Block) -> None:
        """A Python-costed block's pipelined pairs (BlockCost.pairs), registers as ids."""
        from mcusim.machine.cpu import reg_id

        rows = []
        for at, saved, *accesses in b.pairs:
            rows += [at, saved]
            for base, idx, shift, disp in accesses:
                rows += [reg_id(base), reg_id(idx) if idx else -1, shift, disp]
        data = (ctypes.c_int32 * len(rows))(*rows)
        if self._lib.fp_set_pairs(self._state, index, len(b.pairs), data) != 0:
            raise MemoryError("fast path pipelined pairs")

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
                    b.entry_pen,
                    b.taken_extra,
                    self._flags(b),
                    b.n_insns,
                )
                if i < 0:
                    raise MemoryError("fast path block table")
                if b.align:
                    self._send_align(i, b)
                if b.pairs:
                    self._send_pairs(i, b)
                self._by_index += [None] * (i + 1 - len(self._by_index))
                self._by_index[i] = b
                return i
            return int(bool(self.on_event(self._block(index), bool(seq))))
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._fail(e)
            self._s.error = 1
            return 1 if index >= 0 else -1

    def _new_block(self, address: int, size: int) -> Block:
        b = super()._new_block(address, size)
        self.blocks.pop(address)  # C keeps the table; the Python list keeps the object
        return b

    def set_fp_allowed(self, allowed: bool) -> None:
        self.fp_allowed = allowed
        self._lib.fp_set_fp_allowed(self._state, int(allowed))
        for i, b in enumerate(self._by_index):
            if b is None:
                continue
            if not isinstance(b, NativeBlock):  # costed in Python: its alignment checks may change
                self._lib.fp_set_flags(self._state, i, self._flags(b))
                self._send_align(i, b)
            b.special = b.needs_check(allowed)

    def sync(self) -> None:
        """Copy the C execution counters into the Block objects (after a run)."""
        n = self._lib.fp_count(self._state)
        info = self._info(0, n)
        counters = info[:, [BLOCK_FIELDS.index(k) for k in ("count", "entries", "taken_out")]]
        extras = info[:, BLOCK_FIELDS.index("extra")].tolist()
        self._synced_extra += [0] * (n - len(self._synced_extra))
        for i, (count, entries, taken_out) in enumerate(counters.tolist()):
            b = self._block(i, info[i])
            b.count, b.entries, b.taken_out = count, entries, taken_out
            # cycles charged in C at run time (cache misses, operand hooks), besides Python's
            b.extra += extras[i] - self._synced_extra[i]
            self._synced_extra[i] = extras[i]

    def all_blocks(self) -> list[Block]:
        return [self._block(i) for i in range(self._lib.fp_count(self._state))]


def _entry_checks(b: Block) -> list[tuple[int, int, int, int, int]] | None:
    """Block ``b``'s alignment rules as C's entry checks (size, base, index, shift and
    displacement, registers as Unicorn ids), or None when one of them needs a hook (its
    address register changes inside the block before the access)."""
    from mcusim.machine.cpu import is_register, reg_id

    rows = []
    for _, size, base, index, shift, disp, hooked in b.align:
        if hooked:
            return None
        index_id = reg_id(index) if index and is_register(index) else -1
        rows.append((size, reg_id(base), index_id, shift, disp))
    return rows
