"""The fault decoder (L5): what the emulator reported (an error name, PC, registers, the refused
access) turned into the :class:`~mcusim.result.Fault` a debugger would show, with the kind and
cause the CFSR would name. Plain functions of plain values: no emulator needed.
"""

from __future__ import annotations

from collections.abc import Callable

from mcusim.machine.cortex import fault_kind
from mcusim.machine.cpu import execute_never
from mcusim.result import Fault

REG_NAMES = tuple(f"r{i}" for i in range(13)) + (
    "sp",
    "lr",
    "pc",
    "xpsr",
    "msp",
    "psp",
    "control",
    "primask",
)
DATA_ERRORS = ("read_unmapped", "write_unmapped", "read_prot", "write_prot")


def build_fault(
    error: str,
    pc: int,
    detail: str,
    address: int | None,
    registers: dict[str, int],
    *,
    shcsr: int,
    armv6m: bool,
    symbolize: Callable[[int], str],
) -> Fault:
    """The fault record for ``error`` at ``pc``; ``registers`` are the core's at the stop (PC
    is replaced by ``pc``); the stacked frame is what exception entry would have pushed."""
    kind, cause = fault_kind(error, shcsr=shcsr, armv6m=armv6m)
    regs = dict(registers)
    regs["pc"] = pc
    frame = {n: regs[n] for n in ("r0", "r1", "r2", "r3", "r12", "lr")}
    frame |= {"pc": pc, "xpsr": regs["xpsr"]}
    return Fault(
        kind=kind,
        cause=cause,
        detail=detail,
        pc=pc,
        pc_symbol=symbolize(pc),
        lr=regs["lr"],
        lr_symbol=symbolize(regs["lr"]),
        address=address,
        registers=regs,
        stacked_frame=frame,
    )


def describe_error(
    error: str,
    pc: int,
    *,
    bad_access: tuple[str, int, int] | None,
    region_at: Callable[[int], object],
    read: Callable[[int, int], bytes],
    core: str,
) -> tuple[str, int | None]:
    """The detail line and faulting address of an emulator error (``bad_access``: the last
    refused access as (kind, address, size), when the engine reported one)."""
    kind, address, size = bad_access or ("access", 0, 0)
    if error in DATA_ERRORS:
        region = region_at(address)
        able = "writable" if kind == "write" else "readable"
        what = f"{kind} of {size} byte(s) at 0x{address:08x}: " + (
            f"region '{region.name}' is not {able}" if region else "nothing is mapped there"
        )
        return what, address
    if error.startswith("fetch") and execute_never(pc):  # checked before any bus access
        return f"instruction fetch from 0x{pc:08x}: {xn_region(pc)} is Execute Never", pc
    if error in ("fetch_unmapped", "fetch_prot"):
        region = region_at(pc)
        what = f"region '{region.name}' is not executable" if region else "nothing is mapped there"
        return f"instruction fetch from 0x{pc:08x}: {what}", pc
    if error == "insn_invalid":
        code = read(pc, 4)
        return f"undefined or unsupported instruction {code[:2][::-1].hex()} on {core}", None
    return f"emulation stopped: {error}", None


def xn_region(address: int) -> str:
    """The name of the Execute Never region of the default memory map holding ``address``
    (Armv7-M ARM DDI 0403E B3.1 table B3-1; Armv6-M DDI 0419E B3.1 table B3-1)."""
    if 0x40000000 <= address < 0x60000000:
        return "the Peripheral region (0x40000000-0x5FFFFFFF)"
    if 0xA0000000 <= address < 0xE0000000:
        return "the Device region (0xA0000000-0xDFFFFFFF)"
    if address >= 0xE0000000:
        return "the System region (0xE0000000-0xFFFFFFFF)"
    return "this address"
