"""Decode Thumb code into the few facts the cycle model needs (L3; the only capstone user).

Decoding happens once per translated block and is cached by the caller, so clarity wins over
speed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import capstone
from capstone import arm as csarm

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


@dataclass(frozen=True, slots=True)
class Insn:
    """One decoded instruction."""

    address: int
    size: int
    name: str  # capstone insn_name(): base mnemonic without condition, width or S suffix
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


def _norm(name: str) -> str:
    return _ALIASES.get(name, name)


@cache
def _disassembler() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    return md


_LIST_OPS = {
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


def decode(code: bytes, address: int) -> list[Insn]:
    """Decode ``code`` loaded at ``address``; stops at the first undecodable halfword."""
    md = _disassembler()
    out = []
    for ins in md.disasm(code, address):
        name = ins.insn_name() or ins.mnemonic.split(".")[0]
        read, write = ins.regs_access()
        regs_read = frozenset(_norm(ins.reg_name(r)) for r in read)
        regs_write = frozenset(_norm(ins.reg_name(r)) for r in write)
        base = index = dest = ""
        disp = 0
        words = 0
        pc_in_list = False
        double = core = False
        target = None
        ops = ins.operands
        for i, op in enumerate(ops):
            if op.type == csarm.ARM_OP_MEM:
                base = _norm(ins.reg_name(op.mem.base)) if op.mem.base else ""
                index = _norm(ins.reg_name(op.mem.index)) if op.mem.index else ""
                disp = op.mem.disp
            elif op.type == csarm.ARM_OP_REG:
                reg = _norm(ins.reg_name(op.reg))
                if i == 0:
                    dest = reg
                if reg.startswith("d") and reg[1:].isdigit():
                    double = True
                if reg in CORE_REGS:
                    core = True
            elif op.type == csarm.ARM_OP_IMM and name in ("b", "bl", "cbz", "cbnz"):
                target = op.imm & 0xFFFFFFFF
        if name in _LIST_OPS:
            regs = [_norm(ins.reg_name(op.reg)) for op in ops if op.type == csarm.ARM_OP_REG]
            if name in ("ldm", "ldmdb", "stm", "stmdb", "vldmia", "vldmdb", "vstmia", "vstmdb"):
                regs = regs[1:]  # first operand is the base register
            words = sum(2 if r.startswith("d") else 1 for r in regs)
            pc_in_list = "pc" in regs
        out.append(
            Insn(
                address=ins.address,
                size=ins.size,
                name=name,
                mnemonic=ins.mnemonic,
                op_str=ins.op_str,
                conditional=ins.cc not in (csarm.ARM_CC_AL, csarm.ARM_CC_INVALID),
                regs_read=regs_read,
                regs_write=regs_write,
                mem_base=base,
                mem_index=index,
                mem_disp=disp,
                reg_list_words=words,
                pc_in_list=pc_in_list,
                dest=dest,
                has_double_reg=double,
                has_core_reg=core,
                target=target,
            )
        )
    return out
