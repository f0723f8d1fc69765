"""Static block costs from a core timing table, and the operand-dependent rules (L3).

A translated block's cost is computed once: every instruction's class cycles from the core
table, the pairing rules of the core (load pipelining, address-dependency stalls, FP result
stalls) within the block, and how much a taken branch at its end adds. The run loop adds the
dynamic part (taken or not, fetch wait states, divide and long-multiply early termination).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from mcusim.config.core import ClassCost, CoreTiming
from mcusim.timing.decode import Insn

DATA_PROCESSING = frozenset(
    {"alu", "mul", "mla", "long_mul", "long_mla", "div", "dsp", "extend", "bitfield"}
)
SINGLE_LOADS = frozenset({"load", "load_literal"})
PIPELINE_FOLLOWERS = frozenset({"load", "load_literal", "store"})
# the loads a single store cannot pipeline with (its store-then-load cycle)
LOADS_AFTER_STORE = frozenset(
    {"load", "load_literal", "load_pc", "load_double", "load_multiple", "pop_pc"}
)
FP_RESULT = frozenset({"fp_alu", "fp_mul", "fp_mac", "fp_div", "fp_sqrt", "fp_convert"})
FP_CLASSES = FP_RESULT | frozenset(
    {
        "fp_load",
        "fp_store",
        "fp_load_multiple",
        "fp_store_multiple",
        "fp_move",
        "fp_compare",
        "fp_system",
    }
)
OPERAND_DEPENDENT = frozenset({"div", "long_mul", "long_mla"})
# (base, index or "", lsl shift, displacement): address = base + displacement + (index << shift)
Access = tuple[str, str, int, int]


@dataclass
class BlockCost:
    """Static timing facts of one translated block."""

    cycles: int  # every instruction, a conditional branch at the end counted as not taken
    taken_extra: int  # added when the block's last instruction branches (conditional case)
    insn_cycles: list[int]  # per instruction, in order (for mid-block timer reads)
    classes: list[str]
    fp_first: int | None  # address of the first FP instruction, if any
    operand_dependent: list[tuple[int, str, str]]  # (address, class, name)
    unknown: Counter = field(default_factory=Counter)
    # pipelined load pairs whose memories the block's entry registers tell (_entry_access):
    # (index of the second instruction, cycles the pipelining saved, first access, second
    # access), an access as (base, index, shift, displacement); the run charges the saving
    # back to the second instruction when the two are in different memory blocks
    pairs: list[tuple[int, int, Access, Access]] = field(default_factory=list)


class CycleModel:
    """Costs blocks of decoded instructions with one core's table."""

    def __init__(self, core: CoreTiming):
        self.core = core
        self.names = frozenset(core.mnemonic_class)
        r = core.rules
        self.pipelining = bool(r.get("load_pipelining", False))
        self.pipe_saved = int(r.get("load_pipelining_saved_cycles", 1))
        self.pipe_min = int(r.get("load_pipelining_min_cycles", 1))
        self.addr_stall = int(r.get("address_dependency_stall_cycles", 0))
        self.literal_extra = int(r.get("literal_load_fetch_contention_cycles", 0))
        self.fp_stall = int(r.get("fp_result_use_stall_cycles", 0))
        self.unaligned_target_extra = int(r.get("unaligned_wide_target_extra_cycles", 0))
        self.group_extra = int(r.get("unaligned_wide_group_extra_cycles", 0))
        self.group_min = int(r.get("unaligned_wide_group_min", 3))
        self.store_group_min = int(r.get("unaligned_wide_store_group_min", 4))
        self.same_memory = bool(r.get("load_pipelining_same_memory_only", False))
        self.store_load = int(r.get("store_then_load_extra_cycles", 0))
        self.wb_store_chain = int(r.get("writeback_store_chain_extra_cycles", 0))
        self.wb_load_pipelines = bool(r.get("writeback_load_pipelining", True))
        self._fallback = ClassCost("unknown", 1)

    def classify(self, insn: Insn) -> str:
        """The table class of ``insn``, including the operand-selected classes."""
        cls = self.core.mnemonic_class.get(insn.name)
        classes = self.core.classes
        if cls is None:
            return ""
        if (
            cls == "alu"
            and insn.dest == "pc"
            and insn.name in ("mov", "add")
            and "alu_pc" in classes
        ):
            return "alu_pc"
        if cls == "load":
            if insn.dest == "pc" and "load_pc" in classes:
                return "load_pc"
            if insn.mem_base == "pc" and "load_literal" in classes:
                return "load_literal"
        if cls == "load_multiple" and insn.pc_in_list and "pop_pc" in classes:
            return "pop_pc"
        return cls

    def cost_block(self, insns: list[Insn]) -> BlockCost:
        costs: list[int] = []
        classes: list[str] = []
        unknown: Counter = Counter()
        fp_first = None
        dependent = []
        taken_extra = 0
        prev: Insn | None = None
        prev_cls = ""
        last = len(insns) - 1
        run, run_stores, charged = 0, True, False  # the unaligned-wide group rule
        pairs: list[tuple[int, int, Access, Access]] = []
        moved: set[str] = set()  # registers changed so far, to a value in another memory maybe
        prev_access: Access | None = None
        for i, insn in enumerate(insns):
            cls = self.classify(insn)
            if not cls:
                unknown[insn.name] += 1
            c = self.core.classes.get(cls, self._fallback)
            cycles = self._base_cycles(insn, cls, c)
            if cls in FP_CLASSES and fp_first is None:
                fp_first = insn.address
            if cls in OPERAND_DEPENDENT and c.cycles_max is not None:
                dependent.append((insn.address, cls, insn.name))
            access = _entry_access(insn, moved)
            if prev is not None:
                cycles, saved = self._pair_cycles(prev, prev_cls, insn, cls, cycles)
                if (
                    saved > 0
                    and self.same_memory
                    and prev_access
                    and access
                    and prev_access[:3] != access[:3]  # same registers: the same memory
                ):
                    pairs.append((i, saved, prev_access, access))
                if prev_cls == "store" and cls in LOADS_AFTER_STORE:
                    costs[-1] += self.store_load  # "adds extra cycle to store" (the notes)
            if c.taken_cycles is not None:
                extra = c.taken_cycles - c.cycles
                if insn.conditional and i == last:
                    taken_extra = extra
                elif not insn.conditional:
                    cycles += extra
            if self.group_extra and insn.is_wide and insn.address & 2:
                run, run_stores = run + 1, run_stores and cls == "store"
                group = self.store_group_min if run_stores else self.group_min
                if not charged and run >= group:
                    cycles += self.group_extra
                    charged = True
            else:
                run, run_stores, charged = 0, True, False
            costs.append(cycles)
            classes.append(cls)
            prev, prev_cls, prev_access = insn, cls, access
            moved |= insn.regs_write - _same_memory_writes(insn)
        return BlockCost(
            sum(costs), taken_extra, costs, classes, fp_first, dependent, unknown, pairs
        )

    def _base_cycles(self, insn: Insn, cls: str, c: ClassCost) -> int:
        cycles = c.cycles + c.per_register_cycles * insn.reg_list_words
        extra = c.extra
        if "mnemonic_cycles" in extra:
            cycles = extra["mnemonic_cycles"].get(insn.mnemonic.split(".")[0], cycles)
        if cls == "store" and insn.mem_index and "register_offset_cycles" in extra:
            cycles = extra["register_offset_cycles"]
        elif cls in ("fp_load", "fp_store") and insn.has_double_reg and "double_cycles" in extra:
            cycles = extra["double_cycles"]
        elif cls == "fp_move" and insn.has_core_reg and "core_register_cycles" in extra:
            cycles = extra["core_register_cycles"]
        elif cls == "load_literal":
            cycles += self.literal_extra
        return cycles

    def _pair_cycles(
        self, prev: Insn, prev_cls: str, insn: Insn, cls: str, cycles: int
    ) -> tuple[int, int]:
        """Apply the neighbour rules of the TRM's load/store timing section: the cycles, and
        those pipelining saved."""
        addr_regs = {insn.mem_base, insn.mem_index} - {""}
        saved = 0
        if self._pipelines(prev, prev_cls, insn, cls):
            saved = cycles - max(self.pipe_min, cycles - self.pipe_saved)
            cycles -= saved
        if prev_cls == cls == "store" and _writes_back(prev) and _writes_back(insn):
            if insn.mem_base == prev.mem_base:
                cycles += self.wb_store_chain
        if self.addr_stall and prev_cls in DATA_PROCESSING and addr_regs & prev.regs_write:
            cycles += self.addr_stall
        if self.fp_stall and prev_cls in FP_RESULT and prev.dest and prev.dest in insn.regs_read:
            is_addend = cls == "fp_mac" and insn.dest == prev.dest
            if not is_addend:
                cycles += self.fp_stall
        return cycles, saved

    def _pipelines(self, prev: Insn, prev_cls: str, insn: Insn, cls: str) -> bool:
        """Whether ``insn`` pipelines with the single load ``prev`` before it. A literal and
        a data access are in different memories, known here; other pairs are checked at run
        time (BlockCost.pairs)."""
        return (
            self.pipelining
            and prev_cls in SINGLE_LOADS
            and cls in PIPELINE_FOLLOWERS
            and not {insn.mem_base, insn.mem_index} - {""} & prev.regs_write
            and not (self.same_memory and (prev.mem_base == "pc") != (insn.mem_base == "pc"))
            and (self.wb_load_pipelines or cls == "store" or not _writes_back(insn))
        )

    def entry_extra(self, first: Insn) -> int:
        """Extra refill when a branch lands on a 32-bit instruction that is not word aligned."""
        return self.unaligned_target_extra if first.is_wide and first.address & 2 else 0

    def operand_cycles(self, cls: str, name: str, a: int, b: int) -> int:
        """Cycles of an operand-dependent instruction (``a``, ``b``: its two source values)."""
        c = self.core.classes[cls]
        lo = c.cycles_min if c.cycles_min is not None else c.cycles
        hi = c.cycles_max if c.cycles_max is not None else c.cycles
        if cls == "div":
            if name == "sdiv":
                a, b = abs(_signed(a)), abs(_signed(b))
            q = max(0, a.bit_length() - b.bit_length() + 1) if b else 0
            return min(hi, max(lo, 2 + math.ceil(10 * q / 32)))
        # long multiply early-out (Cortex-M3): significant bytes of the larger operand
        if name.startswith("s"):
            a, b = _signed(a), _signed(b)
            a, b = (~a if a < 0 else a), (~b if b < 0 else b)
        n = max(a.bit_length(), b.bit_length())
        nbytes = max(1, math.ceil(n / 8))
        base = 1 if cls == "long_mul" else 3
        return min(hi, max(lo, base + nbytes))


def _writes_back(insn: Insn) -> bool:
    """A single load/store that writes its address back to the base (pre- or post-indexed)."""
    return bool(insn.mem_base) and insn.mem_base in insn.regs_write


def _entry_access(insn: Insn, moved: set[str]) -> Access | None:
    """Where a data access goes, from the registers at the block's entry: its address, or
    when the block ``moved`` one of its two address registers before it, the other one as
    the pointer (the access stays in the object it points into). None: not a data access, a
    literal (its memory is known statically), or no register left to point (both moved, or
    only a scaled index: an offset)."""
    base, index = insn.mem_base, insn.mem_index
    if not base or base == "pc":
        return None
    lsl = insn.op_str.rsplit("lsl #", 1)
    shift = int(lsl[1].rstrip("]"), 0) if index and len(lsl) == 2 else 0
    disp = 0 if "]," in insn.op_str else insn.mem_disp  # post-indexed: the base as it is
    if index in moved:
        index, shift = "", 0
    if base in moved:
        if not index or shift:
            return None
        base, index = index, ""
    return base, index, shift, disp


def _same_memory_writes(insn: Insn) -> frozenset[str]:
    """Registers ``insn`` changes by a step that stays in the same memory: a load or store
    writing back its base, PUSH/POP and an immediate SP adjustment moving SP."""
    if _writes_back(insn):
        return frozenset({insn.mem_base})
    if insn.name in ("push", "pop", "vpush", "vpop") or (
        insn.dest == "sp" and insn.regs_read <= {"sp"} and insn.mnemonic.startswith(("add", "sub"))
    ):
        return frozenset({"sp"})
    return frozenset()


def _signed(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v
