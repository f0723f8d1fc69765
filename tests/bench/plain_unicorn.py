"""The smallest Unicorn runner of a firmware ELF: the floor for ``mcusim run``'s whole process.

A command run by ``bench_startup.py`` (one process per run, like ``mcusim run``)::

    python tests/bench/plain_unicorn.py FIRMWARE.elf [TARGET] [--virtual-tlb]

It maps the target's memory regions (``targets/<TARGET>.toml``, default mps2-an386), its
peripheral pages and the private peripheral bus (SCS, DWT) as plain RAM, loads the PT_LOAD
segments at their physical addresses (read with ``struct``), takes SP and PC from the vector
table, and runs with one hook: an interrupt hook that finishes semihosting calls (output
ignored) and stops at SYS_EXIT. No cycle model, no console, no report. Exit status: the
firmware's exit code, or 125 when it did not exit.

``--virtual-tlb``: fill the engine's TLB from a hook as mcusim does (``mcusim/cpu.py``,
``Cpu._use_virtual_tlb``): data pages read/write, fetched pages read/write/execute, so that
stores to RAM leave Unicorn's slow path. Without it, this is Unicorn as its API comes.
"""

from __future__ import annotations

import struct
import sys
import tomllib
from pathlib import Path

import unicorn
from unicorn import arm_const as A

ROOT = Path(__file__).resolve().parents[2]
SYS_EXIT, SYS_EXIT_EXTENDED, APPLICATION_EXIT = 0x18, 0x20, 0x20026
BKPT_AB = b"\xab\xbe"
PAGE = 0x1000


IT_BITS = 0x0600FC00  # EPSR.IT in xPSR (mcusim/machine/cpu.py XPSR_IT_BITS)


def add_virtual_tlb(uc: unicorn.Uc):
    """Fill the TLB from a hook, one to one: read/write for data, read/write/execute for
    fetches (what mcusim's Cpu does); returns the callback, to keep alive. A data fill clears
    the IT state Unicorn leaves in the CPU state (mcusim's ``Cpu._use_virtual_tlb`` explains
    why): without it, code with loads inside IT blocks computes wrongly (vision-opt.elf's
    SOFTMAX), and the floor would not be the same program."""
    uc.ctl_set_tlb_mode(unicorn.UC_TLB_VIRTUAL)
    rw, rwx = unicorn.UC_PROT_READ | unicorn.UC_PROT_WRITE, unicorn.UC_PROT_ALL

    def fill(uc, vaddr, access, entry, data):
        entry.paddr = vaddr
        if access == unicorn.UC_MEM_FETCH:
            entry.perms = rwx
            return True
        xpsr = uc.reg_read(A.UC_ARM_REG_XPSR)
        if xpsr & IT_BITS:
            uc.reg_write(A.UC_ARM_REG_XPSR, xpsr & ~IT_BITS)
        entry.perms = rw
        return True

    uc.hook_add(unicorn.UC_HOOK_TLB_FILL, fill)
    return fill


def main(elf_path: str, target: str = "mps2-an386", virtual_tlb: bool = False) -> int:
    spec = tomllib.loads((ROOT / "targets" / f"{target}.toml").read_text())
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB)
    uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M4)  # before the first map
    if virtual_tlb:
        add_virtual_tlb(uc)
    for m in spec["memory"]:
        uc.mem_map(m["base"], m["size_bytes"], unicorn.UC_PROT_ALL)
    for p in spec.get("peripheral", []):
        base = p["base"] & ~(PAGE - 1)
        uc.mem_map(base, max(p.get("size_bytes", PAGE), PAGE), unicorn.UC_PROT_ALL)
    uc.mem_map(0xE0000000, 0x100000, unicorn.UC_PROT_ALL)  # private peripheral bus: plain RAM

    blob = Path(elf_path).read_bytes()
    phoff, phentsize, phnum = (
        struct.unpack_from("<I", blob, 28)[0],
        *struct.unpack_from("<HH", blob, 42),
    )
    for i in range(phnum):
        p_type, off, _, paddr, filesz, *_ = struct.unpack_from("<8I", blob, phoff + i * phentsize)
        if p_type == 1 and filesz:
            uc.mem_write(paddr, blob[off : off + filesz])
    sp, pc = struct.unpack("<II", uc.mem_read(spec.get("vector_table", 0), 8))
    uc.reg_write(A.UC_ARM_REG_SP, sp)
    status = [125]

    def on_intr(uc, intno, data):
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        if intno != 7 or bytes(uc.mem_read(pc, 2)) != BKPT_AB:
            uc.emu_stop()
            return
        op, param = uc.reg_read(A.UC_ARM_REG_R0), uc.reg_read(A.UC_ARM_REG_R1)
        uc.reg_write(A.UC_ARM_REG_PC, (pc + 2) | 1)
        if op == SYS_EXIT_EXTENDED:
            reason, code = struct.unpack("<II", uc.mem_read(param, 8))
            status[0] = (code if reason == APPLICATION_EXIT else 1) & 0xFF
        elif op == SYS_EXIT:
            status[0] = 0 if param == APPLICATION_EXIT else 1
        else:
            uc.reg_write(A.UC_ARM_REG_R0, 0)
            return
        uc.emu_stop()

    uc.hook_add(unicorn.UC_HOOK_INTR, on_intr)
    uc.emu_start(pc | 1, 0xFFFFFFFF)
    return status[0]


if __name__ == "__main__":
    args = [x for x in sys.argv[1:] if x != "--virtual-tlb"]
    sys.exit(main(*args, virtual_tlb="--virtual-tlb" in sys.argv[1:]))
