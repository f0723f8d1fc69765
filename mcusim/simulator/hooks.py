"""The address and memory hooks a run places before its first instruction (L5): the
operand-dependent cycles of divides and long multiplies, the wait states of data read from
timed flash, and the heap's growth through ``_sbrk``.
"""

from __future__ import annotations

import numpy as np

from mcusim.timing.decode import decode

# T32 encodings of the operand-dependent multiply/divide family (Armv7-M ARM A7.7):
# (first halfword & 0xFFF0, mask and value of the second halfword)
OPERAND_PATTERNS = {
    "sdiv": (0xFB90, 0xF0F0, 0xF0F0),
    "udiv": (0xFBB0, 0xF0F0, 0xF0F0),
    "smull": (0xFB80, 0x00F0, 0),
    "umull": (0xFBA0, 0x00F0, 0),
    "smlal": (0xFBC0, 0x00F0, 0),
    "umlal": (0xFBE0, 0x00F0, 0),
}
OPERAND_CLASSES = (
    ("sdiv", "div"),
    ("udiv", "div"),
    ("smull", "long_mul"),
    ("umull", "long_mul"),
    ("smlal", "long_mla"),
    ("umlal", "long_mla"),
)


def operand_sites(core, fw) -> list[tuple[int, bytes]]:
    """(address, 4 code bytes) of every instruction in the image's executable segments whose
    cycles depend on its operands on this core (its class has a ``cycles_max``)."""
    wanted = {
        name
        for name, cls in OPERAND_CLASSES
        if cls in core.classes
        and core.classes[cls].cycles_max is not None
        and core.mnemonic_class.get(name) == cls
    }
    out = []
    if not wanted:
        return out
    for seg in fw.segments:
        if not seg.executable or len(seg.data) < 4:
            continue
        hw = np.frombuffer(seg.data[: len(seg.data) & ~1], dtype="<u2")
        first, second = hw[:-1], hw[1:]
        for name in wanted:
            h1, mask, value = OPERAND_PATTERNS[name]
            for i in np.nonzero(((first & 0xFFF0) == h1) & ((second & mask) == value))[0]:
                out.append((seg.paddr + 2 * int(i), seg.data[2 * i : 2 * i + 4]))
    return out


def hook_operand_dependent(run) -> None:
    """Add each operand-dependent instruction's cycles beyond its static cost as it runs (in C
    on the native path); a divide by zero with CCR.DIV_0_TRP set faults."""
    for address, code in operand_sites(run.core, run.fw):
        _hook_operand_insn(run, address, code)


def _hook_operand_insn(run, address: int, code: bytes) -> None:
    insns = decode(code, address, run.model.names)
    if not insns or insns[0].size != 4:
        return
    insn = insns[0]
    cls = run.core.mnemonic_class.get(insn.name)
    if cls not in ("div", "long_mul", "long_mla"):
        return
    ops = [o.strip() for o in insn.op_str.split(",")]
    a_reg, b_reg = ops[-2], ops[-1]
    static = run.core.classes[cls].cycles
    cpu, counter, model, scs = run.cpu, run.counter, run.model, run.scs

    def on_insn() -> None:
        a, b = cpu.reg(a_reg), cpu.reg(b_reg)
        if cls == "div" and b == 0 and scs.ccr & 0x10:
            run.fault(
                "div0",
                address,
                f"{insn.mnemonic} {insn.op_str} with {b_reg} = 0 and CCR.DIV_0_TRP set",
            )
            return
        counter.add_dynamic(model.operand_cycles(cls, insn.name, a, b) - static)

    if run.accounting == "native":  # the same computation in C, Python for a zero divisor
        counter.hook_operand(cpu, address, insn.name, cls, (a_reg, b_reg), on_insn)
    else:
        cpu.hook_address(address, on_insn)


def flash_controlled(target, region) -> bool:
    """Whether a flash controller register of the target may change ``region``'s timing."""
    return any(
        p.model == "flash_control" and p.params.get("region") == region.name
        for p in target.peripherals
    )


def hook_flash_data(cpu, counter, target, *, native: bool) -> None:
    """Data reads from flash or ROM with wait states go through its data cache, if any, or
    pay the wait states (in C on the native path)."""
    for region in target.memory:
        if not region.timed or not (region.wait_states or flash_controlled(target, region)):
            continue
        counter.it_watch = True  # a memory hook: see Run.repair_it_state
        if native:
            counter.hook_data_reads(cpu, region)
        else:

            def on_read(address: int, size: int, region=region) -> None:
                counter.data_read(region, address)

            cpu.hook_reads(region.base, region.end - 1, on_read)


class Heap:
    """The heap's use, followed at each ``_sbrk`` call (None: the image has no ``_sbrk``)."""

    def __init__(self) -> None:
        self.used = 0
        self.peak: int | None = None

    def hook(self, cpu, fw) -> None:
        sbrk = next((f for f in fw.functions if f.name == "_sbrk"), None)
        if sbrk is None:
            return
        self.peak = 0

        def on_sbrk() -> None:
            incr = cpu.reg("r0")
            incr = incr - (1 << 32) if incr & 0x80000000 else incr
            self.grow(incr)

        cpu.hook_address(sbrk.address, on_sbrk)

    def grow(self, incr: int) -> None:
        self.used = max(0, self.used + incr)
        self.peak = max(self.peak or 0, self.used)
