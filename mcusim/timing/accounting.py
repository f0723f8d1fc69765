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
from dataclasses import dataclass

from mcusim.config.target import MemoryRegion
from mcusim.timing.decode import Insn, decode
from mcusim.timing.flash import FlashTiming
from mcusim.timing.model import BlockCost, CycleModel


class Block:
    """A translated block: static costs and execution counters."""

    __slots__ = (
        "address",
        "size",
        "end",
        "n_insns",
        "_insns",
        "_insn_cycles",
        "cost_seq",
        "cost_entry",
        "entry_pen",
        "taken_extra",
        "count",
        "entries",
        "taken_out",
        "extra",
        "self_loop",
        "_fp_first",
        "special",
        "align",
        "flash",
        "it_ended",
        "_offsets",
        "pairs",
        "split",
    )

    def __init__(self, address: int, size: int, insns: list[Insn]):
        self.address = address
        self.size = size
        self.end = address + size  # fall-through address
        self.n_insns = len(insns)
        self._insns = insns
        self._insn_cycles: list[int] = []
        self.cost_seq = self.cost_entry = self.taken_extra = 0
        self.entry_pen = 0  # refill cycles before the first instruction, entered by a branch
        self.count = self.entries = self.taken_out = self.extra = 0
        self.self_loop = False
        self._fp_first: int | None = None
        self.special = False
        self.align: tuple = ()  # alignment checks the simulator asked for (align_rules)
        self.flash: FlashTiming | None = None  # the flash timing its fetches go through
        # holds an IT instruction and every IT block ends inside it (see CycleCounter.it_watch)
        self.it_ended = False
        self._offsets: dict[int, int] | None = None
        self.pairs: tuple = ()  # pipelined pairs checked at entry (BlockCost.pairs)
        self.split = (0, 0)  # what the last check of them found (CycleCounter.split_pairs)

    @property
    def insns(self) -> list[Insn]:
        return self._insns

    @property
    def insn_cycles(self) -> list[int]:
        """Cycles of each instruction (for a timer read in the middle of the block)."""
        return self._insn_cycles

    @property
    def fp_first(self) -> int | None:
        """Address of the block's first FP instruction, if any."""
        return self._fp_first

    @property
    def uses_fp(self) -> bool:
        return self._fp_first is not None

    def needs_check(self, fp_allowed: bool) -> bool:
        """Whether the run must look at the block before it runs (its ``special`` flag): an
        idle loop, FP code while the FPU is off, or alignment checks."""
        return self.self_loop or (self.uses_fp and not fp_allowed) or bool(self.align)

    def offset_of(self, address: int) -> int:
        """Cycles from the block's start to the instruction at ``address`` (0 if none is)."""
        if self._offsets is None:
            self._offsets, t = {}, 0
            for insn, cycles in zip(self.insns, self.insn_cycles, strict=True):
                self._offsets.setdefault(insn.address, t)
                t += cycles
        return self._offsets.get(address, 0)

    def cycles(self) -> int:
        """Cycles this block accounted for so far."""
        return (
            self.count * self.cost_seq
            + self.entries * (self.cost_entry - self.cost_seq)
            + self.taken_out * self.taken_extra
            + self.extra
        )


@dataclass(frozen=True)
class StaticCosts:
    """A block's costs that do not change while it runs (see CycleCounter.on_block)."""

    cost_seq: int  # entered by falling through from the block before it
    cost_entry: int  # entered by a branch
    entry_pen: int  # refill cycles before its first instruction, entered by a branch
    taken_extra: int  # added when its conditional branch at the end is taken
    self_loop: bool  # a single unconditional branch to itself (an idle loop)


def static_costs(
    model: CycleModel, cost: BlockCost, insns: list[Insn], address: int
) -> StaticCosts:
    """The static costs of the block at ``address`` holding ``insns`` (costed as ``cost``).
    Fetch wait states are not included: they are charged at each execution, through the
    region's flash timing (FlashTiming.fetch)."""
    entry_extra = model.entry_extra(insns[0]) if insns else 0
    last = insns[-1] if insns else None
    self_loop = bool(
        last and len(insns) == 1 and last.name == "b" and not last.conditional
        and last.target == address
    )  # fmt: skip
    return StaticCosts(
        cost_seq=cost.cycles,
        cost_entry=cost.cycles + entry_extra,
        entry_pen=entry_extra,
        taken_extra=cost.taken_extra,
        self_loop=self_loop,
    )


def it_blocks_end_inside(insns: list[Insn]) -> bool:
    """Whether ``insns`` hold an IT instruction and every IT block ends inside them (a block
    may also end in the middle of one, e.g. before an instruction that crosses a page)."""
    seen, still_covered = False, 0
    for insn in insns:
        if insn.name == "it":
            seen, still_covered = True, len(insn.mnemonic.split()[0]) - 1  # it 1, itt 2, ...
        elif still_covered:
            still_covered -= 1
    return seen and not still_covered


class _Start:
    """Sentinel 'previous block' used after a restart."""

    __slots__ = ("end", "taken_extra", "taken_out", "it_ended")

    def __init__(self, end: int = -1):
        self.end = end
        self.it_ended = False
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
        self.executions = 0  # blocks entered so far
        # Memory hooks are installed: Unicorn then leaves a stale IT state behind an IT block
        # holding a hooked access, so the run checks it after every block holding an IT (it_check
        # is set for that event).
        self.it_watch = False
        self.it_check = False
        self.block_start = 0
        self.deadline = 0
        self.prev: Block | _Start = _Start()
        self.current: Block | None = None
        self.unknown: Counter = Counter()
        self._flash: dict[str, FlashTiming] = {}
        self.fp_allowed = True
        # insns -> alignment checks for a new block (set by the simulator; none by default)
        self.align_rules: Callable[[list[Insn]], tuple] | None = None
        self._error: BaseException | None = None  # raised inside the hook, re-raised after
        self.stop: Callable[[], None] = lambda: None  # stops the engine
        # the memory blocks (start, end) and a register reader: set, pipelined pairs whose
        # accesses fall in different blocks lose their saving (set_memory_blocks)
        self.memory_blocks: tuple[tuple[int, int], ...] = ()
        self.reg: Callable[[str], int] | None = None
        self.split_bits = 0  # the running block's pairs that did not pipeline (split_pairs)

    def set_memory_blocks(self, blocks: tuple[tuple[int, int], ...], reg: Callable) -> None:
        """Check pipelined load pairs at each block entry: a pair whose two addresses (from
        the registers then) are in different ``blocks`` does not pipeline."""
        self.memory_blocks, self.reg = tuple(blocks), reg

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
        self.it_check = self.it_watch and p.it_ended
        if self.cycles >= self.deadline or b.special or self.it_check:
            try:
                if self.on_event(b, seq):
                    return
            except BaseException as e:  # noqa: BLE001
                return self._fail(e)
        c = self.cycles
        if b.flash is not None:
            stall = b.flash.fetch(address, size, seq)
            c += stall
            b.extra += stall
        if seq:
            self.block_start = c
            self.cycles = c + b.cost_seq
        else:
            self.block_start = c + b.entry_pen
            self.cycles = c + b.cost_entry
            b.entries += 1
        self.split_bits = 0
        if b.pairs and self.reg is not None:
            # a loop back to itself keeps its pointers in their memories
            b.split = b.split if p is b else self.split_pairs(b.pairs)
            lost, self.split_bits = b.split
            self.cycles += lost
            b.extra += lost
        b.count += 1
        self.executions += 1
        self.prev = self.current = b

    def split_pairs(self, pairs: tuple) -> tuple[int, int]:
        """Cycles the pipelined ``pairs`` lose now, and which ones (bit k: pair k, the first
        64): the saving of each whose two accesses are in different memory blocks. An address
        outside every block (a peripheral, or a register that held an offset rather than a
        pointer) leaves its pair pipelined."""
        lost = bits = 0
        values: dict[str, int] = {}  # each register read once
        for k, (_, saved, *accesses) in enumerate(pairs):
            where = [self._block_of(access, values) for access in accesses]
            if where[0] != where[1] and where[0] >= 0 and where[1] >= 0:
                lost += saved
                bits |= 1 << k if k < 64 else 0
        return lost, bits

    def _block_of(self, access: tuple[str, str, int, int], values: dict[str, int]) -> int:
        base, index, shift, disp = access
        for r in (base, index) if index else (base,):
            if r not in values:
                values[r] = self.reg(r)
        address = (values[base] + disp + (values[index] << shift if index else 0)) & 0xFFFFFFFF
        for i, (start, end) in enumerate(self.memory_blocks):
            if start <= address < end:
                return i
        return -1

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
        region = self.region_of(address)
        s = static_costs(self.model, cost, insns, address)
        b._insn_cycles = cost.insn_cycles
        b._fp_first = cost.fp_first
        b.self_loop = s.self_loop
        b.cost_seq, b.cost_entry, b.taken_extra = s.cost_seq, s.cost_entry, s.taken_extra
        b.entry_pen = s.entry_pen
        b.it_ended = it_blocks_end_inside(insns)
        if region is not None and region.timed:
            b.flash = self.flash_timing(region)
        b.align = self.align_rules(insns) if self.align_rules else ()
        b.pairs = tuple(cost.pairs)
        b.special = b.needs_check(self.fp_allowed)
        self.blocks[address] = b
        return b

    def flash_timing(self, region: MemoryRegion) -> FlashTiming:
        """The timing state of a flash or ROM region (one per region)."""
        t = self._flash.get(region.name)
        if t is None:
            t = self._flash[region.name] = FlashTiming(region)
        return t

    def wait_states_of(self, region: MemoryRegion) -> int:
        """The wait states ``region`` has now (the firmware may have changed them)."""
        return self.flash_timing(region).wait_states

    def configure_flash(self, region: MemoryRegion, **settings) -> None:
        """The firmware changed ``region``'s wait states, prefetch or caches (FlashTiming
        .configure's keywords)."""
        self.flash_timing(region).configure(**settings)

    def data_read(self, region: MemoryRegion, address: int) -> None:
        """A data read from ``region``: its stall, if any, delays the rest of the running
        block."""
        stall = self.flash_timing(region).read(address)
        if stall:
            self.add_dynamic(stall)

    def memory_stats(self, regions: list[MemoryRegion]) -> list[dict]:
        """Per flash or ROM region that had (or got) wait states: fetch and data stall cycles,
        cache hits and misses."""
        out = [self._region_stats(r) for r in regions if r.timed]
        return [
            m for m in out if m["wait_states"] or m["fetch_stall_cycles"] or m["data_stall_cycles"]
        ]

    def _region_stats(self, region: MemoryRegion) -> dict:
        return self.flash_timing(region).stats()

    def set_fp_allowed(self, allowed: bool) -> None:
        """FPU enabled/disabled (CPACR): blocks using FP instructions need a check if not."""
        self.fp_allowed = allowed
        for b in self.blocks.values():
            b.special = b.needs_check(allowed)

    def cycles_before(self, block: Block, index: int) -> int:
        """Modelled time when instruction ``index`` of the running ``block`` starts."""
        split, bits = 0, self.split_bits
        if bits:
            for k, (at, saved, _, _) in enumerate(block.pairs[:64]):
                if bits >> k & 1 and at < index:
                    split += saved
        return self.block_start + sum(block.insn_cycles[:index]) + split

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
        return sum(b.count * b.n_insns for b in self.all_blocks())
