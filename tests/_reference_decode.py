"""The detail-mode reference decoder tests/test_decode.py checks mcusim's fast decoder against:
the facts the cycle model needs, read from capstone's operand details. Clarity over speed.
"""

from __future__ import annotations

from functools import cache

import capstone
from capstone import arm as csarm

# The instruction record and register names are mcusim's own; only the decoding below (from
# capstone's detail mode) is independent of mcusim.timing.decode, which it checks.
from mcusim.timing.decode import _ALIASES, CORE_REGS, Insn


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
