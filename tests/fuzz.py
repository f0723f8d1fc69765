"""Seeded mutation fuzzing of mcusim's inputs: ELF images, target TOML files, .tflite models.

Shared by tests/test_fuzz.py (a few thousand cases in the default run, many more marked slow).
Each ``check_*`` function feeds one input to the in-process API the CLI uses and returns
"rejected" (an InputError naming the file) or "accepted"; anything else raises, and the caller
reports the case (kind, seed) so it can be reproduced and kept in tests/fuzz_corpus/.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

from simtest import ROOT, elf

from mcusim.errors import InputError

SEED_ELFS = [elf("mps2-an386", "exitcode"), elf("mps2-an386", "fault")]
SEED_TARGET = ROOT / "targets" / "mps2-an386.toml"
RUN_STOPS = {"exit", "halted", "fault", "limit", "timeout", "reset"}


# -- ELF ------------------------------------------------------------------------------------
def _header(blob: bytes) -> dict:
    (phoff, shoff) = struct.unpack_from("<II", blob, 28)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", blob, 42)
    return dict(phoff=phoff, shoff=shoff, phnum=phnum, shnum=shnum, shstrndx=shstrndx)


def _sections(blob: bytes, h: dict) -> list[tuple[int, int, int, int]]:
    """(header offset, type, file offset, size) of each section."""
    out = []
    for i in range(h["shnum"]):
        at = h["shoff"] + 40 * i
        _, sh_type, _, _, off, size = struct.unpack_from("<IIIIII", blob, at)
        out.append((at, sh_type, off, size))
    return out


def _flip(b: bytearray, rng: random.Random, lo: int, hi: int, n: int) -> None:
    hi = min(hi, len(b))
    if hi <= lo:
        return
    for _ in range(n):
        i = rng.randrange(lo, hi)
        b[i] = rng.choice((rng.randrange(256), b[i] ^ (1 << rng.randrange(8)), 0xFF, 0))


def _put32(b: bytearray, at: int, value: int) -> None:
    if 0 <= at <= len(b) - 4:
        struct.pack_into("<I", b, at, value & 0xFFFFFFFF)


HUGE = (0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x10000000, 0xFFFFFFF0, 0x00FFFFFF)


def mutate_elf(seed: int) -> tuple[str, bytes]:
    """One mutated ELF (and the name of the mutation) from ``seed``."""
    rng = random.Random(seed)
    src = SEED_ELFS[seed % len(SEED_ELFS)].read_bytes()
    b = bytearray(src)
    h = _header(src)
    secs = _sections(src, h)
    phdr = h["phoff"] + 32 * rng.randrange(max(h["phnum"], 1))
    kind = rng.choice(
        [
            "header", "phdrs", "shdrs", "symtab", "strtab", "truncate", "memsz", "filesz",
            "offset", "paddr", "overlap", "phnum", "shnum", "shstrndx", "class64", "bigendian",
            "machine", "entry", "vector", "symvalues", "shsize", "phentsize",
        ]
    )  # fmt: skip
    if kind == "header":
        _flip(b, rng, 0, 52, rng.randint(1, 4))
    elif kind == "phdrs":
        _flip(b, rng, h["phoff"], h["phoff"] + 32 * h["phnum"], rng.randint(1, 6))
    elif kind == "shdrs":
        _flip(b, rng, h["shoff"], h["shoff"] + 40 * h["shnum"], rng.randint(1, 8))
    elif kind in ("symtab", "strtab", "symvalues"):
        types = {"symtab": 2, "strtab": 3, "symvalues": 2}
        cand = [s for s in secs if s[1] == types[kind]]
        if cand:
            _, _, off, size = rng.choice(cand)
            if kind == "symvalues":  # st_value / st_size of random symbols
                for _ in range(rng.randint(1, 20)):
                    at = off + 16 * rng.randrange(max(size // 16, 1)) + rng.choice((4, 8))
                    _put32(b, at, rng.choice(HUGE + (rng.getrandbits(32),)))
            else:
                _flip(b, rng, off, off + size, rng.randint(1, 30))
    elif kind == "truncate":
        del b[rng.randrange(len(b)) :]
    elif kind == "memsz":
        _put32(b, phdr + 20, rng.choice(HUGE))
    elif kind == "filesz":
        _put32(b, phdr + 16, rng.choice(HUGE + (len(src),)))
    elif kind == "offset":
        _put32(b, phdr + 4, rng.choice(HUGE + (len(src) - 4,)))
    elif kind == "paddr":
        _put32(b, phdr + 12, rng.choice(HUGE + (rng.getrandbits(32), 0x20000000, 0x3FFFF0)))
    elif kind == "overlap":  # copy one program header over another: overlapping segments
        if h["phnum"] >= 2:
            a, c = rng.sample(range(h["phnum"]), 2)
            pa, pc = h["phoff"] + 32 * a, h["phoff"] + 32 * c
            b[pc : pc + 32] = b[pa : pa + 32]
            _put32(b, pc + 12, struct.unpack_from("<I", b, pa + 12)[0] + rng.choice((0, 4, 2)))
        else:
            _put32(b, phdr + 20, 0x400004)
    elif kind == "phnum":
        struct.pack_into("<H", b, 44, rng.choice((0, 0xFFFF, 200, h["phnum"] + 1)))
    elif kind == "shnum":
        struct.pack_into("<H", b, 48, rng.choice((0, 0xFFFF, 1000, h["shnum"] + 3)))
    elif kind == "shstrndx":
        struct.pack_into("<H", b, 50, rng.choice((0, 0xFFFF, h["shnum"], 1)))
    elif kind == "class64":
        b[4] = 2
    elif kind == "bigendian":
        b[5] = 2
    elif kind == "machine":
        struct.pack_into("<H", b, 18, rng.choice((0, 3, 62, 183, 243, 0xFFFF, 41)))
    elif kind == "entry":
        _put32(b, 24, rng.choice(HUGE + (rng.getrandbits(32), 1)))
    elif kind == "vector":  # the initial SP and reset vector of the image
        seg_off = struct.unpack_from("<I", src, h["phoff"] + 4)[0]
        _put32(b, seg_off + rng.choice((0, 4)), rng.choice(HUGE + (0, 1, rng.getrandbits(32))))
    elif kind == "shsize":
        if secs:
            at = rng.choice(secs)[0]
            _put32(b, at + rng.choice((16, 20)), rng.choice(HUGE))
    elif kind == "phentsize":
        struct.pack_into("<H", b, 42, rng.choice((0, 1, 16, 0xFFFF)))
    return kind, bytes(b)


def check_elf(path: Path, target) -> str:
    from mcusim.image.elf import Firmware
    from mcusim.simulator import RunOptions, Simulator

    try:
        fw = Firmware(path)
        result = Simulator(target, RunOptions(max_cycles=20_000, timeout_s=5)).run(fw)
    except InputError as e:
        assert str(path) in e.message, e.message
        return "rejected"
    assert result.exit_reason in RUN_STOPS, result.exit_reason
    return "accepted"


# -- target TOML ----------------------------------------------------------------------------
TOML_MUTATIONS = [
    ("schema = 1", "schema = 2"),
    ("schema = 1", ""),
    ('core = "cortex-m4"', 'core = "cortex-m7"'),
    ('core = "cortex-m4"', "core = 4"),
    ('core = "cortex-m4"', ""),
    ("clock_hz = 25000000", "clock_hz = -1"),
    ("clock_hz = 25000000", 'clock_hz = "fast"'),
    ("clock_hz = 25000000", "clock_hz = 2.5e7"),
    ("clock_hz = 25000000", ""),
    ("fpu = true", 'fpu = "yes"'),
    ("base = 0x00000000", "base = -4096"),
    ("base = 0x20000000", "base = 0x00001000"),  # overlaps ssram1
    ("base = 0x20000000", "base = 0xFFFFFC00"),
    ("base = 0x20000000", 'base = "0x20000000"'),
    ("size_bytes = 4194304", "size_bytes = 0"),
    ("size_bytes = 4194304", "size_bytes = -1024"),
    ("size_bytes = 4194304", "size_bytes = 1000"),
    ("size_bytes = 4194304", "size_bytes = 0x100000000"),
    ('access = "rwx"', 'access = "rwz"'),
    ('access = "rwx"', 'access = ""'),
    ('access = "rwx"', "access = 7"),
    ('kind = "ram"', 'kind = "eeprom"'),
    ("wait_states = 0", "wait_states = -1"),
    ("wait_states = 0", "wait_states = 1.5"),
    ("vector_table = 0x00000000", "vector_table = -1"),
    ("vector_table = 0x00000000", "vector_table = 0x90000000"),
    ("vector_table = 0x00000000", 'vector_table = "0"'),
    ("[[memory]]", "[memory]"),
    ("[[peripheral]]", "[peripheral]"),
    ("[power]", "[[power]]"),
    ('model = "uart"', 'model = "nonexistent"'),
    ('model = "uart"', "model = 1"),
    ("base = 0x40004000", "base = 0x00000000"),  # peripheral over memory
    ("base = 0x40004000", "base = 0xFFFFF800"),
    ("size_bytes = 0x1000", "size_bytes = 0"),
    ("tx_data_offset = 0x000", "tx_data_offset = 0x10000"),
    ("tx_data_offset = 0x000", 'tx_data_offset = "0"'),
    ("tx_data_offset = 0x000", "tx_data_offset = -4"),
    ("status = [ { offset = 0x004", "status = [ { offset = -4"),
    ("status = [ { offset = 0x004, value = 0x0", "status = [ { offset = 0x004, value = 'x'"),
    ("status = [", "status = 3 #["),
    ("supply_voltage_v = 0.0", "supply_voltage_v = -3.3"),
    ("supply_voltage_v = 0.0", 'supply_voltage_v = "3.3"'),
    ("active_current_ua_per_mhz = 0.0", "active_current_ua_per_mhz = nan"),
    ("active_current_ua_per_mhz = 0.0", "active_current_ua_per_mhz = inf"),
    ('name = "ssram1"', "name = 1"),
    ('name = "ssram1"', ""),
    ('name = "uart0"', 'name = "ssram1"'),
]
EXTRA_LINES = [
    'extends = "mps2-an386"',
    'extends = "self.toml"',
    'extends = "loop_b.toml"',
    'extends = "nosuch"',
    "extends = 3",
    'extends = "../../../etc/passwd.toml"',
    "nvic_irqs = -5",
    "nvic_irqs = 100000000",
    'nvic_priority_bits = "x"',
    "nvic_priority_bits = 99",
    "[clock_modes.fast]\nclock_hz = 0",
    "[clock_modes.fast]\nclock_hz = 'x'",
    "[clock_modes]\nfast = 3",
    "memory = []",
    "memory = 5",
    "peripheral = [1, 2]",
    "[[memory]]\nname='x'\nkind='ram'\nbase=0x30000000\nsize_bytes=1024\naccess='rw'\nfetch_width_bytes=0",
    "[[memory]]\nname='x'\nkind='flash'\nbase=0x30000000\nsize_bytes=1024\naccess='rx'\nwait_states=1\nfetch_width_bytes=3",
    "[[memory]]\nname='x'\nkind='flash'\nbase=0x30000000\nsize_bytes=1024\naccess='rx'\nprefetch='yes'",
    "[[peripheral]]\nname='t'\nmodel='registers'\nbase=0x40010000\nreads=[{offset=0x10000,value=1}]",
    "[[peripheral]]\nname='t'\nmodel='registers'\nbase=0x40010000\nreads=[{value=1}]",
    "[[peripheral]]\nname='t'\nmodel='registers'\nbase=0x40010000\nreads=5",
    "[[peripheral]]\nname='t'\nmodel='registers'\nbase=0x40010003\nsize_bytes=5",
    "[[peripheral]]\nname='t'\nbase=0x40010000",
    "\x00",
    "= broken",
    "[[memory]]\n",
]


def mutate_toml(seed: int, folder: Path) -> tuple[str, Path]:
    """A mutated copy of the mps2-an386 target in ``folder`` (plus extends-loop partners)."""
    rng = random.Random(seed)
    text = SEED_TARGET.read_text()
    names = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.6:
            old, new = rng.choice(TOML_MUTATIONS)
            if old in text:
                # replace one occurrence, not always the first
                parts = text.split(old)
                i = rng.randrange(len(parts) - 1)
                text = old.join(parts[: i + 1]) + new + old.join(parts[i + 1 :])
                names.append(f"{old!r}->{new!r}")
        else:
            line = rng.choice(EXTRA_LINES)
            names.append(f"+{line.splitlines()[0]!r}")
            if line.startswith(("extends", "nvic", "memory =", "peripheral =")):
                text = line + "\n" + text
            else:
                text = text + "\n" + line + "\n"
    if rng.random() < 0.15:  # byte-level damage
        raw = bytearray(text.encode())
        _flip(raw, rng, 0, len(raw), rng.randint(1, 5))
        text = raw.decode("utf-8", "replace")
        names.append("bytes")
    path = folder / "self.toml"
    path.write_text(text)
    (folder / "loop_b.toml").write_text('extends = "self.toml"\n')
    return ", ".join(names), path


def check_toml(path: Path) -> str:
    from mcusim.config import load_target
    from mcusim.image.elf import Firmware
    from mcusim.simulator import RunOptions, Simulator

    try:
        target = load_target(str(path))
        Simulator(target, RunOptions(max_cycles=5_000, timeout_s=5)).run(Firmware(SEED_ELFS[0]))
    except InputError as e:
        assert str(path) in e.message or "self.toml" in e.message, e.message
        return "rejected"
    return "accepted"


# -- .tflite --------------------------------------------------------------------------------
def tflite_seed() -> Path | None:
    path = ROOT / "firmware_samples" / "models" / "digits.tflite"
    return path if path.is_file() else None


def mutate_tflite(seed: int, src: bytes) -> tuple[str, bytes]:
    rng = random.Random(seed)
    b = bytearray(src)
    kind = rng.choice(["flip_head", "flip_any", "truncate", "offsets", "identifier"])
    if kind == "flip_head":
        _flip(b, rng, 0, min(len(b), 512), rng.randint(1, 8))
    elif kind == "flip_any":
        _flip(b, rng, 0, len(b), rng.randint(1, 30))
    elif kind == "truncate":
        del b[rng.randrange(len(b)) :]
    elif kind == "offsets":  # plant huge or negative 32-bit offsets at aligned positions
        for _ in range(rng.randint(1, 6)):
            _put32(b, 4 * rng.randrange(min(len(b), 4096) // 4), rng.choice(HUGE + (4, 0)))
    else:
        b[4:8] = rng.choice((b"TFL2", b"\0\0\0\0", b"XXXX"))
    return kind, bytes(b)


def check_tflite(path: Path) -> str:
    from mcusim.tflite.model import load_model

    try:
        load_model(path)
    except InputError as e:
        assert str(path) in e.message, e.message
        return "rejected"
    return "accepted"
