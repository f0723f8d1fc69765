#!/usr/bin/env python3
"""Check that every instruction a core can execute has exactly one timing class.

For each core this script assembles ``all_insns_<core>.s`` (next to this file) with the
GNU Arm assembler, extracts the ``.text`` bytes up to the literal pool (symbol ``lit1``),
decodes them with capstone in Thumb + M-class mode and compares the set of
``insn.insn_name()`` values with the ``[mnemonics]`` table of
``cost_models/cores/<core>.toml``.

It fails (exit status 1) when:
  * a decoded name is missing from the table,
  * a name is listed more than once (in one class or in two classes),
  * a class in ``[mnemonics]`` has no ``[classes.<name>]`` entry, or a class lacks a
    ``source`` string or a cycle value,
  * the decoder stopped before the end of the code (an encoding capstone cannot read).

Usage: ``check_mnemonics.py [core ...]`` (default: all three cores).  Needs
``arm-none-eabi-as``, ``arm-none-eabi-objcopy``, ``arm-none-eabi-nm`` and capstone 5.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import capstone

TOOLS_DIR = Path(__file__).resolve().parent
CORES_DIR = TOOLS_DIR.parent / "cores"

ASM_FLAGS = {
    "cortex-m0plus": ["-mcpu=cortex-m0plus", "-mthumb"],
    "cortex-m3": ["-mcpu=cortex-m3", "-mthumb"],
    "cortex-m4": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
}

# Classes every table must define (the engine looks them up by name).  A class the core's
# instruction set cannot reach (e.g. div on ARMv6-M) is left out of that core's table.
REQUIRED = {
    "cortex-m0plus": {
        "alu", "alu_pc", "mul", "load", "load_literal", "store", "load_multiple",
        "store_multiple", "pop_pc", "branch", "branch_link", "branch_exchange", "barrier",
        "system", "nop", "hint", "svc_bkpt", "extend",
    },
}
REQUIRED["cortex-m3"] = REQUIRED["cortex-m0plus"] | {
    "mla", "long_mul", "long_mla", "div", "load_pc", "load_double", "store_double",
    "table_branch", "bitfield",
}
REQUIRED["cortex-m4"] = REQUIRED["cortex-m3"] | {
    "dsp", "fp_alu", "fp_mul", "fp_mac", "fp_div", "fp_sqrt", "fp_load", "fp_store",
    "fp_load_multiple", "fp_store_multiple", "fp_move", "fp_convert", "fp_compare",
    "fp_system",
}

CYCLE_KEYS = ("cycles", "cycles_min")


def run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def decoded_names(core: str) -> tuple[set[str], list[str]]:
    """Assemble the coverage file and return (insn names, problems)."""
    src = TOOLS_DIR / f"all_insns_{core}.s"
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "a.o"
        binary = Path(tmp) / "a.bin"
        run(["arm-none-eabi-as", *ASM_FLAGS[core], str(src), "-o", str(obj)])
        run(["arm-none-eabi-objcopy", "-O", "binary", "-j", ".text", str(obj), str(binary)])
        end = None
        for line in run(["arm-none-eabi-nm", str(obj)]).splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "lit1":
                end = int(parts[0], 16)
        code = binary.read_bytes()
        if end is None:
            problems.append(f"{src.name}: no 'lit1' label marking the end of the code")
            end = len(code)
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    names: set[str] = set()
    consumed = 0
    for insn in md.disasm(code[:end], 0):
        names.add(insn.insn_name())
        consumed = insn.address + insn.size
    if consumed != end:
        problems.append(f"{src.name}: capstone stopped at offset {consumed:#x} of {end:#x}")
    return names, problems


def check_table(core: str, table: dict) -> tuple[dict[str, str], list[str]]:
    """Return (name -> class, problems) for one core table."""
    problems: list[str] = []
    classes = table.get("classes", {})
    mnemonics = table.get("mnemonics", {})
    owner: dict[str, str] = {}
    for cls, names in mnemonics.items():
        if cls not in classes:
            problems.append(f"[mnemonics] lists class '{cls}' that has no [classes.{cls}]")
        for name in names:
            if name in owner:
                problems.append(f"'{name}' listed twice: in '{owner[name]}' and in '{cls}'")
            else:
                owner[name] = cls
    for cls, body in classes.items():
        if "source" not in body:
            problems.append(f"[classes.{cls}] has no source")
        if not any(k in body for k in CYCLE_KEYS):
            problems.append(f"[classes.{cls}] has neither cycles nor cycles_min")
        if cls not in mnemonics:
            problems.append(f"[classes.{cls}] has no entry in [mnemonics] (use [] if operand-selected)")
    for cls in sorted(REQUIRED[core] - set(classes)):
        problems.append(f"required class '{cls}' missing")
    for key in ("schema", "name", "unicorn_model", "source", "rules"):
        if key not in table:
            problems.append(f"top-level key '{key}' missing")
    return owner, problems


def check(core: str) -> int:
    path = CORES_DIR / f"{core}.toml"
    table = tomllib.loads(path.read_text())
    owner, problems = check_table(core, table)
    names, asm_problems = decoded_names(core)
    problems += asm_problems
    for name in sorted(names - set(owner)):
        problems.append(f"decoded mnemonic '{name}' is not in any class")
    unused = sorted(set(owner) - names)
    print(f"{core}: {len(names)} decoded mnemonics, {len(owner)} listed, "
          f"{len(table.get('classes', {}))} classes")
    if unused:
        print(f"  listed but not produced by this capstone for the coverage file: {', '.join(unused)}")
    for p in problems:
        print(f"  ERROR: {p}")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    cores = argv or list(ASM_FLAGS)
    status = 0
    for core in cores:
        if core not in ASM_FLAGS:
            print(f"unknown core '{core}' (known: {', '.join(ASM_FLAGS)})")
            return 2
        status |= check(core)
    print("OK" if status == 0 else "FAILED")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
