"""Speed bench: guest MIPS of plain Unicorn, of mcusim's full path, and QEMU's wall time.

A command, not a pytest test (the name does not match ``test_*.py``)::

    .venv/bin/python tests/bench/bench_speed.py [--reps 3] [--budget-s 170] [--json FILE]

For each workload (a private copy of the ELF, so a rebuild during the run changes nothing),
in this one process:

1. **plain Unicorn**: the ELF in a bare engine (Cortex-M4 model, the target's memory regions,
   PT_LOAD segments at their physical addresses, SP/PC from the vector table, a CMSDK UART
   that ignores writes and reads 0, the SCS and DWT pages as plain RAM, and an interrupt hook
   that only services semihosting BKPT 0xAB far enough to finish), with its TLB filled by a
   hook as mcusim fills it (data pages read/write, fetched pages executable: stores to RAM
   leave Unicorn's slow path, ``mcusim/cpu.py``). No block hook: this is the ceiling any
   Unicorn-based simulator can reach. **stock**: the same engine with Unicorn's own TLB fill,
   as its API comes (every guest store then takes the slow path).
1b. **empty hook**: the same bare engine plus a C ``UC_HOOK_BLOCK`` callback that does nothing
   (``fp_noop_hook`` in mcusim/_native/fastpath.c, registered like mcusim's own): the ceiling
   of any simulator that accounts per translated block, as mcusim does. On short blocks
   Unicorn's per-block helper call alone costs a large share of plain Unicorn's speed.
2. **mcusim**: ``Simulator(target).run(elf)`` as ``mcusim run`` runs it: cycle model with its
   dynamic effects, SCS/SysTick, DWT, exceptions, semihosting, stack painting, per-function
   attribution, reports; and again with the per-op profiler of ``mcusim run --profile``
   (per-op cycles and stack/arena peaks, Python called at every op boundary); and once on its
   pure-Python path (``RunOptions(native=False)``), which must count the same cycles.
3. **QEMU**: whole-process wall time of ``qemu-system-arm -M mps2-an386 -nographic
   -semihosting -kernel X.elf`` (start-up included), if it is installed.

The guest instruction count of every engine is mcusim's ``r.instructions`` (the same ELF
takes the same path); the bench checks that plain Unicorn and QEMU end the same way (same
exit code). MIPS = that count / emulation seconds (the ``emu_start`` loop for plain, mcusim's
``host_seconds``); set-up is reported apart. Each figure is the best of ``--reps``
repetitions, run in rounds over all workloads (plain then mcusim each time) so that load
changes on a shared machine hit every engine alike; a round that would take the bench past
``--budget-s`` is not started, and the table says how many repetitions were kept.

Workloads: every sample app of the target whose mcusim run is over 1 M instructions (smaller
ones are listed as skipped: their time is start-up noise; one that has not exited after 4 s
of plain Unicorn is skipped as never-ending), and ``loop``, a tight integer loop of ~50 M
instructions (``tests/bench/loop.S``) assembled at bench time into a temporary directory
with arm-none-eabi-gcc.

Start-up: a fresh interpreter (``python -c``) that imports ``mcusim.simulator``, loads the
target and runs ``hello`` with ``max_cycles=1`` (ELF load, setup, first block); the bench
reports the whole process's wall time next to that of ``python -c pass``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import unicorn
from elftools.elf.elffile import ELFFile
from plain_unicorn import add_virtual_tlb  # this folder is on sys.path when run as a script
from unicorn import arm_const as A

from mcusim.config import load_target
from mcusim.machine import native
from mcusim.profile.profiler import OpProfiler
from mcusim.simulator import RunOptions, Simulator

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TARGET = "mps2-an386"
MIN_INSTRUCTIONS = 1_000_000

UART_BASE = 0x40004000  # CMSDK APB UART0 on MPS2 AN386 (targets/mps2-an386.toml)
SCS_PAGE = 0xE000E000  # System Control Space (SysTick, NVIC, SCB, CPACR)
DWT_PAGE = 0xE0001000  # Data Watchpoint and Trace unit (CYCCNT)
BKPT_SEMIHOSTING = b"\xab\xbe"  # T1 encoding of BKPT 0xAB, little-endian
SYS_EXIT = 0x18
SYS_EXIT_EXTENDED = 0x20
ADP_STOPPED_APPLICATION_EXIT = 0x20026
PLAIN_PROBE_US = 4_000_000  # a firmware that has not exited after 4 s of plain Unicorn
# (some 200 M to 1 G instructions) would take mcusim far beyond the bench's budget: left out
PLAIN_GUARD_US = 60_000_000
MCUSIM_GUARD_S = 90.0  # mcusim's own --timeout, far above any run the bench keeps
QEMU_TIMEOUT_S = 60
DEFAULT_BUDGET_S = 170.0
STARTUP_RESERVE_S = 5.0  # the start-up measurement at the end

PERMS = {"r": unicorn.UC_PROT_READ, "w": unicorn.UC_PROT_WRITE, "x": unicorn.UC_PROT_EXEC}


# -- plain Unicorn ----------------------------------------------------------------------------
@dataclass
class PlainOutcome:
    seconds: float  # emulation only (emu_start loop), like mcusim's host_seconds
    exit_code: int | None  # None: did not exit through semihosting
    detail: str
    call_seconds: float = 0.0  # set-up (engine, ELF load) and run


def plain_setup(elf_path: Path, target, stock: bool = False) -> tuple[unicorn.Uc, int, dict]:
    """A bare engine with the ELF loaded; returns (engine, start PC, shared state)."""
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB)
    uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M4)  # before the first map
    fill = None if stock else add_virtual_tlb(uc)
    for region in target.memory:
        perms = 0
        for letter in region.access:
            perms |= PERMS.get(letter, 0)
        uc.mem_map(region.base, region.size_bytes, perms)

    def uart_read(uc, offset, size, data):
        return 0

    def uart_write(uc, offset, size, value, data):
        pass

    uc.mmio_map(UART_BASE, 0x1000, uart_read, None, uart_write, None)
    uc.mem_map(SCS_PAGE, 0x1000, unicorn.UC_PROT_ALL)
    uc.mem_map(DWT_PAGE, 0x1000, unicorn.UC_PROT_ALL)

    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        for seg in elf.iter_segments():
            if seg["p_type"] == "PT_LOAD" and seg["p_filesz"]:
                uc.mem_write(seg["p_paddr"], seg.data())

    sp, pc = struct.unpack("<II", uc.mem_read(target.vector_table, 8))
    uc.reg_write(A.UC_ARM_REG_SP, sp)

    state = {"exit": None, "detail": "", "keep": (uart_read, uart_write, fill)}

    def on_intr(uc, intno, data):
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        if intno != 7 or bytes(uc.mem_read(pc, 2)) != BKPT_SEMIHOSTING:
            state["detail"] = f"CPU exception {intno} at 0x{pc:08x}"
            uc.emu_stop()
            return
        op, param = uc.reg_read(A.UC_ARM_REG_R0), uc.reg_read(A.UC_ARM_REG_R1)
        uc.reg_write(A.UC_ARM_REG_PC, (pc + 2) | 1)
        if op == SYS_EXIT_EXTENDED:
            reason, status = struct.unpack("<II", uc.mem_read(param, 8))
            state["exit"] = (status if reason == ADP_STOPPED_APPLICATION_EXIT else 1) & 0xFF
        elif op == SYS_EXIT:
            state["exit"] = 0 if param == ADP_STOPPED_APPLICATION_EXIT else 1
        else:  # output and every other call: ignored, "success"
            uc.reg_write(A.UC_ARM_REG_R0, 0)
            return
        state["detail"] = f"semihosting exit {state['exit']}"
        uc.emu_stop()

    state["keep"] += (on_intr,)
    uc.hook_add(unicorn.UC_HOOK_INTR, on_intr)
    return uc, pc, state


def add_noop_block_hook(uc: unicorn.Uc) -> None:
    """Register fastpath.c's empty C block hook: what UC_HOOK_BLOCK itself costs."""
    import ctypes

    from mcusim.machine.cpu import _raw

    lib, hook_t = _raw()
    handle = hook_t()
    noop = ctypes.cast(native.library().fp_noop_hook, ctypes.c_void_p)
    err = lib.uc_hook_add(uc._uch, ctypes.byref(handle), unicorn.UC_HOOK_BLOCK, noop, None, 1, 0)
    if err != unicorn.UC_ERR_OK:
        raise RuntimeError(f"uc_hook_add failed: {err}")


def plain_run(
    elf_path: Path, target, timeout_us: int, noop_hook: bool = False, stock: bool = False
) -> PlainOutcome:
    t_call = time.perf_counter()
    uc, pc, state = plain_setup(elf_path, target, stock)
    if noop_hook:
        add_noop_block_hook(uc)
    t0 = time.perf_counter()
    try:
        uc.emu_start(pc | 1, 0xFFFFFFFF, timeout=timeout_us)
    except unicorn.UcError as e:
        state["detail"] = f"unicorn error: {e} at 0x{uc.reg_read(A.UC_ARM_REG_PC):08x}"
    seconds = time.perf_counter() - t0
    if state["exit"] is None and not state["detail"]:
        # Unicorn returns normally on WFI, on emu_stop and at the timeout
        state["detail"] = f"stopped without exiting at 0x{uc.reg_read(A.UC_ARM_REG_PC):08x}"
    return PlainOutcome(seconds, state["exit"], state["detail"], time.perf_counter() - t_call)


# -- mcusim -----------------------------------------------------------------------------------
@dataclass
class SimOutcome:
    seconds: float  # r.host_seconds: the run loop, as for plain
    call_seconds: float  # the whole Simulator(...).run(...) call: ELF parse, setup, report
    instructions: int
    cycles: int
    exit_code: int
    exit_reason: str
    accounting: str  # "native" (C block hook) or "python"


def mcusim_run(
    elf_path: Path, target, guard_s: float, profile: bool = False, native: bool | None = None
) -> SimOutcome:
    """One mcusim run; ``profile``: with the per-op profiler of `mcusim run --profile`;
    ``native``: None for mcusim's default (the C fast path when built), False for the
    pure-Python path."""
    observers = (OpProfiler(),) if profile else ()
    t0 = time.perf_counter()
    options = RunOptions(timeout_s=guard_s, observers=observers, native=native)
    r = Simulator(target, options).run(elf_path)
    call = time.perf_counter() - t0
    return SimOutcome(
        r.host_seconds,
        call,
        r.instructions,
        r.cycles,
        r.exit_code,
        r.exit_reason,
        getattr(r, "accounting", "python"),
    )


# -- QEMU -------------------------------------------------------------------------------------
def qemu_run(qemu: str, elf_path: Path) -> tuple[float, int | None, str]:
    cmd = [qemu, "-M", TARGET, "-nographic", "-semihosting", "-kernel", str(elf_path)]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=QEMU_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, None, f"timed out after {QEMU_TIMEOUT_S} s"
    return time.perf_counter() - t0, p.returncode, p.stderr.decode(errors="replace").strip()


# -- workloads --------------------------------------------------------------------------------
@dataclass
class Row:
    workload: str
    elf: str
    sha256: str = ""
    instructions: int = 0
    cycles: int = 0
    plain_reps: int = 0
    mcusim_reps: int = 0
    qemu_reps: int = 0
    exit_code: int | None = None
    plain_s: float | None = None
    plain_mips: float | None = None
    stock_mips: float | None = None  # plain Unicorn with its own TLB fill
    mcusim_s: float | None = None
    mcusim_mips: float | None = None
    mcusim_call_s: float | None = None
    mcusim_accounting: str = ""
    ratio: float | None = None  # mcusim MIPS / plain MIPS
    python_mips: float | None = None  # mcusim on its pure-Python path (one run)
    profile_mips: float | None = None  # mcusim with the per-op profiler (mcusim run --profile)
    profile_ratio: float | None = None
    noop_hook_mips: float | None = None  # plain Unicorn with an empty C block hook
    noop_hook_ratio: float | None = None  # its MIPS / plain MIPS: the best any block hook gets
    qemu_wall_s: float | None = None
    qemu_mips_incl_startup: float | None = None
    notes: list[str] = field(default_factory=list)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_loop(workdir: Path) -> tuple[Path | None, str]:
    gcc = shutil.which("arm-none-eabi-gcc")
    if gcc is None:
        return None, "arm-none-eabi-gcc not found: loop workload skipped"
    out = workdir / "loop.elf"
    cmd = [
        gcc,
        "-mcpu=cortex-m4",
        "-mthumb",
        "-nostdlib",
        "-nostartfiles",
        "-Wl,-Ttext=0",
        "-Wl,-Tdata=0x20000000",
        "-Wl,-e,reset",
        "-Wl,--build-id=none",
        "-o",
        str(out),
        str(HERE / "loop.S"),
    ]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        return None, f"loop.S did not build: {p.stderr.strip()}"
    return out, ""


@dataclass
class Workload:
    row: Row
    path: Path
    plains: list[PlainOutcome] = field(default_factory=list)
    hooked: list[PlainOutcome] = field(default_factory=list)  # plain + empty C block hook
    stock: list[PlainOutcome] = field(default_factory=list)  # plain, Unicorn's own TLB fill
    sims: list[SimOutcome] = field(default_factory=list)
    profiled: list[SimOutcome] = field(default_factory=list)  # with --profile's OpProfiler
    python: list[SimOutcome] = field(default_factory=list)  # the pure-Python path, once
    qemus: list[tuple[float, int | None, str]] = field(default_factory=list)


def probe(w: Workload, target, qemu: str | None, deadline: float) -> bool:
    """Round 1: one run of each engine; False when the workload is left out."""
    row = w.row
    plain = plain_run(w.path, target, PLAIN_PROBE_US)
    if plain.exit_code is None and plain.seconds * 1e6 >= PLAIN_PROBE_US * 0.99:
        row.notes.append(
            f"skipped: no exit after {PLAIN_PROBE_US / 1e6:g} s of plain Unicorn"
            " (never ends here, or too long for the bench)"
        )
        return False
    w.plains.append(plain)
    w.stock.append(plain_run(w.path, target, PLAIN_GUARD_US, stock=True))
    if native.library() is not None:
        w.hooked.append(plain_run(w.path, target, PLAIN_GUARD_US, noop_hook=True))
    left = deadline - time.perf_counter()
    if left < 1.0:
        row.notes.append("skipped: the time budget was used up before its mcusim run")
        return False
    sim = mcusim_run(w.path, target, min(MCUSIM_GUARD_S, left))
    w.sims.append(sim)
    if sim.exit_reason != "timeout" and sim.instructions >= MIN_INSTRUCTIONS:
        w.profiled.append(mcusim_run(w.path, target, MCUSIM_GUARD_S, profile=True))
        if sim.accounting == "native":  # the pure-Python path, once (it is 10-20x slower)
            left = deadline - time.perf_counter()
            if left > 1.0:
                w.python.append(mcusim_run(w.path, target, left, native=False))
    row.instructions, row.cycles, row.exit_code = sim.instructions, sim.cycles, sim.exit_code
    if sim.exit_reason == "timeout":
        row.notes.append(
            f"skipped: mcusim did not finish in {min(MCUSIM_GUARD_S, left):.0f} s"
            " (guard or what was left of the time budget)"
        )
        return False
    if sim.instructions < MIN_INSTRUCTIONS:
        row.notes.append(
            f"skipped: {sim.instructions:,} instructions (< 1 M), ended by '{sim.exit_reason}'"
        )
        return False
    if qemu is not None:
        w.qemus.append(qemu_run(qemu, w.path))
    return True


def repeat(w: Workload, target, qemu: str | None, with_mcusim: bool) -> None:
    w.plains.append(plain_run(w.path, target, PLAIN_GUARD_US))
    w.stock.append(plain_run(w.path, target, PLAIN_GUARD_US, stock=True))
    if w.hooked:
        w.hooked.append(plain_run(w.path, target, PLAIN_GUARD_US, noop_hook=True))
    if qemu is not None:
        w.qemus.append(qemu_run(qemu, w.path))
    if with_mcusim:
        w.sims.append(mcusim_run(w.path, target, MCUSIM_GUARD_S))
        w.profiled.append(mcusim_run(w.path, target, MCUSIM_GUARD_S, profile=True))


def finish(w: Workload, qemu: str | None) -> None:
    row, sims, plains = w.row, w.sims, w.plains
    first = sims[0]
    row.plain_reps, row.mcusim_reps, row.qemu_reps = len(plains), len(sims), len(w.qemus)
    if first.exit_reason != "exit":
        row.notes.append(f"mcusim ended by '{first.exit_reason}', not a semihosting exit")
    for s in sims[1:]:
        if (s.instructions, s.exit_code) != (first.instructions, first.exit_code):
            row.notes.append("mcusim repetitions disagree (instructions or exit code)")
            break
    bad = [p for p in plains if p.exit_code != first.exit_code]
    if bad:
        row.notes.append(
            f"plain Unicorn ended differently: {bad[0].detail} (mcusim exit {first.exit_code})"
        )
    n = first.instructions
    row.plain_s = min(p.seconds for p in plains)
    row.mcusim_s = min(s.seconds for s in sims)
    if w.profiled:
        row.profile_mips = n / min(s.seconds for s in w.profiled) / 1e6
        row.profile_ratio = row.profile_mips / (n / row.plain_s / 1e6)
        if any(s.cycles != first.cycles for s in w.profiled):
            row.notes.append("the profiled run counted other cycles than the plain mcusim run")
    row.mcusim_call_s = min(s.call_seconds for s in sims)
    row.mcusim_accounting = "/".join(sorted({s.accounting for s in sims}))
    if row.mcusim_accounting != "native":
        row.notes.append(f"mcusim ran on its {row.mcusim_accounting} path (no C fast path built)")
    row.plain_mips = n / row.plain_s / 1e6
    if w.stock:
        row.stock_mips = n / min(p.seconds for p in w.stock) / 1e6
    row.mcusim_mips = n / row.mcusim_s / 1e6
    row.ratio = row.mcusim_mips / row.plain_mips
    if w.python:
        py = w.python[0]
        if py.exit_reason == "timeout":
            row.notes.append("the Python path did not finish within the bench's time budget")
        else:
            row.python_mips = n / py.seconds / 1e6
            if (py.cycles, py.instructions) != (first.cycles, first.instructions):
                row.notes.append("the Python path counted other cycles or instructions")
    if w.hooked:
        row.noop_hook_mips = n / min(p.seconds for p in w.hooked) / 1e6
        row.noop_hook_ratio = row.noop_hook_mips / row.plain_mips

    if qemu is None:
        row.notes.append("qemu-system-arm not found: QEMU skipped")
        return
    row.qemu_wall_s = min(t for t, _, _ in w.qemus)
    row.qemu_mips_incl_startup = n / row.qemu_wall_s / 1e6
    codes = {code for _, code, _ in w.qemus}
    if codes != {first.exit_code}:
        why = next((err for _, code, err in w.qemus if code != first.exit_code), "")
        row.notes.append(
            f"QEMU exit status {sorted(c for c in codes if c is not None) or codes}"
            f" != mcusim exit {first.exit_code}" + (f" ({why[:120]})" if why else "")
        )


# -- start-up ---------------------------------------------------------------------------------
STARTUP_CODE = """
import json, sys, time
t0 = time.perf_counter()
import mcusim.simulator
from mcusim.machine import native
from mcusim.config import load_target
from mcusim.profile.profiler import OpProfiler
from mcusim.simulator import RunOptions, Simulator
t1 = time.perf_counter()
r = Simulator(load_target(sys.argv[1]), RunOptions(timeout_s=None, max_cycles=1)).run(sys.argv[2])
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "instructions": r.instructions,
                  "exit_reason": r.exit_reason}))
"""


def measure_startup(reps: int) -> dict:
    hello = ROOT / "firmware_samples" / "elf" / TARGET / "hello.elf"
    best: dict = {}
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-c", STARTUP_CODE, TARGET, str(hello)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - t0
        inner = json.loads(p.stdout.strip().splitlines()[-1])
        sample = {"process_wall_s": wall, "python_pass_wall_s": bare, **inner}
        for key, value in sample.items():
            if isinstance(value, float):
                best[key] = min(best.get(key, value), value)
            else:
                best[key] = value
    return best


# -- output -----------------------------------------------------------------------------------
def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    head = (
        f"{'workload':<12} {'instructions':>13} {'exit':>4} {'stock MIPS':>10} {'plain MIPS':>10} "
        f"{'empty hook MIPS':>15} {'ceiling':>7} {'mcusim MIPS':>11} {'ratio':>6}"
        f" {'--profile MIPS':>14} {'ratio':>6} {'python MIPS':>11} {'mcusim call s':>13}"
        f" {'qemu wall s':>11}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.workload:<12} {fmt(r.instructions or None, ',d'):>13}"
            f" {fmt(r.exit_code, 'd'):>4} {fmt(r.stock_mips, '.1f'):>10} "
            f"{fmt(r.plain_mips, '.1f'):>10} {fmt(r.noop_hook_mips, '.1f'):>15}"
            f" {fmt(r.noop_hook_ratio, '.3f'):>7} {fmt(r.mcusim_mips, '.2f'):>11} "
            f"{fmt(r.ratio, '.3f'):>6} {fmt(r.profile_mips, '.2f'):>14}"
            f" {fmt(r.profile_ratio, '.3f'):>6} {fmt(r.python_mips, '.2f'):>11}"
            f" {fmt(r.mcusim_call_s, '.3f'):>13} "
            f"{fmt(r.qemu_wall_s, '.3f'):>11}"
        )
        for note in r.notes:
            lines.append(f"{'':<12}   note: {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3, help="repetitions, best kept (default 3)")
    ap.add_argument(
        "--budget-s",
        type=float,
        default=DEFAULT_BUDGET_S,
        help="host-time budget: no repetition round starts that would exceed it"
        f" (default {DEFAULT_BUDGET_S:g})",
    )
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = ap.parse_args(argv)
    if args.reps < 1:
        ap.error("--reps must be at least 1")

    t_start = time.perf_counter()
    target = load_target(TARGET)
    qemu = shutil.which("qemu-system-arm")
    elf_dir = ROOT / "firmware_samples" / "elf" / TARGET
    with tempfile.TemporaryDirectory(prefix="mcusim-bench-") as tmp:
        # Every engine runs a private copy: the committed ELFs may be rebuilt while we run.
        workloads = []
        for p in sorted(elf_dir.glob("*.elf")):
            copy = Path(tmp) / p.name
            shutil.copyfile(p, copy)
            row = Row(p.stem, str(p.relative_to(ROOT)), sha256=sha256(copy))
            workloads.append(Workload(row, copy))
        loop, why = build_loop(Path(tmp))
        loop_row = Row("loop", "tests/bench/loop.S (built in a temporary directory)")
        loop_row.sha256 = sha256(loop) if loop else ""
        if loop is None:
            loop_row.notes.append(why)
        workloads.append(Workload(loop_row, loop or HERE / "loop.S"))

        # Round 1 runs every engine once and leaves out what does not qualify. Further
        # rounds always repeat plain Unicorn and QEMU (cheap); they repeat mcusim only while
        # a whole mcusim round still fits in the time budget.
        deadline = t_start + args.budget_s - STARTUP_RESERVE_S
        kept = [w for w in workloads if not w.row.notes and probe(w, target, qemu, deadline)]
        cheap = sum(w.plains[0].call_seconds + sum(q[0] for q in w.qemus) for w in kept)
        heavy = sum(w.sims[0].call_seconds + w.profiled[0].call_seconds for w in kept)
        mcusim_reps = 1
        for k in range(2, args.reps + 1):
            left = deadline - time.perf_counter()
            with_mcusim = (
                mcusim_reps == k - 1 and 1.15 * (heavy + cheap * (args.reps - k + 1)) <= left
            )
            for w in kept:
                repeat(w, target, qemu, with_mcusim)
            mcusim_reps += with_mcusim
        for w in kept:
            finish(w, qemu)
    rows = [w.row for w in workloads]
    startup = measure_startup(args.reps)
    total = time.perf_counter() - t_start

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(
        f"mcusim speed bench, target {TARGET}: best of {args.reps} for plain Unicorn and QEMU,"
        f" of {mcusim_reps} for mcusim"
        + (
            f" (another mcusim round, ~{heavy:.0f} s, did not fit the {args.budget_s:g} s budget)"
            if mcusim_reps < args.reps
            else ""
        )
    )
    print(
        f"host: {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()},"
        f" unicorn {unicorn.__version__}"
        + (f", load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else "")
    )
    print("MIPS = guest instructions (mcusim's count) / emulation seconds (setup excluded);")
    print("ratio = mcusim MIPS / plain MIPS (mcusim on its C fast path when it is built);")
    print("--profile = mcusim with the per-op profiler (mcusim run --profile), ratio likewise;")
    print("python = mcusim on its pure-Python path (RunOptions(native=False)), one run;")
    print("empty hook = plain Unicorn with a C block hook that does nothing (UC_HOOK_BLOCK's own")
    print("cost); ceiling = its MIPS / plain MIPS, the most any per-block accounting can reach;")
    print("'mcusim call s' = whole Simulator.run (setup and report included); qemu wall s =")
    print("whole qemu-system-arm process, start-up included.")
    print()
    print(table(rows))
    print()
    print(
        f"start-up (fresh python -c: import mcusim.simulator, load target, run hello to"
        f" max_cycles=1): process wall {startup['process_wall_s']:.3f} s"
        f" (python -c pass: {startup['python_pass_wall_s']:.3f} s);"
        f" in process: import {startup['import_s']:.3f} s,"
        f" ELF load + setup + first block {startup['run_s']:.3f} s"
        f" ({startup['instructions']} instructions, ended by '{startup['exit_reason']}')"
    )
    print(f"bench total: {total:.1f} s")

    if args.json:
        doc = {
            "target": TARGET,
            "reps_asked": args.reps,
            "mcusim_reps": mcusim_reps,
            "budget_s": args.budget_s,
            "host": {
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "unicorn": unicorn.__version__,
                "loadavg": list(load) if load else None,
            },
            "workloads": [asdict(r) for r in rows],
            "startup": startup,
            "bench_seconds": total,
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
