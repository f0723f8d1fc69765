"""Decode Thumb code into the few facts the cycle model needs (L3; the only capstone user).

Capstone's light mode gives address, size, mnemonic and operand text at about 1 µs an
instruction (its full detail mode costs about 50 µs in Python); the base name, condition,
registers and memory operand are read from that text here. tests/test_decode.py checks the
result against capstone's detail mode on every sample firmware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import capstone

_ALIASES = {
    "sb": "r9",
    "sl": "r10",
    "fp": "r11",
    "ip": "r12",
    "r13": "sp",
    "r14": "lr",
    "r15": "pc",
}
CORE_REGS = tuple(f"r{i}" for i in range(13)) + ("sp", "lr", "pc")
CONDITIONS = frozenset("eq ne cs hs cc lo mi pl vs vc hi ls ge lt gt le".split())
# mnemonics whose base name is not their text minus condition, width and S suffix
SPECIAL_NAMES = {
    "cpsid": "cps",
    "cpsie": "cps",
    "addw": "add",
    "subw": "sub",
    "movw": "mov",
    "nop": "nop",
}
STORES = ("str", "stm", "push", "vstr", "vstm", "vpush", "strex")
COMPARES = frozenset(
    {
        "cmp",
        "cmn",
        "tst",
        "teq",
        "vcmp",
        "vcmpe",
        "it",
        "b",
        "bl",
        "bx",
        "blx",
        "cbz",
        "cbnz",
        "tbb",
        "tbh",
        "svc",
        "bkpt",
        "udf",
        "dmb",
        "dsb",
        "isb",
        "pld",
        "pli",
        "msr",
        "vmsr",
        "cps",
        "hint",
        "wfi",
        "wfe",
        "sev",
        "yield",
        "nop",
        "fmstat",
    }
)
TWO_DESTS = frozenset(
    {
        "ldrd",
        "ldrexd",
        "umull",
        "smull",
        "umlal",
        "smlal",
        "smlald",
        "smlaldx",
        "smlsld",
        "smlsldx",
        "smlalbb",
        "smlalbt",
        "smlaltb",
        "smlaltt",
        "umaal",
    }
)
LIST_OPS = frozenset(
    {
        "ldm",
        "ldmdb",
        "stm",
        "stmdb",
        "push",
        "pop",
        "vldmia",
        "vldmdb",
        "vstmia",
        "vstmdb",
        "vpush",
        "vpop",
    }
)
_REG = re.compile(r"\b(r1[0-5]|r[0-9]|sp|lr|pc|sb|sl|fp|ip|[sdq][0-9]{1,2})\b")
_DREG = re.compile(r"\bd[0-9]{1,2}\b")
_IMM = re.compile(r"#(-?(?:0x[0-9a-f]+|[0-9]+))")


@dataclass(frozen=True, slots=True)
class Insn:
    """One decoded instruction."""

    address: int
    size: int
    name: str  # base mnemonic without condition, width or S suffix (capstone's insn_name)
    mnemonic: str  # as printed, e.g. "ldr.w", "wfi", "cpsid"
    op_str: str
    conditional: bool
    regs_read: frozenset[str]
    regs_write: frozenset[str]
    mem_base: str  # "" when the instruction has no memory operand
    mem_index: str
    mem_disp: int
    reg_list_words: int  # words moved by LDM/STM/PUSH/POP/VLDM/VSTM/VPUSH/VPOP
    pc_in_list: bool
    dest: str  # first operand register, "" if none
    has_double_reg: bool  # an FP D register operand
    has_core_reg: bool  # a core register operand (for VMOV)
    target: int | None  # immediate branch target (B, BL, CBZ, CBNZ)

    @property
    def is_wide(self) -> bool:
        return self.size == 4


@cache
def _disassembler() -> capstone.Cs:
    return capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)


def base_name(mnemonic: str, names: frozenset[str]) -> tuple[str, bool]:
    """(base name, has a condition suffix) of a printed mnemonic, given the table's names."""
    m = mnemonic.split(".")[0]
    if m in names:
        return m, False
    if m in SPECIAL_NAMES:
        return SPECIAL_NAMES[m], False
    if m.startswith("it") and len(m) <= 5 and set(m[2:]) <= {"t", "e"}:
        return "it", False
    if len(m) > 2 and m[-2:] in CONDITIONS:
        stem = m[:-2]
        for candidate in (
            stem,
            SPECIAL_NAMES.get(stem, ""),
            stem[:-1] if stem.endswith("s") else "",
        ):
            if candidate in names:
                return candidate, True
    if m.endswith("s") and m[:-1] in names:
        return m[:-1], False
    return m, False


def _regs(text: str) -> list[str]:
    return [_ALIASES.get(r, r) for r in _REG.findall(text)]


def _reg_list(text: str) -> list[str]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if "-" in item:  # a range such as s16-s31
            lo, hi = item.split("-")
            kind = lo[0]
            out += [f"{kind}{i}" for i in range(int(lo[1:]), int(hi[1:]) + 1)]
        elif item:
            out.append(_ALIASES.get(item, item))
    return out


def parse(address: int, size: int, mnemonic: str, op_str: str, names: frozenset[str]) -> Insn:
    """The facts of one instruction from capstone's light output."""
    name, cond = base_name(mnemonic, names)
    if name in ("cbz", "cbnz"):
        cond = True
    base = index = dest = ""
    disp = 0
    words = 0
    pc_in_list = False
    writes: set[str] = set()
    operands = op_str
    lb = op_str.find("[")
    if lb >= 0:
        rb = op_str.find("]", lb)
        inner = [t.strip() for t in op_str[lb + 1 : rb].split(",")]
        base = _ALIASES.get(inner[0], inner[0])
        for t in inner[1:]:
            if t.startswith("#"):
                disp = int(t[1:], 0)
            elif not index and _REG.fullmatch(t.split()[0]):
                index = _ALIASES.get(t.split()[0], t.split()[0])
        after = op_str[rb + 1 :]
        if "#" in after:  # post-indexed: the address is the base; it is written back
            disp = int(_IMM.search(after).group(1), 0)
            writes.add(base)
        if after.startswith("!"):
            writes.add(base)
    lc = op_str.find("{")
    listed: list[str] = []
    if lc >= 0:
        listed = _reg_list(op_str[lc + 1 : op_str.find("}", lc)])
        operands = op_str[:lc]
    all_regs = _regs(op_str)
    head = _regs(operands.split("[")[0])
    if head:
        dest = head[0]
    if name in LIST_OPS:
        words = sum(2 if r.startswith("d") else 1 for r in listed)
        pc_in_list = "pc" in listed
        if name in ("push", "pop", "vpush", "vpop"):
            writes.add("sp")
        if (
            name in ("ldm", "ldmdb", "stm", "stmdb", "vldmia", "vldmdb", "vstmia", "vstmdb")
            and "!" in operands
        ):
            writes.add(dest)
        if not name.startswith(("st", "vst", "push", "vpush")):
            writes.update(listed)
    elif name.startswith(STORES) or name in COMPARES:
        if name in ("bl", "blx", "svc"):
            writes.add("lr")
    elif name in TWO_DESTS and len(head) >= 2:
        writes.update(head[:2])
    elif dest:
        writes.add(dest)
    target = None
    if name in ("b", "bl", "cbz", "cbnz"):
        imm = _IMM.search(op_str)
        target = int(imm.group(1), 0) & 0xFFFFFFFF if imm else None
    reads = set(all_regs)
    if dest and dest in writes and all_regs.count(dest) == 1 and name not in LIST_OPS:
        reads.discard(dest)
    return Insn(
        address=address,
        size=size,
        name=name,
        mnemonic=mnemonic,
        op_str=op_str,
        conditional=cond,
        regs_read=frozenset(reads),
        regs_write=frozenset(writes),
        mem_base=base,
        mem_index=index,
        mem_disp=disp,
        reg_list_words=words,
        pc_in_list=pc_in_list,
        dest=dest,
        has_double_reg=_DREG.search(op_str) is not None,
        has_core_reg=any(r in CORE_REGS for r in all_regs),
        target=target,
    )


def decode(
    code: bytes, address: int, names: frozenset[str] = frozenset(), memo: dict | None = None
) -> list[Insn]:
    """Decode ``code`` loaded at ``address``; stops at the first undecodable halfword.

    ``names`` are the base mnemonics of the core's timing table, used to split a printed
    mnemonic into base name and condition. Translated blocks overlap (a block entered in its
    middle is translated again), so a run passes a ``memo`` dict to parse each instruction once.
    """
    if memo is None:
        memo = {}
    out = []
    for a, s, m, o in _disassembler().disasm_lite(code, address):
        key = (a, m, o)
        insn = memo.get(key)
        if insn is None:
            insn = memo[key] = parse(a, s, m, o, names)
        out.append(insn)
    return out
