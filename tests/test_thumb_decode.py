"""The C Thumb decoder (mcusim/_native/thumb.c) gives exactly the facts of the Python decoder.

Parity: for a byte sequence, ``decode(code, address, names)`` (capstone's light mode plus
``parse()``) and ``td_decode`` must agree on every fact the cycle model and the alignment rules
read, whenever ``td_decode`` accepts the sequence (it returns -1 for what it does not support,
and the caller then uses the Python decoder). The facts depend on the base name ``parse()``
computes with a core table's names; the C decoder follows the cortex-m4 table.

Three checks: every instruction reachable in the committed sample ELFs is accepted and agrees;
random instruction streams (with IT blocks) agree wherever C accepts them; and td_decode is
fast. The C file is compiled into pytest's temporary directory with the system C compiler.
"""

from __future__ import annotations

import ctypes
import random
import shutil
import struct
import subprocess
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from simtest import ELF, ROOT

from mcusim.config.core import load_core
from mcusim.image.elf import Firmware
from mcusim.timing.decode import _disassembler, decode

SOURCES = sorted((ROOT / "mcusim" / "_native").glob("thumb*.c"))  # the decoder alone
CORES = ("cortex-m4", "cortex-m3", "cortex-m0plus")
REG_NAMES = (
    [f"r{i}" for i in range(13)]
    + ["sp", "lr", "pc"]
    + [f"s{i}" for i in range(32)]
    + [f"d{i}" for i in range(16)]
)


class TdInsn(ctypes.Structure):
    _fields_ = [
        ("regs_read", ctypes.c_uint64),
        ("regs_write", ctypes.c_uint64),
        ("address", ctypes.c_uint32),
        ("target", ctypes.c_uint32),
        ("mem_disp", ctypes.c_int32),
        ("dest", ctypes.c_int8),
        ("mem_base", ctypes.c_int8),
        ("mem_index", ctypes.c_int8),
        ("size", ctypes.c_uint8),
        ("reg_list_words", ctypes.c_uint8),
        ("pc_in_list", ctypes.c_uint8),
        ("has_double_reg", ctypes.c_uint8),
        ("has_core_reg", ctypes.c_uint8),
        ("has_target", ctypes.c_uint8),
        ("post_indexed", ctypes.c_uint8),
        ("lsl_shift", ctypes.c_uint8),
        ("mnemonic", ctypes.c_char * 16),
    ]


def build(directory: Path) -> ctypes.CDLL:
    """Compile the decoder (thumb*.c) into ``directory`` and load it."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH to build mcusim/_native/thumb*.c")
    out = directory / "thumb_decode.so"
    cmd = [cc, "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"]
    subprocess.run([*cmd, *map(str, SOURCES), "-o", str(out)], check=True, capture_output=True)
    lib = ctypes.CDLL(str(out))
    lib.td_decode.restype = ctypes.c_int
    lib.td_decode.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint32,
        ctypes.POINTER(TdInsn),
        ctypes.c_int,
    ]
    return lib


def _name(reg_id: int) -> str:
    return "" if reg_id < 0 else REG_NAMES[reg_id]


def _set(mask: int) -> frozenset[str]:
    return frozenset(REG_NAMES[i] for i in range(64) if mask >> i & 1)


def c_facts(lib, code: bytes, address: int) -> list[tuple] | None:
    """td_decode's result as fact tuples (comparable with py_facts), or None for -1."""
    cap = len(code) // 2 + 1
    out = (TdInsn * cap)()
    n = lib.td_decode(code, len(code), address, out, cap)
    if n < 0:
        return None
    return [
        (
            i.address,
            i.size,
            i.mnemonic.decode(),
            _set(i.regs_read),
            _set(i.regs_write),
            _name(i.dest),
            _name(i.mem_base),
            _name(i.mem_index),
            i.mem_disp,
            i.reg_list_words,
            bool(i.pc_in_list),
            bool(i.has_double_reg),
            bool(i.has_core_reg),
            i.target if i.has_target else None,
            bool(i.post_indexed),
            i.lsl_shift,
        )
        for i in out[:n]
    ]


def py_facts(insn) -> tuple:
    """The same facts from the Python decoder's Insn (see the module docstring)."""
    op = insn.op_str
    post = "]," in op and "#" in op.split("]", 1)[1]
    lsl = int(op.rsplit("lsl #", 1)[1].rstrip("]"), 0) if "lsl #" in op else 0
    return (
        insn.address,
        insn.size,
        insn.mnemonic.split(".")[0],
        insn.regs_read,
        insn.regs_write,
        insn.dest,
        insn.mem_base,
        insn.mem_index,
        insn.mem_disp,
        insn.reg_list_words,
        insn.pc_in_list,
        insn.has_double_reg,
        insn.has_core_reg,
        insn.target,
        post,
        lsl,
    )


FACT_NAMES = (
    "address size mnemonic regs_read regs_write dest mem_base mem_index mem_disp "
    "reg_list_words pc_in_list has_double_reg has_core_reg target post_indexed lsl_shift"
).split()


@cache
def core_names() -> dict[str, frozenset[str]]:
    names = {core: frozenset(load_core(core).mnemonic_class) for core in CORES}
    names["(none)"] = frozenset()
    return names


def compare(lib, code: bytes, address: int, names_dependence: Counter | None = None):
    """(accepted, mismatch text or None) for one byte sequence.

    The C result must equal parse() with the cortex-m4 names. Where parse() with another
    core's names (or none) gives different register/destination facts, the instruction is
    counted in ``names_dependence`` (a report, not a failure).
    """
    c = c_facts(lib, code, address)
    if c is None:
        return False, None
    all_names = core_names()
    py = [py_facts(i) for i in decode(code, address, all_names["cortex-m4"])]
    if len(py) != len(c) or sum(f[1] for f in py) != len(code):
        return True, f"C decoded {len(c)} instructions, capstone {len(py)}: {code.hex()}"
    for p, q in zip(py, c, strict=True):
        if p != q:
            diff = [
                f"{k}: py={a!r} c={b!r}" for k, a, b in zip(FACT_NAMES, p, q, strict=True) if a != b
            ]
            return True, f"{p[0]:#x} {p[2]} ({code.hex()}): " + "; ".join(diff)
    if names_dependence is not None:
        for core, names in all_names.items():
            if core == "cortex-m4":
                continue
            for p, insn in zip(py, decode(code, address, names), strict=True):
                q = py_facts(insn)
                if (q[3], q[4], q[5], q[13]) != (p[3], p[4], p[5], p[13]):
                    names_dependence[(core, p[2])] += 1
    return True, None


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build(tmp_path_factory.mktemp("thumb"))


# ---------------------------------------------------------------------------- sample firmware
_ENDS = ("b", "b.w", "bx", "udf", "udf.w")


def _ends_flow(mnemonic: str, op_str: str) -> bool:
    """An unconditional transfer: nothing after it is reached by falling through."""
    if mnemonic in _ENDS:
        return True
    if mnemonic in ("pop", "pop.w", "ldm", "ldm.w", "ldmdb") and "pc" in op_str.split("{")[-1]:
        return True
    return mnemonic in ("ldr", "ldr.w", "mov", "add") and op_str.startswith("pc,")


def reachable_runs(fw: Firmware) -> list[tuple[int, bytes]]:
    """Contiguous runs of instructions reachable from the ELF's function symbols and entry.

    A linear sweep would also decode literal pools and switch tables as instructions, so code
    is found the way a disassembler's recursive descent does: from every function start,
    follow fall-through and the immediate targets of B/BL/CBZ/CBNZ within the function
    symbols' ranges (what lies outside every function is data); stop after an
    unconditional branch, return or load of pc; read TBB/TBH tables (entries up to the first
    case) as data and follow their cases. Each run is then decoded in one call, as the
    simulator decodes a translated block.
    """
    md = _disassembler()
    segs = [(s.paddr, s.data) for s in fw.segments if s.executable]

    def window(addr):
        for base, data in segs:
            if base <= addr < base + len(data):
                return data[addr - base : addr - base + 64]
        return b""

    insns: dict[int, int] = {}
    work = [f.address for f in fw.functions] + [fw.entry & ~1]
    while work:
        addr = work.pop()
        func = fw.function_at(addr)
        if func is None:
            continue
        end = func.address + func.size
        while addr not in insns and addr < end:
            code = window(addr)
            step = next(md.disasm_lite(code, addr, 1), None)
            if step is None:
                break
            a, size, m, op = step
            insns[a] = size
            addr = a + size
            if m.split(".")[0] in ("b", "bl", "cbz", "cbnz") or (
                m.startswith("b") and len(m.split(".")[0]) == 3 and "#" in op
            ):
                target = int(op.rsplit("#", 1)[1], 0)
                work.append(target)
            if m in ("tbb", "tbh"):
                size_e = 1 if m == "tbb" else 2
                table = addr
                data = b""
                first = None
                i = 0
                while first is None or table + i * size_e < first:
                    data = window(table + i * size_e)
                    if len(data) < size_e:
                        break
                    entry = int.from_bytes(data[:size_e], "little")
                    case = table + 2 * entry
                    first = case if first is None else min(first, case)
                    work.append(case)
                    i += 1
                break
            if _ends_flow(m, op):
                break
    runs: list[tuple[int, bytes]] = []
    start = end = None
    for a in sorted(insns):
        if end is not None and a < end:
            continue  # a target inside an instruction decoded from another start
        if a != end:
            if start is not None:
                runs.append((start, end))
            start = a
        end = a + insns[a]
    if start is not None:
        runs.append((start, end))
    out = []
    for s, e in runs:
        for base, data in segs:
            if base <= s < base + len(data):
                out.append((s, data[s - base : e - base]))
    return out


def sample_elfs() -> list[Path]:
    return sorted(ELF.glob("*/*.elf"))


def check_firmware(lib, paths, names_dependence: Counter) -> tuple[int, list[str], list[str]]:
    """(instructions checked, declined runs, mismatches) over the reachable code of ``paths``.

    A run counts as declined when td_decode returns -1 for it: the test requires none.
    """
    checked = 0
    declined: list[str] = []
    errors: list[str] = []
    seen: set[tuple[int, bytes]] = set()
    for path in paths:
        for address, code in reachable_runs(Firmware(path)):
            if (address, code) in seen:
                continue
            seen.add((address, code))
            accepted, err = compare(lib, code, address, names_dependence)
            if not accepted:
                for a, size, m, o in _disassembler().disasm_lite(code, address):
                    if c_facts(lib, code[a - address : a - address + size], a) is None:
                        declined.append(f"{path.name} {a:#x} {m} {o}")
                        break
                else:
                    declined.append(f"{path.name} {address:#x}: run of {len(code)} bytes")
            elif err:
                errors.append(f"{path.name} {err}")
            else:
                checked += len(c_facts(lib, code, address))
    return checked, declined, errors


# ---------------------------------------------------------------------------------------- fuzz
def _random_word(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.35:  # 16-bit
        while True:
            h = rng.getrandbits(16)
            if not ((h & 0xE000) == 0xE000 and h & 0x1800):
                return struct.pack("<H", h)
    if kind < 0.65:  # any 32-bit outside the coprocessor space (the next kind covers FP)
        while True:
            h1 = rng.randint(0xE800, 0xFFFF)
            if h1 & 0xEC00 != 0xEC00:
                return struct.pack("<HH", h1, rng.getrandbits(16))
    if kind < 0.85:  # floating point: mostly coprocessor 10/11, some of all 0xEC00-0xEFFF
        h2 = rng.getrandbits(16)
        if rng.random() < 0.8:
            h2 = h2 & 0xF1FF | 0x0A00
        return struct.pack("<HH", rng.randint(0xEC00, 0xEFFF), h2)
    return struct.pack("<HH", rng.randint(0xFA80, 0xFBFF), rng.getrandbits(16))  # DSP, multiply


def _random_insn(rng: random.Random, md) -> bytes:
    """A random encoding that capstone decodes on its own (so that streams stay decodable)."""
    while True:
        code = _random_word(rng)
        one = next(md.disasm_lite(code, 0, 1), None)
        if one is not None and one[1] == len(code):
            return code


def _random_stream(rng: random.Random, md) -> bytes:
    parts = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.3:  # an IT block: firstcond eq..le, a mask for 1-4 instructions
            cond = rng.randint(0, 13)
            slots = rng.randint(1, 4)
            mask = (rng.getrandbits(slots - 1) << (5 - slots)) | (1 << (4 - slots))
            parts.append(struct.pack("<H", 0xBF00 | cond << 4 | mask))
            parts += [_random_insn(rng, md) for _ in range(slots)]
        else:
            parts.append(_random_insn(rng, md))
    return b"".join(parts)


def fuzz(lib, seed: int, instructions: int) -> tuple[Counter, list[str]]:
    """Random streams; returns (outcome counts with the declined mnemonics, mismatches)."""
    rng = random.Random(seed)
    md = _disassembler()
    stats: Counter = Counter()
    errors: list[str] = []
    done = 0
    while done < instructions:
        code = _random_stream(rng, md)
        address = 0x8000 + 2 * rng.getrandbits(12)
        accepted, err = compare(lib, code, address)
        cs = list(md.disasm_lite(code, address))
        done += max(1, len(cs))
        if err:
            errors.append(err)
        elif accepted:
            stats["accepted instructions"] += len(cs)
        elif sum(i[1] for i in cs) == len(code):
            stats["streams capstone decodes, C declines"] += 1
            in_it = 0
            for a, size, m, _ in cs:  # the first instruction C declines, in its IT context
                if c_facts(lib, code[: a - address + size], address) is None:
                    where = " (in IT)" if in_it else ""
                    stats["declined: " + m.split(".")[0] + where] += 1
                    break
                in_it = 4 if m.startswith("it") else max(0, in_it - 1)
        else:
            stats["streams capstone refuses"] += 1
    return stats, errors


def _report(stats: Counter) -> None:
    declined = [(k[10:], v) for k, v in stats.most_common() if k.startswith("declined: ")]
    print({k: v for k, v in stats.items() if not k.startswith("declined: ")})
    print("top declined (capstone decodes):", declined[:80])


def test_fuzz_parity(lib):
    stats, errors = fuzz(lib, seed=20240611, instructions=80_000)
    _report(stats)
    assert not errors, "\n".join(errors[:20])
    assert stats["accepted instructions"] > 25_000


@pytest.mark.slow
def test_fuzz_parity_long(lib):
    total: Counter = Counter()
    for seed in range(12):
        stats, errors = fuzz(lib, seed=seed, instructions=250_000)
        assert not errors, "\n".join(errors[:20])
        total.update(stats)
    _report(total)


# ------------------------------------------------------------------------------ the tests
QUICK_TARGETS = ("mps2-an386", "mps2-an385", "rp2040")  # one target per core


def _check_samples(lib, paths) -> None:
    names_dependence: Counter = Counter()
    checked, declined, errors = check_firmware(lib, paths, names_dependence)
    print(f"{len(paths)} ELFs: {checked} reachable instructions decoded by C with parity")
    print("parse() facts that differ from the cortex-m4 names' (core, mnemonic): count")
    print(sorted(names_dependence.items()))
    assert not errors, "\n".join(errors[:20])
    assert not declined, "C declines sample code:\n" + "\n".join(declined[:20])
    assert checked > 10_000


def test_sample_firmware_fully_decoded_with_parity(lib):
    """Every reachable instruction of the sample apps of one target per core."""
    paths = [p for p in sample_elfs() if p.parent.name in QUICK_TARGETS]
    assert paths
    _check_samples(lib, paths)


@pytest.mark.slow
def test_all_sample_firmware_fully_decoded_with_parity(lib):
    _check_samples(lib, sample_elfs())


def test_decoder_speed(lib):
    """Well under 0.2 us an instruction (the Python decoder needs ~20 us)."""
    fw = Firmware(ELF / "mps2-an386" / "kws-opt.elf")
    runs = [code for address, code in reachable_runs(fw) if c_facts(lib, code, address)]
    code = b"".join(runs) * 4
    cap = len(code) // 2 + 1
    out = (TdInsn * cap)()
    n = lib.td_decode(code, len(code), 0x1000, out, cap)
    assert n > 20_000
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        lib.td_decode(code, len(code), 0x1000, out, cap)
        best = min(best, time.perf_counter() - t)
    ns = best / n * 1e9
    print(f"td_decode: {ns:.1f} ns per instruction over {n} instructions")
    assert ns < 200


def test_it_block_conditions_and_flag_setting_forms(lib):
    """IT state carries to the following instructions within one call; not across calls."""
    ite = bytes.fromhex("0cbf012000200121")  # ite eq; movs r0,#1; movs r0,#0; movs r1,#1
    got = [f[2] for f in c_facts(lib, ite, 0x100)]
    assert got == ["ite", "moveq", "movne", "movs"]
    assert [f[2] for f in c_facts(lib, ite[2:], 0x102)] == ["movs", "movs", "movs"]
    assert compare(lib, ite, 0x100) == (True, None)


def test_refuses_what_it_cannot_represent(lib):
    assert c_facts(lib, bytes.fromhex("d1ed419b"), 0) is None  # vldr d25: d16-d31
    assert c_facts(lib, bytes.fromhex("00bf0020"[:6]), 0) is None  # ends inside a halfword
    assert c_facts(lib, bytes.fromhex("00f0"), 0) is None  # ends inside a 32-bit instruction
    assert c_facts(lib, bytes.fromhex("00ee100a"), 0) is not None  # vmov s0, r0
