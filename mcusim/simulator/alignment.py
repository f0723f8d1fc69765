"""Alignment faults, when asked for (``--check-alignment``) (L5): Unicorn accepts unaligned
accesses, so the accesses the core would fault on are found in each new block's decode and
checked at block entry, or by a hook on the one instruction when the block changes the address
register before it.
"""

from __future__ import annotations

from collections.abc import Callable

from mcusim.simulator.faults import REG_NAMES
from mcusim.timing.decode import decode

# Accesses that must be aligned (Armv7-M ARM DDI 0403E A3.2.1): always, and with
# CCR.UNALIGN_TRP (bit 3, B3.2.8) also single loads/stores; on Armv6-M every access (DDI 0419E
# A3.2.1). Size in bytes.
ALIGN_ALWAYS = {
    "ldrd": 4, "strd": 4, "ldm": 4, "ldmdb": 4, "stm": 4, "stmdb": 4, "ldrex": 4, "strex": 4,
    "ldrexh": 2, "strexh": 2, "vldr": 4, "vstr": 4, "vldmia": 4, "vldmdb": 4, "vstmia": 4,
    "vstmdb": 4,
}  # fmt: skip
ALIGN_TRAP = {
    "ldr": 4, "str": 4, "ldrt": 4, "strt": 4, "ldrh": 2, "ldrsh": 2, "strh": 2, "ldrht": 2,
    "ldrsht": 2, "strht": 2,
}  # fmt: skip
LIST_OPS = {"ldm", "ldmdb", "stm", "stmdb", "vldmia", "vldmdb", "vstmia", "vstmdb"}
# Address registers as capstone prints them (r9-r12 also as sb, sl, fp, ip)
ADDRESS_REGS = REG_NAMES + ("sb", "sl", "fp", "ip")
CCR_UNALIGN_TRP = 0x8


def align_rules(insns: list, *, trap: bool) -> tuple:
    """Accesses in a new block that must be aligned, as (index, size, base, index register,
    shift, displacement, needs a hook): a check at block entry when the block does not
    change the address registers before the access, else a hook on that instruction.
    ``trap``: single loads/stores must be aligned too (Armv6-M, or CCR.UNALIGN_TRP)."""
    out = []
    for i, insn in enumerate(insns):
        size = ALIGN_ALWAYS.get(insn.name) or (ALIGN_TRAP.get(insn.name) if trap else None)
        if not size or insn.conditional or any(p.name == "it" for p in insns[max(0, i - 4) : i]):
            continue
        if insn.name in LIST_OPS:
            base, index, disp = insn.dest, "", 0
        else:
            base, index, disp = insn.mem_base, insn.mem_index, insn.mem_disp
            if "]," in insn.op_str:  # post-indexed: the access uses the base as it is
                disp = 0
        if base not in ADDRESS_REGS or base in ("sp", "pc"):  # SP is word aligned by design
            continue
        lsl = insn.op_str.rsplit("lsl #", 1)
        shift = int(lsl[1].rstrip("]"), 0) if len(lsl) == 2 else 0  # capstone: "#0x1e"
        written = set().union(*(p.regs_write for p in insns[:i]))
        out.append((i, size, base, index, shift, disp, base in written or index in written))
    return tuple(out)


def misaligned(
    reg: Callable[[str], int], size: int, base: str, index: str, shift: int, disp: int
) -> int | None:
    """The address an access will use (registers as ``reg`` reads them now), when it is not
    ``size``-aligned; else None."""
    address = reg(base) + disp
    if index in ADDRESS_REGS:
        address += reg(index) << shift
    address &= 0xFFFFFFFF
    return address if address % size else None


class AlignmentCheck:
    """The check of one run: rules for new blocks, the block-entry check, the hooks."""

    def __init__(self, cpu, counter, scs, *, armv6m: bool, fault: Callable):
        self.cpu, self.counter, self.scs = cpu, counter, scs
        self.armv6m = armv6m
        self.fault = fault
        self.hooked: set[int] = set()
        self.trap = False  # CCR.UNALIGN_TRP as the translated blocks' rules assumed it

    def rules(self, insns: list) -> tuple:
        return align_rules(insns, trap=self.armv6m or bool(self.scs.ccr & CCR_UNALIGN_TRP))

    def trap_changed(self) -> bool:
        """After a CCR write: when UNALIGN_TRP changed, recompute the rules of every block
        translated so far and return True."""
        trap = bool(self.scs.ccr & CCR_UNALIGN_TRP)
        if trap == self.trap:
            return False
        self.trap = trap
        for blk in self.counter.all_blocks():
            blk.align = self.rules(blk.insns)
        return True

    def check(self, b, sequential: bool) -> bool:
        """At block entry: fault on an access that will be unaligned; hook the rest once."""
        hooks = [c for c in b.align if c[6]]
        for i, size, base, index, shift, disp, dependent in b.align:
            if dependent:
                continue
            address = misaligned(self.cpu.reg, size, base, index, shift, disp)
            if address is not None:
                self.unaligned_fault(b.insns[i], size, address)
                return True
        if hooks and b.address not in self.hooked:
            self.hooked.add(b.address)
            for i, size, base, index, shift, disp, _ in hooks:
                insn = b.insns[i]

                def check(insn=insn, args=(size, base, index, shift, disp)) -> None:
                    address = misaligned(self.cpu.reg, *args)
                    if address is not None:
                        self.unaligned_fault(insn, args[0], address)

                self.cpu.hook_address(insn.address, check)
            # retranslate the block with its new hooks and enter it again
            self.cpu.flush_code(b.address, b.end)
            self.counter.restart(b.address, sequential=sequential)
            self.cpu.set_reg("pc", b.address | 1)
            return True
        return False

    def data_abort(self, pc: int, names: frozenset[str]) -> bool:
        """Unicorn's data abort (QEMU's EXCP_DATA_ABORT) at ``pc``: on Armv6-M QEMU faults an
        unaligned single load or store by itself, without ``--check-alignment``. Report it as
        the alignment fault it is (instruction, address, why) and return True; False when the
        instruction at ``pc`` is not an access to a misaligned address."""
        insns = decode(bytes(self.cpu.read(pc & ~1, 4)), pc & ~1, names)[:1]
        rules = align_rules(insns, trap=True)
        if not rules:
            return False
        _, size, base, index, shift, disp, _ = rules[0]
        address = misaligned(self.cpu.reg, size, base, index, shift, disp)
        if address is None:
            return False
        self.unaligned_fault(insns[0], size, address)
        return True

    def unaligned_fault(self, insn, size: int, address: int) -> None:
        why = (
            "Armv6-M faults on every unaligned access"
            if self.armv6m
            else "CCR.UNALIGN_TRP is set"
            if insn.name in ALIGN_TRAP
            else f"{insn.name.upper()} needs word alignment on Armv7-M"
        )
        self.fault(
            "unaligned",
            insn.address,
            f"{insn.mnemonic} {insn.op_str} at address 0x{address:08x}, not {size}-byte aligned "
            f"({why})",
            address,
        )
