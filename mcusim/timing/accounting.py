"""Per-block cycle accounting: the hot path of a run (L3, no Unicorn import).

``CycleCounter.on_block`` is registered as the engine's block hook. It looks up (or decodes and
costs, once) the block about to run, charges the taken-branch refill of the previous block when
execution did not fall through, adds the block's cost, and calls back only when a deadline
passed or the block needs special treatment. Everything else is derived after the run from the
per-block counters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from mcusim.config.target import MemoryRegion
from mcusim.timing.decode import Insn, decode
from mcusim.timing.model import CycleModel, fetch_cost, fetch_lines


class Block:
    """A translated block: static costs and execution counters."""

    __slots__ = (
        "address",
        "size",
        "end",
        "insns",
        "insn_cycles",
        "cost_seq",
        "cost_entry",
        "seq_pen",
        "entry_pen",
        "taken_extra",
        "count",
        "entries",
        "taken_out",
        "extra",
        "self_loop",
        "fp_first",
        "special",
        "align",
        "wait",
    )

    def __init__(self, address: int, size: int, insns: list[Insn]):
        self.address = address
        self.size = size
        self.end = address + size  # fall-through address
        self.insns = insns
        self.insn_cycles: list[int] = []
        self.cost_seq = self.cost_entry = self.taken_extra = 0
        self.seq_pen = self.entry_pen = 0  # fetch/refill cycles before the first instruction
        self.count = self.entries = self.taken_out = self.extra = 0
        last = insns[-1] if insns else None
        self.self_loop = bool(
            last
            and len(insns) == 1
            and last.name == "b"
            and not last.conditional
            and last.target == address
        )
        self.fp_first: int | None = None
        self.special = False
        self.align: tuple = ()  # alignment checks the simulator asked for (align_rules)
        self.wait = 0  # fetch wait states included in the costs (for reports)

    def cycles(self) -> int:
        """Cycles this block accounted for so far."""
        return (
            self.count * self.cost_seq
            + self.entries * (self.cost_entry - self.cost_seq)
            + self.taken_out * self.taken_extra
            + self.extra
        )


class _Start:
    """Sentinel 'previous block' used after a restart."""

    __slots__ = ("end", "taken_extra", "taken_out")

    def __init__(self, end: int = -1):
        self.end = end
        self.taken_extra = 0
        self.taken_out = 0


class CycleCounter:
    """Counts modelled cycles block by block."""

    def __init__(
        self,
        model: CycleModel,
        *,
        fetch_code: Callable[[int, int], bytes],
        region_of: Callable[[int], MemoryRegion | None],
        on_event: Callable[[Block, bool], bool],
    ):
        self.model = model
        self.fetch_code = fetch_code
        self.region_of = region_of
        self.on_event = on_event
        self.blocks: dict[int, Block] = {}
        self.retired: list[Block] = []  # blocks re-translated with another size
        self._memo: dict = {}  # parsed instructions of this run (blocks overlap)
        self.cycles = 0
        self.block_start = 0
        self.deadline = 0
        self.prev: Block | _Start = _Start()
        self.current: Block | None = None
        self.unknown: Counter = Counter()
        self.cold_lines: set[tuple[int, int]] = set()
        self.fp_allowed = True
        # insns -> alignment checks for a new block (set by the simulator; none by default)
        self.align_rules: Callable[[list[Insn]], tuple] | None = None
        self._error: BaseException | None = None  # raised inside the hook, re-raised after
        self.stop: Callable[[], None] = lambda: None  # stops the engine

    def restart(self, pc: int, *, sequential: bool) -> None:
        """Execution resumes at ``pc`` outside the block flow (after a stop or redirect)."""
        self.prev = _Start(pc if sequential else -1)

    def on_block(self, _engine: object, address: int, size: int, _data: object) -> None:
        # Only the two slow paths (a new block, an event) can raise; a C callback must not, so
        # they are guarded and the error is re-raised after the run. The rest is the hot path.
        b = self.blocks.get(address)
        if b is None or b.size != size:
            try:
                b = self._new_block(address, size)
            except BaseException as e:  # noqa: BLE001
                return self._fail(e)
        p = self.prev
        seq = address == p.end
        if not seq:
            self.cycles += p.taken_extra
            p.taken_out += 1
        if self.cycles >= self.deadline or b.special:
            try:
                if self.on_event(b, seq):
                    return
            except BaseException as e:  # noqa: BLE001
                return self._fail(e)
        c = self.cycles
        if seq:
            self.block_start = c + b.seq_pen
            self.cycles = c + b.cost_seq
        else:
            self.block_start = c + b.entry_pen
            self.cycles = c + b.cost_entry
            b.entries += 1
        b.count += 1
        self.prev = self.current = b

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self.stop()

    def _new_block(self, address: int, size: int) -> Block:
        old = self.blocks.get(address)
        if old is not None:
            self.retired.append(old)
        insns = decode(self.fetch_code(address, size), address, self.model.names, self._memo)
        b = Block(address, size, insns)
        cost = self.model.cost_block(insns)
        self.unknown.update(cost.unknown)
        b.insn_cycles = cost.insn_cycles
        b.taken_extra = cost.taken_extra
        b.fp_first = cost.fp_first
        entry_extra = self.model.entry_extra(insns[0]) if insns else 0
        seq_ws = entry_ws = 0
        region = self.region_of(address)
        if region is not None and region.wait_states:
            width = region.fetch_width_bytes
            if region.cache:
                new = [
                    (region.base, line)
                    for line in fetch_lines(address, address + size, width)
                    if (region.base, line) not in self.cold_lines
                ]
                self.cold_lines.update(new)
                self.cycles += len(new) * region.wait_states
                b.extra += len(new) * region.wait_states
            else:
                entry_ws, seq_ws = fetch_cost(
                    address,
                    address + size,
                    wait_states=region.wait_states,
                    width=width,
                    prefetch=region.prefetch,
                )
        b.seq_pen, b.entry_pen = seq_ws, entry_ws + entry_extra
        b.cost_seq = cost.cycles + b.seq_pen
        b.cost_entry = cost.cycles + b.entry_pen
        b.wait = entry_ws
        b.align = self.align_rules(insns) if self.align_rules else ()
        b.special = b.self_loop or (b.fp_first is not None and not self.fp_allowed) or bool(b.align)
        self.blocks[address] = b
        return b

    def set_fp_allowed(self, allowed: bool) -> None:
        """FPU enabled/disabled (CPACR): blocks using FP instructions need a check if not."""
        self.fp_allowed = allowed
        for b in self.blocks.values():
            b.special = b.self_loop or (b.fp_first is not None and not allowed) or bool(b.align)

    def cycles_before(self, block: Block, index: int) -> int:
        """Modelled time when instruction ``index`` of the running ``block`` starts."""
        return self.block_start + sum(block.insn_cycles[:index])

    def add_dynamic(self, cycles: int) -> None:
        """Cycles an instruction of the running block adds (divide, flash data wait states):
        later instructions of the block start that much later."""
        self.cycles += cycles
        self.block_start += cycles
        if self.current is not None:
            self.current.extra += cycles

    def all_blocks(self) -> list[Block]:
        return [*self.blocks.values(), *self.retired]

    def instructions(self) -> int:
        return sum(b.count * len(b.insns) for b in self.all_blocks())
