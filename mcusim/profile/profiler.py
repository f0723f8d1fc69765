"""Op and function profiler: an observer that attributes modelled cycles to NN ops (L4).

Functions matched by the op rules (``cost_models/ops/*.toml``) are hooked at their entry; the
LR read there is hooked once per distinct address to close the op, so calls through function
pointers are caught too. Nested matches count toward the outermost op. Per op: cycles, stack
peak (free stack painted at op start, scanned at op end) and arena bytes changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mcusim.config.oprules import OpRule, load_rules
from mcusim.image.elf import Firmware
from mcusim.image.memory import STACK_LIMIT_SYMBOLS, stack_bounds
from mcusim.machine.native import library
from mcusim.profile.registrations import registered_invokes

PAINT = 0xCDCDCDCD
ARENA_SYMBOLS = (
    "mce_runner_arena",
    "mce_app_arena",
    "tensor_arena",
    "g_tensor_arena",
    "kTensorArena",
    "arena",
)
MAX_CALL_SLICES = 200_000
EXC_RETURN_MIN = 0xFFFFFF00


@dataclass
class _Frame:
    name: str
    ret: int
    sp: int
    start: int
    children: int = 0


@dataclass
class _Op:
    index: int
    op: str
    kernel: str
    source: str | None
    engine: str
    ret: int
    sp: int
    start: int
    stack_first: int = 0  # the first free-stack word painted at the start (index in region)
    stack_words: int = 0  # free-stack words painted at the start (saved in _Watched.saved)
    arena_saved: bool = False
    extra: dict = field(default_factory=dict)


class _Watched:
    """A guest RAM range the profiler saves, paints and compares around each op. It works on
    a live numpy view of the RAM when the probe gives one, with the fast path's C loops when
    the run uses it; else through the probe's reads and writes."""

    def __init__(self, probe, address: int, size: int, *, native: bool, touched=None):
        self.probe, self.address, self.size = probe, address, size
        self.view = probe.view(address, size)
        self.saved = np.empty(size, dtype=np.uint8)
        self.touched = touched
        self.lib = library() if native and self.view is not None else None
        if self.lib is not None:  # the addresses, looked up once (numpy's .ctypes is slow)
            self._ptrs = (self.view.ctypes.data, self.saved.ctypes.data)
            self._touched_ptr = touched.ctypes.data if touched is not None else None

    def _current(self) -> np.ndarray:
        if self.view is not None:
            return self.view
        return np.frombuffer(bytearray(self.probe.read(self.address, self.size)), dtype=np.uint8)

    def _write_back(self, data: np.ndarray) -> None:
        if self.view is None:
            self.probe.write(self.address, data.tobytes())

    def save(self) -> None:
        self.saved[:] = self._current()

    def changed_since_save(self) -> int:
        """Bytes that differ from the saved copy; marks them in ``self.touched``."""
        if self.lib is not None:
            return self.lib.fp_bytes_changed(*self._ptrs, self._touched_ptr, self.size)
        changed = self._current() != self.saved
        self.touched |= changed
        return int(np.count_nonzero(changed))

    def save_and_paint(self, first: int, words: int) -> None:
        """Save the 32-bit words ``[first, first + words)``, then fill them with PAINT."""
        if self.lib is not None:
            view, saved = self._ptrs
            self.lib.fp_paint_words(view + 4 * first, saved + 4 * first, words, PAINT)
            return
        cur = self._current()
        span = slice(4 * first, 4 * (first + words))
        self.saved[span] = cur[span]
        cur[span].view(np.uint32).fill(PAINT)
        self._write_back(cur)

    def unpaint(self, first: int, words: int) -> int:
        """Index of the lowest of the words ``[first, first + words)`` that no longer holds
        PAINT (``first + words`` if none); the words still holding it get their saved value
        back."""
        if self.lib is not None:
            view, saved = self._ptrs
            return first + self.lib.fp_unpaint_words(
                view + 4 * first, saved + 4 * first, words, PAINT
            )
        cur8 = self._current()
        span = slice(4 * first, 4 * (first + words))
        cur = cur8[span].view(np.uint32)
        painted = cur == PAINT
        lowest = int(painted.argmin()) if not painted.all() else words
        np.copyto(cur, self.saved[span].view(np.uint32), where=painted)
        self._write_back(cur8)
        return first + lowest

    def lowest_unpainted(self, words: int) -> int:
        """Index of the lowest of the first ``words`` words not holding PAINT (``words`` if
        none); nothing is written."""
        cur = self._current()[: 4 * words].view(np.uint32)
        changed = np.nonzero(cur != PAINT)[0]
        return int(changed[0]) if len(changed) else words


def match_functions(fw: Firmware, rules: list[OpRule]) -> dict[int, tuple[str, OpRule]]:
    """Entry address -> (function name, first matching rule) for every matched function.

    A rule that needs the DWARF source file also matches, in a build without it, the function
    that the op's registration (``Register_<OP>``) names as its invoke function
    (:mod:`mcusim.profile.registrations`)."""
    out: dict[int, tuple[str, OpRule]] = {}
    by_source = {r.op: r for r in reversed(rules) if r.source_file}  # the first rule per op
    for f in fw.functions:
        if f.address in out:
            continue
        source = fw.source_file_of(f.address) if by_source else None
        for rule in rules:
            if rule.matches(f.name, source):
                out[f.address] = (f.name, rule)
                break
    if by_source:
        for address, op in registered_invokes(fw, set(by_source)).items():
            if address not in out and fw.source_file_of(address) is None:
                name = fw.function_at(address).name
                out[address] = (name, OpRule(by_source[op].engine, op, symbol=(name,)))
    return out


def display_names(fw: Firmware) -> dict[int, str]:
    """Entry address -> function name, made unique: a name defined more than once (static
    functions in different files) gets its DWARF source file's base name, or its address."""
    count: dict[str, int] = {}
    for f in fw.functions:
        if f.size:
            count[f.name] = count.get(f.name, 0) + 1
    out = {}
    for f in fw.functions:
        if not f.size or f.address in out:
            continue
        name = f.name
        if count[name] > 1:
            source = fw.source_file_of(f.address)
            tail = "/".join(source.split("/")[-2:]) if source else f"0x{f.address:08x}"
            name = f"{name} [{tail}]"
        out[f.address] = name
    return out


def stack_region(probe) -> tuple[int, int] | None:
    """The stack the profiler paints and scans around each op: the image's stack region (its
    upper half when a heap may grow up into it from ``end``)."""
    fw, target = probe.firmware, probe.target
    top = probe.reg("sp") & ~3
    bounds = stack_bounds(fw, target, top)
    if bounds is None:
        return None
    lo, hi = bounds
    has_limit = any(s in fw.symbols for s in STACK_LIMIT_SYMBOLS)
    if not has_limit and any(f.name == "_sbrk" for f in fw.functions):
        lo = (lo + (hi - lo) // 2) & ~7  # keep clear of a heap growing up from `end`
    return (lo, hi)


def arena_region(fw: Firmware, symbol: str | None) -> tuple[str, int, int] | None:
    """The tensor arena as (symbol, address, size): ``symbol``, or the first of
    ``ARENA_SYMBOLS`` the image has with a size."""
    for name in (symbol,) if symbol else ARENA_SYMBOLS:
        if name in fw.symbols and fw.symbol_sizes.get(name):
            return (name, fw.symbols[name], fw.symbol_sizes[name])
    return None


class OpProfiler:
    """Observer: per-op cycles, stack and arena use; optionally per-function inclusive time.

    Args:
        rules: attribution rules (default: every built-in rule set).
        functions: also hook every function to build inclusive per-function times and call
            slices (slower: one Python callback per call).
        arena_symbol: symbol of the tensor arena (its ELF size is the arena's size); default:
            the first of ``ARENA_SYMBOLS`` present.
        stack: paint and scan the free stack around each op.
    """

    name = "ops"

    def __init__(
        self,
        *,
        rules: list[OpRule] | None = None,
        functions: bool = False,
        arena_symbol: str | None = None,
        stack: bool = True,
    ):
        self.rules = load_rules() if rules is None else rules
        self.functions = functions
        self.arena_symbol = arena_symbol
        self.measure_stack = stack
        self.ops: list[dict] = []
        self.open: _Op | None = None
        self.frames: list[_Frame] = []
        self.calls: list[tuple[str, int, int, int]] = []  # name, start, end, depth
        self.inclusive: dict[str, list[int]] = {}  # name -> [inclusive cycles, calls]
        self.active: dict[str, int] = {}
        self.calls_dropped = 0
        self.hooked_returns: set[int] = set()
        self.edges: dict[tuple[str, str], list[int]] = {}  # (caller, callee) -> [cycles, calls]
        self.arena_touched: np.ndarray | None = None  # arena bytes seen changed, any time
        self._stack: _Watched | None = None
        self._arena: _Watched | None = None

    # -- attach -----------------------------------------------------------------------------
    def attach(self, probe) -> None:
        self.probe = probe
        fw: Firmware = probe.firmware
        self.matched = match_functions(fw, self.rules)
        self.stack = stack_region(probe) if self.measure_stack else None
        self.arena = arena_region(fw, self.arena_symbol)
        if self.arena:
            self.arena_touched = np.zeros(self.arena[2], dtype=bool)
        native = getattr(probe, "accounting", "") == "native"
        if self.stack:
            lo, hi = self.stack
            self._stack = _Watched(probe, lo, hi - lo, native=native)
        if self.arena:
            _, base, size = self.arena
            self._arena = _Watched(probe, base, size, native=native, touched=self.arena_touched)
        names = display_names(fw)
        entries = set(self.matched)
        if self.functions:
            entries |= set(names)
        for address in sorted(entries):
            name = names.get(address) or self.matched[address][0]
            probe.on_address(address, self._entry_callback(address, name))

    def _entry_callback(self, address: int, name: str):
        rule = self.matched.get(address)

        def on_entry() -> None:
            probe = self.probe
            lr = probe.reg("lr")
            opens = rule is not None and self.open is None
            if lr >= EXC_RETURN_MIN or not (opens or self.functions):
                return
            sp, now = probe.reg("sp"), probe.now()
            if self.functions:
                self._push(name, lr & ~1, sp, now)
            if opens:
                self._open_op(address, rule, lr & ~1, sp, now)

        return on_entry

    def _hook_return(self, ret: int) -> None:
        if ret not in self.hooked_returns:
            self.hooked_returns.add(ret)
            self.probe.on_address(ret, lambda: self._on_return(ret))

    # -- functions --------------------------------------------------------------------------
    def _push(self, name: str, ret: int, sp: int, now: int) -> None:
        frames = self.frames
        while frames and frames[-1].sp < sp:  # returned without passing a hooked address
            self._pop(now)
        frames.append(_Frame(name, ret, sp, now))
        self.active[name] = self.active.get(name, 0) + 1
        self._hook_return(ret)

    def _pop(self, now: int) -> None:
        f = self.frames.pop()
        duration = now - f.start
        if self.frames:
            self.frames[-1].children += duration
        self.active[f.name] -= 1
        if self.frames:  # every direct call: caller self + its edges = its inclusive time
            edge = self.edges.setdefault((self.frames[-1].name, f.name), [0, 0])
            edge[0] += duration
            edge[1] += 1
        entry = self.inclusive.setdefault(f.name, [0, 0, 0])
        entry[1] += 1
        entry[2] += duration - f.children  # self cycles
        if self.active[f.name] == 0:  # recursion: count the outermost instance only
            entry[0] += duration
        if len(self.calls) < MAX_CALL_SLICES:
            self.calls.append((f.name, f.start, now, len(self.frames)))
        else:
            self.calls_dropped += 1

    def _on_return(self, ret: int) -> None:
        probe = self.probe
        sp = probe.reg("sp")
        frames = self.frames
        op = self.open
        if not frames and not (op is not None and op.ret == ret and op.sp == sp):
            return  # the address runs, but not as the return of anything open
        now = probe.now()
        for i in range(len(frames) - 1, -1, -1):
            if frames[i].ret == ret and frames[i].sp == sp:
                while len(frames) > i:
                    self._pop(now)
                # tail calls: the caller that branched away shares the return address and SP
                while frames and frames[-1].ret == ret and frames[-1].sp == sp:
                    self._pop(now)
                break
        op = self.open
        if op is not None and op.ret == ret and op.sp == sp:
            self._close_op(now, finished=True)

    # -- ops ---------------------------------------------------------------------------------
    def _open_op(self, address: int, match: tuple[str, OpRule], ret: int, sp: int, now: int):
        name, rule = match
        source = self.probe.firmware.source_file_of(address) if rule.source_file else None
        op = _Op(len(self.ops), rule.op, name, source, rule.engine, ret, sp, now)
        if self._stack is not None and self.stack[0] < (sp & ~3) <= self.stack[1]:
            lo, top = self.stack
            # below the run's lowest stack use so far the stack still holds the run's paint:
            # only the words the run used before (between that point and the SP) are
            # repainted, after the run has recorded how deep it went
            checkpoint = getattr(self.probe, "stack_checkpoint", None)
            low = checkpoint() if checkpoint else lo
            end = sp & ~3
            op.stack_first = (min(max(lo, low & ~3), end) - lo) // 4
            op.stack_words = (end - lo) // 4 - op.stack_first
            op.extra["stack_end"] = end
            self._stack.save_and_paint(op.stack_first, op.stack_words)
        if self._arena is not None:
            self._arena.save()
            op.arena_saved = True
        self.open = op
        self._hook_return(ret)

    def _close_op(self, now: int, *, finished: bool) -> None:
        op = self.open
        assert op is not None
        self.open = None
        stack_peak = stack_op = None
        if "stack_end" in op.extra and self._stack is not None:
            lo, top = self.stack
            # the deepest word the op changed: below the run's earlier low point (still
            # painted since the run began), else among the words repainted at its entry,
            # which get their old value back where the op left them painted
            index = self._stack.unpaint(op.stack_first, op.stack_words)
            deeper = self._stack.lowest_unpainted(op.stack_first)
            lowest = lo + 4 * (deeper if deeper < op.stack_first else index)
            if lowest < op.extra["stack_end"]:
                stack_peak, stack_op = top - lowest, (op.sp & ~3) - lowest
            else:
                stack_peak, stack_op = top - op.extra["stack_end"], 0
        arena_changed = None
        if op.arena_saved and self._arena is not None:
            arena_changed = self._arena.changed_since_save()
        self.ops.append(
            {
                "index": op.index,
                "op": op.op,
                "kernel": op.kernel,
                "source_file": op.source,
                "engine": op.engine,
                "start_cycle": op.start,
                "end_cycle": now,
                "cycles": now - op.start,
                "stack_peak_bytes": stack_peak,
                "stack_op_bytes": stack_op,
                "arena_bytes_changed": arena_changed,
                "finished": finished,
            }
        )

    # -- finish ------------------------------------------------------------------------------
    def finish(self, probe) -> dict:
        # after the run the counter may not yet hold the last block's cycles: never end a
        # frame before it started
        starts = [f.start for f in self.frames] + ([self.open.start] if self.open else [])
        now = max([probe.now(), *starts])
        if self.open is not None:
            self._close_op(now, finished=False)
        while self.frames:
            self._pop(now)
        high_water = None
        if self.arena:
            # bytes left non-zero in the arena (it is zeroed .bss at reset) also count
            _, base, size = self.arena
            self.arena_touched |= np.frombuffer(probe.read(base, size), dtype=np.uint8) != 0
            high_water = size - _longest_false_run(self.arena_touched)
        out: dict = {
            "ops": self.ops,
            # a lower bound: a byte written with the value it already held is not seen
            # the arena minus its largest never-changed gap (allocators fill from one or both
            # ends); a lower bound, as a byte written with the value it held is not seen
            "arena_high_water_bytes": high_water,
            "matched_functions": sorted({n for n, _ in self.matched.values()}),
            "arena": (
                {"symbol": self.arena[0], "address": self.arena[1], "size_bytes": self.arena[2]}
                if self.arena
                else None
            ),
            "stack_region": list(self.stack) if self.stack else None,
        }
        if self.functions:
            out["functions"] = [
                {"name": n, "inclusive_cycles": v[0], "calls": v[1], "self_cycles": v[2]}
                for n, v in sorted(self.inclusive.items(), key=lambda kv: -kv[1][0])
            ]
            out["calls"] = [
                {"name": n, "start_cycle": s, "end_cycle": e, "depth": d}
                for n, s, e, d in self.calls
            ]
            out["calls_dropped"] = self.calls_dropped
            out["call_edges"] = [
                {"caller": a, "callee": b, "inclusive_cycles": v[0], "calls": v[1]}
                for (a, b), v in sorted(self.edges.items())
            ]
        return out


def _longest_false_run(mask: np.ndarray) -> int:
    """Length of the longest run of False in a boolean array."""
    if not len(mask):
        return 0
    edges = np.diff(np.concatenate(([1], mask.astype(np.int8), [1])))
    starts, ends = np.nonzero(edges == -1)[0], np.nonzero(edges == 1)[0]
    return int((ends - starts).max()) if len(starts) else 0
