"""The native fast path: a C block hook doing CycleCounter.on_block's work (L3).

``mcusim/_native/fastpath.c`` (with the Thumb decoder ``thumb.c``) is compiled when the package
is installed (a hatchling build hook calls the system C compiler). It counts cycles block by
block and decodes and costs new blocks itself from the core table this module hands it; a block
it cannot cost (an instruction its decoder or the table does not know, alignment checks on) is
decoded and costed here in Python, the same way the pure-Python path does. When the library is
missing, runs use the pure-Python hook with a one-line notice; both give the same counts.
``MCUSIM_NATIVE=0`` forces the Python path.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from pathlib import Path

import numpy as np

from mcusim.config.target import MemoryRegion
from mcusim.timing.accounting import Block, CycleCounter
from mcusim.timing.decode import base_name, decode
from mcusim.timing.flash import cache_stats, memory_stats
from mcusim.timing.model import (
    DATA_PROCESSING,
    FP_CLASSES,
    FP_RESULT,
    PIPELINE_FOLLOWERS,
    SINGLE_LOADS,
    CycleModel,
)

_DIR = Path(__file__).resolve().parents[1] / "_native"
EVENT = ctypes.CFUNCTYPE(
    ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int64, ctypes.c_int32
)
STEM = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_char_p, ctypes.c_void_p)
OPERAND = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_uint64)
OPERAND_KINDS = {"div": 0, "long_mul": 1, "long_mla": 2}  # fastpath.c OP_*
NO_PREV = (1 << 64) - 1
I64 = ctypes.c_int64

# fastpath.c's FL_* block flags and ST_* mnemonic flags
FL_SELF_LOOP, FL_FP, FL_ALIGN = 1, 2, 4  # (FL_NATIVE, 8, is set and read in C only)
FL_IT_ENDED = 16
ST_CONDITIONAL, ST_MOV_ADD, ST_B, ST_PYTHON = 1, 2, 4, 8
# fp_block_info's order
BLOCK_FIELDS = (
    "address",
    "size",
    "cost_seq",
    "cost_entry",
    "entry_pen",
    "taken_extra",
    "flags",
    "n_insns",
    "extra",
    "count",
    "entries",
    "taken_out",
)
# the K_* kinds of a class: the sets model.py's rules test, by class name
KINDS = (
    (DATA_PROCESSING.__contains__, 1),
    (SINGLE_LOADS.__contains__, 2),
    (PIPELINE_FOLLOWERS.__contains__, 4),
    (FP_RESULT.__contains__, 8),
    (FP_CLASSES.__contains__, 16),
    ("store".__eq__, 32),
    (("fp_load", "fp_store").__contains__, 64),
    ("fp_move".__eq__, 128),
    ("load_literal".__eq__, 256),
    ("fp_mac".__eq__, 512),
)
SELECTED = ("alu", "alu_pc", "load", "load_pc", "load_literal", "load_multiple", "pop_pc")


class _State(ctypes.Structure):
    """The public prefix of fp_state in fastpath.c (same order and types)."""

    _fields_ = [
        ("cycles", ctypes.c_uint64),
        ("deadline", ctypes.c_uint64),
        ("block_start", ctypes.c_uint64),
        ("prev", ctypes.c_void_p),
        ("prev_end", ctypes.c_uint64),
        ("current", I64),
        ("error", I64),
        ("executions", ctypes.c_uint64),
        ("it_watch", I64),
        ("it_check", I64),
    ]


class _Stem(ctypes.Structure):
    """fp_stem."""

    _fields_ = [
        ("mnemonic", ctypes.c_char * 16),
        ("cls", ctypes.c_int32),
        ("flags", ctypes.c_int32),
        ("mnemonic_cycles", ctypes.c_int32),
        ("used", ctypes.c_int32),
    ]


class _Class(ctypes.Structure):
    """fp_class."""

    _fields_ = [
        (name, ctypes.c_int32)
        for name in (
            "cycles",
            "taken_cycles",
            "per_register_cycles",
            "register_offset_cycles",
            "double_cycles",
            "core_register_cycles",
            "kind",
        )
    ]


class _Rules(ctypes.Structure):
    """fp_rules."""

    _fields_ = [
        (name, ctypes.c_int32)
        for name in (
            "pipelining",
            "pipe_saved",
            "pipe_min",
            "addr_stall",
            "literal_extra",
            "fp_stall",
            "unaligned_target_extra",
            *SELECTED,
        )
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
    state = ctypes.POINTER(_State)
    lib.fp_new.restype = state
    lib.fp_new.argtypes = [EVENT]
    lib.fp_free.argtypes = [state]
    lib.fp_register.restype = I64
    lib.fp_register.argtypes = [state, ctypes.c_uint64, ctypes.c_uint32] + [I64] * 6
    lib.fp_set_flags.argtypes = [state, I64, I64]
    lib.fp_set_fp_allowed.argtypes = [state, I64]
    lib.fp_set_costing.argtypes = [state, I64]
    lib.fp_count.restype = I64
    lib.fp_count.argtypes = [state]
    lib.fp_block_info.argtypes = [state, I64, I64, ctypes.c_void_p]
    lib.fp_configure.restype = I64
    lib.fp_configure.argtypes = [state, ctypes.POINTER(_Class), I64, ctypes.POINTER(_Rules), STEM]
    lib.fp_add_region.restype = ctypes.c_void_p
    lib.fp_add_region.argtypes = [state, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p]
    lib.fp_add_region.argtypes += [I64] * 2
    lib.fp_set_timing.argtypes = [ctypes.c_void_p] + [I64] * 4
    lib.fp_set_cache.restype = I64
    lib.fp_set_cache.argtypes = [ctypes.c_void_p] + [I64] * 4
    lib.fp_region_stats.argtypes = [ctypes.c_void_p, ctypes.POINTER(I64)]
    lib.fp_add_operand.restype = ctypes.c_void_p
    lib.fp_add_operand.argtypes = [state, ctypes.c_uint64] + [ctypes.c_int32] * 7
    lib.fp_set_operand_calls.argtypes = [state, ctypes.c_void_p, OPERAND]
    lib.fp_set_xpsr_read.argtypes = [state, ctypes.c_void_p, ctypes.c_int32]
    lib.fp_operand_cycles.restype = I64
    lib.fp_operand_cycles.argtypes = [ctypes.c_int32, ctypes.c_int32, ctypes.c_uint32]
    lib.fp_operand_cycles.argtypes += [ctypes.c_uint32, ctypes.c_int32, ctypes.c_int32]
    ptr = ctypes.c_void_p
    lib.fp_paint_words.argtypes = [ptr, ptr, I64, ctypes.c_uint32]
    lib.fp_unpaint_words.restype = I64
    lib.fp_unpaint_words.argtypes = [ptr, ptr, I64, ctypes.c_uint32]
    lib.fp_bytes_changed.restype = I64
    lib.fp_bytes_changed.argtypes = [ptr, ptr, ptr, I64]
    return lib


def unavailable_reason() -> str:
    if os.environ.get("MCUSIM_NATIVE", "1") == "0":
        return "disabled by MCUSIM_NATIVE=0"
    return f"no compiled fast path in {_DIR} (install with a C compiler present)"


class NativeBlock(Block):
    """A block the C side decoded and costed: its instructions are decoded in Python only if
    something asks for them (a timer read inside it, a fault report)."""

    __slots__ = ("_model", "_fetch", "_uses_fp")

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


class NativeCycleCounter(CycleCounter):
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

    # -- set-up ---------------------------------------------------------------------------
    def _configure(self) -> None:
        """Hand the core table to the C costing."""
        core = self.model.core
        names = list(core.classes)
        self._class_index = {n: i for i, n in enumerate(names)}
        table = (_Class * len(names))()
        for entry, name in zip(table, names, strict=True):
            c = core.classes[name]
            entry.cycles = c.cycles
            entry.taken_cycles = -1 if c.taken_cycles is None else c.taken_cycles
            entry.per_register_cycles = c.per_register_cycles
            for key in ("register_offset_cycles", "double_cycles", "core_register_cycles"):
                setattr(entry, key, int(c.extra.get(key, -1)))
            entry.kind = sum(bit for test, bit in KINDS if test(name))
        m = self.model
        rules = _Rules(
            int(m.pipelining),
            m.pipe_saved,
            m.pipe_min,
            m.addr_stall,
            m.literal_extra,
            m.fp_stall,
            m.unaligned_target_extra,
            *(self._class_index.get(n, -1) for n in SELECTED),
        )
        self._keep = (table, rules)
        self._mnemonic_cycles: dict[str, dict[str, int]] = {}  # mnemonic -> {class: cycles}
        for name, c in core.classes.items():
            for text, cycles in c.extra.get("mnemonic_cycles", {}).items():
                self._mnemonic_cycles.setdefault(text, {})[name] = int(cycles)
        if self._lib.fp_configure(self._state, table, len(names), rules, self._stem_cb) != 0:
            raise MemoryError("fast path costing tables")

    def attach_memory(self, regions: list[tuple[MemoryRegion, object]]) -> None:
        """The target's memory: (region, its numpy backing array) pairs, in the target's
        order. The arrays must live as long as the run; code outside them is costed in
        Python."""
        self._regions: dict[str, int] = {}  # name -> the C region
        for region, buf in regions:
            r = self._lib.fp_add_region(
                self._state,
                region.base,
                region.size_bytes,
                buf.ctypes.data,
                int(region.timed),
                region.fetch_width_bytes,
            )
            caches = [] if region.icache is None else [(0, region.icache)]
            if region.unified:
                caches.append((2, region.icache))
            elif region.dcache is not None:
                caches.append((1, region.dcache))
            if not r or any(
                self._lib.fp_set_cache(r, which, g.lines, g.line_bytes, g.ways)
                for which, g in caches
            ):
                raise MemoryError(f"fast path region {region.name}")
            self._regions[region.name] = r
            self._timing[region.name] = dict(
                wait_states=region.wait_states,
                prefetch=region.prefetch,
                icache_on=region.cache,
                dcache_on=region.cache,
            )
            self._lib.fp_set_timing(r, *self._timing[region.name].values())
        self._keep += (regions,)

    def configure_flash(self, region: MemoryRegion, **settings) -> None:
        t = self._timing[region.name]
        t.update(settings)
        self._lib.fp_set_timing(self._regions[region.name], *t.values())

    def hook_data_reads(self, cpu, region: MemoryRegion) -> None:
        """Charge the wait states of data reads from ``region`` in C (FlashTiming.read)."""
        from mcusim.machine.cpu import hook_reads_native

        callback = ctypes.cast(self._lib.fp_data_hook, ctypes.c_void_p).value
        hook_reads_native(cpu, region.base, region.end - 1, callback, self._regions[region.name])

    def _region_stats(self, region: MemoryRegion) -> dict:
        v = (I64 * 6)()
        self._lib.fp_region_stats(self._regions[region.name], v)
        fetch_stall, data_stall, ih, im, dh, dm = list(v)
        t = self._timing[region.name]
        return memory_stats(
            region,
            t["wait_states"],
            t["prefetch"],
            fetch_stall,
            data_stall,
            None if region.icache is None else cache_stats(ih, im),
            None if region.dcache is None else cache_stats(dh, dm),
        )

    @property
    def align_rules(self):
        return self._align_rules

    @align_rules.setter
    def align_rules(self, rules) -> None:
        # Alignment checks are worked out in Python from the decoded block.
        self._align_rules = rules
        self._lib.fp_set_costing(self._state, int(rules is None))

    def hook_operand(self, cpu, address: int, name: str, cls: str, regs, fallback) -> None:
        """Charge the operand-dependent cycles of the divide or long multiply ``name`` at
        ``address`` in C (as CycleModel.operand_cycles does); ``regs``: its two source
        registers; ``fallback()`` is Python's own handler, called for a division by zero."""
        from mcusim.machine.cpu import hook_code_native, reg_id, reg_read_function

        if not self._operand_fallbacks:
            self._operand_cb = OPERAND(self._operand)
            self._lib.fp_set_operand_calls(self._state, reg_read_function(), self._operand_cb)
        self._operand_fallbacks[address] = fallback
        c = self.model.core.classes[cls]
        lo = c.cycles_min if c.cycles_min is not None else c.cycles
        hi = c.cycles_max if c.cycles_max is not None else c.cycles
        signed = name in ("sdiv", "smull", "smlal")
        op = self._lib.fp_add_operand(
            self._state, address, OPERAND_KINDS[cls], signed, *map(reg_id, regs), c.cycles, lo, hi
        )
        if not op:
            raise MemoryError("fast path operand table")
        hook_code_native(
            cpu, address, ctypes.cast(self._lib.fp_operand_hook, ctypes.c_void_p).value, op
        )

    def _operand(self, address: int) -> int:
        try:
            self._operand_fallbacks[address]()
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._fail(e)
            return -1

    def _stem(self, mnemonic: bytes, entry: int) -> int:
        """fastpath.c asks what the core table says of a printed mnemonic (once per run)."""
        try:
            e = _Stem.from_address(entry)
            text = mnemonic.decode()
            name, conditional = base_name(text, self.model.names)
            cls = self.model.core.mnemonic_class.get(name)
            e.cls = self._class_index.get(cls, -1) if cls else -1
            flags = ST_CONDITIONAL if conditional or name in ("cbz", "cbnz") else 0
            flags |= ST_MOV_ADD if name in ("mov", "add") else 0
            flags |= ST_B if name == "b" else 0
            own = self._mnemonic_cycles.get(text, {})
            e.mnemonic_cycles = own.get(cls, -1)
            if set(own) - {cls}:
                flags |= ST_PYTHON  # another class (one selected by operands) has its own
            e.flags = flags
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._fail(e)
            return -1

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
            | (FL_ALIGN if b.align else 0)
            | (FL_IT_ENDED if b.it_ended else 0)
        )

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
