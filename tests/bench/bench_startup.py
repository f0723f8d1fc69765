"""Start-up bench: whole-process wall time of ``mcusim run -q`` against a minimal plain-Unicorn
runner and QEMU, and of ``mcusim test`` over 50 short images against QEMU.

A command, not a pytest test (the name does not match ``test_*.py``)::

    .venv/bin/python tests/bench/bench_startup.py [--reps 5] [--json FILE]

Every figure is a whole process, start-up included, as a user runs it:

* ``mcusim run X.elf --target mps2-an386 -q`` (warm: the ELF's tables are in mcusim's cache,
  which the bench keeps in a private folder; cold: ``MCUSIM_NO_CACHE=1``);
* ``python tests/bench/plain_unicorn.py X.elf``: load the PT_LOAD segments, SP/PC from the
  vector table, one hook for semihosting exit (the floor for any Unicorn-based runner);
  and the same with ``--virtual-tlb``, the engine set-up mcusim uses (see that script);
* ``qemu-system-arm -M mps2-an386 -semihosting -nographic -kernel X.elf``.

Runs are paired: each repetition runs every engine on a workload back to back (in an order
that rotates), so a change in machine load hits all of them alike; the table gives medians of
the walls and the median of the per-repetition ratios. Workloads: the sample model apps of
mps2-an386 (``firmware_samples/elf/mps2-an386``), ``hello``, and ``many``: a program of 1,000
small functions (about 1,070 symbols, 0.9 ms of guest time) generated and built here with
arm-none-eabi-gcc and the samples' start-up code and link script.

``mcusim test``: 50 short generated test images (distinct programs of 5 to 54 functions that
check a result and exit 0), ``mcusim test ... -j 2`` against QEMU running the same 50, two at
a time; warm and cold mcusim cache. ``--test-images GLOB`` uses ELFs of yours instead (e.g. a
TFLM build's ``kernel_*_test``); an image with nothing loaded at address 0 (newlib's rdimon
start-up, as TFLM's Cortex-M test builds link) gets a two-word vector table (top of SRAM, its
entry point) through QEMU's generic loader, since QEMU starts an M-profile core from there.
Children run without PYTHONDONTWRITEBYTECODE, as an installed mcusim does (its bytecode is
cached).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "firmware_samples"
ELF_DIR = SAMPLES / "elf" / "mps2-an386"
TARGET = "mps2-an386"
MODEL_APPS = ("kws", "kws-opt", "vision", "vision-opt", "anomaly", "anomaly-opt", "digits",
              "digits-opt")  # fmt: skip
CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
CFLAGS = ["-std=c11", "-Os", "-g", "-ffunction-sections", "-fdata-sections", "-ffreestanding",
          "-Icommon", f'-DTARGET_NAME="{TARGET}"']  # fmt: skip
LDFLAGS = ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections", "-Lcommon",
           f"-Ttargets/{TARGET}/link.ld"]  # fmt: skip


def program(n: int, salt: int = 0) -> str:
    """C source: ``n`` small functions called through a table, then a check and exit 0."""
    out = ["#include <stdint.h>", '#include "console.h"', "volatile uint32_t sink;"]
    for i in range(n):
        out.append(
            f"__attribute__((noinline)) uint32_t f{i:04d}(uint32_t x) {{ for (int k = 0; k < 4; "
            f"k++) x = x * {2 * i + 3 + 2 * salt}u + {i}u; return x ^ (x >> 7); }}"
        )
    out.append("typedef uint32_t (*fn_t)(uint32_t);")
    out.append("static fn_t const table[] = {" + ", ".join(f"f{i:04d}" for i in range(n)) + "};")
    out.append(
        "int main(void) { uint32_t x = 1; for (unsigned i = 0; i < sizeof table / sizeof "
        'table[0]; i++) x = table[i](x); sink = x; con_puts(x ? "ok\\n" : "zero\\n"); '
        "return 0; }"
    )
    return "\n".join(out) + "\n"


def build(workdir: Path, name: str, source: str) -> Path:
    c = workdir / f"{name}.c"
    c.write_text(source)
    out = workdir / f"{name}.elf"
    srcs = [str(p.relative_to(SAMPLES)) for p in sorted((SAMPLES / "common").glob("*.c"))]
    srcs.append(f"targets/{TARGET}/board.c")
    subprocess.run(
        ["arm-none-eabi-gcc", *CPU, *CFLAGS, *srcs, str(c), *LDFLAGS, "-o", str(out)],
        cwd=SAMPLES,
        check=True,
        capture_output=True,
    )
    return out


def child_env(cache_dir: Path, cold: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MCUSIM_CACHE_DIR"] = str(cache_dir)
    env.pop("MCUSIM_NO_CACHE", None)
    if cold:
        env["MCUSIM_NO_CACHE"] = "1"
    return env


def wall(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Whole-process wall seconds and exit code; the CPU seconds go to CPU_SECONDS."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    CPU_SECONDS.append(usage.ru_utime + usage.ru_stime)
    return time.perf_counter() - t0, p.returncode


CPU_SECONDS: list[float] = []  # user + system seconds of each process wall() ran, in order


def mcusim_cmd() -> list[str]:
    script = Path(sys.executable).with_name("mcusim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mcusim.cli"]


def instructions(elf: Path, env: dict[str, str]) -> int:
    out = subprocess.run(
        [*mcusim_cmd(), "run", str(elf), "--target", TARGET, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)["instructions"]


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench_runs(workloads: dict[str, Path], reps: int, qemu: str | None, cache: Path) -> list:
    warm, cold = child_env(cache), child_env(cache, cold=True)
    engines = {
        "mcusim": lambda e: wall([*mcusim_cmd(), "run", str(e), "--target", TARGET, "-q"], warm),
        "mcusim_cold": lambda e: wall(
            [*mcusim_cmd(), "run", str(e), "--target", TARGET, "-q"], cold
        ),
        "plain": lambda e: wall(
            [sys.executable, str(Path(__file__).with_name("plain_unicorn.py")), str(e), TARGET],
            warm,
        ),  # fmt: skip
        "plain_vtlb": lambda e: wall(
            [
                sys.executable,
                str(Path(__file__).with_name("plain_unicorn.py")),
                str(e),
                TARGET,
                "--virtual-tlb",
            ],
            warm,
        ),  # fmt: skip
    }
    if qemu:
        engines["qemu"] = lambda e: wall(
            [qemu, "-M", TARGET, "-semihosting", "-nographic", "-kernel", str(e)]
        )
    rows = []
    for name, elf in workloads.items():
        row = {"workload": name, "instructions": instructions(elf, warm), "codes": {}}
        for eng, fn in engines.items():  # warm-up (not timed): disk cache, bytecode, mcusim cache
            row["codes"][eng] = fn(elf)[1]
        row.update({eng: [] for eng in engines})
        order = list(engines)
        for rep in range(reps):
            for eng in order[rep % len(order) :] + order[: rep % len(order)]:
                row[eng].append(engines[eng](elf)[0])
                row.setdefault(f"{eng}_cpu", []).append(CPU_SECONDS[-1])
        rows.append(row)
        print(f"  {name}: " + ", ".join(f"{e} {median(row[e]):.3f} s" for e in engines),
              file=sys.stderr)  # fmt: skip
    return rows


def bench_test(images: list[Path], reps: int, qemu: str | None, cache: Path, jobs: int) -> dict:
    def mcusim_test(env):
        cmd = [*mcusim_cmd(), "test", *map(str, images), "--target", TARGET, "-j", str(jobs)]
        return wall([*cmd, "-q", "--no-config"], env)

    loaders = {e: qemu_vectors(e, cache.parent) for e in images}

    def qemu_all():
        t0 = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            codes = list(
                pool.map(
                    lambda e: wall(
                        [
                            qemu,
                            "-M",
                            TARGET,
                            "-semihosting",
                            "-nographic",
                            *loaders[e],
                            "-kernel",
                            str(e),
                        ]
                    )[1],
                    images,
                )
            )
        return time.perf_counter() - t0, max(codes)  # fmt: skip

    out: dict[str, list[float]] = {"mcusim": [], "mcusim_cold": [], "qemu": []}
    codes = {"mcusim": mcusim_test(child_env(cache))[1]}  # warm-up (fills the cache)
    for _ in range(reps):
        out["mcusim"].append(mcusim_test(child_env(cache))[0])
        out["mcusim_cold"].append(mcusim_test(child_env(cache, cold=True))[0])
        if qemu:
            t, codes["qemu"] = qemu_all()
            out["qemu"].append(t)
    return {**out, "codes": codes, "images": len(images), "jobs": jobs}


def qemu_vectors(elf: Path, folder: Path) -> list[str]:
    """QEMU arguments giving an image with nothing loaded at address 0 a vector table (initial
    SP at the top of the target's SRAM, reset at the ELF's entry); none for the others."""
    import struct

    from mcusim.config import load_target
    from mcusim.image.elf import Firmware

    fw = Firmware(elf)
    if any(s.paddr == 0 and s.data for s in fw.segments):
        return []
    rams = [r for r in load_target(TARGET).memory if r.kind == "ram"]
    ram = max(rams, key=lambda r: r.size_bytes)
    vec = folder / f"{elf.name}.vectors.bin"
    vec.write_bytes(struct.pack("<II", ram.base + ram.size_bytes, fw.entry | 1))
    return ["-device", f"loader,file={vec},addr=0x0"]


def ratio(a: list[float], b: list[float]) -> float:
    return median([x / y for x, y in zip(a, b, strict=True)]) if a and b else float("nan")


def table(rows: list, test: dict) -> str:
    lines = [
        "| workload | instructions | `mcusim run -q` s (cold cache) | plain Unicorn s "
        "| plain Unicorn, virtual TLB s | QEMU s | mcusim / plain | mcusim / plain, virtual TLB "
        "| mcusim / QEMU | mcusim / plain, virtual TLB, CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        q = r.get("qemu", [])
        lines.append(
            f"| {r['workload']} | {r['instructions'] / 1e6:.2f} M | {median(r['mcusim']):.3f} "
            f"({median(r['mcusim_cold']):.3f}) | {median(r['plain']):.3f} | "
            f"{median(r['plain_vtlb']):.3f} | {median(q):.3f} | "
            f"{ratio(r['mcusim'], r['plain']):.2f}x | {ratio(r['mcusim'], r['plain_vtlb']):.2f}x | "
            f"{ratio(r['mcusim'], q):.2f}x | {ratio(r['mcusim_cpu'], r['plain_vtlb_cpu']):.2f}x |"
        )
    if test:
        lines.append(
            f"| `mcusim test`, {test['images']} {test.get('what', 'short images')}, "
            f"`-j {test['jobs']}` | | "
            f"{median(test['mcusim']):.3f} ({median(test['mcusim_cold']):.3f}) | | | "
            f"{median(test['qemu']):.3f} (2 at a time) | | | "
            f"{ratio(test['mcusim'], test['qemu']):.2f}x | |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="paired repetitions (default 5)")
    ap.add_argument("--test-reps", type=int, default=3, help="repetitions of the 50-image test")
    ap.add_argument("--only", nargs="*", help="workload names to run (default: all)")
    ap.add_argument("--no-test", action="store_true", help="skip the 50-image mcusim test")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    ap.add_argument(
        "--test-images", metavar="GLOB",
        help="run the mcusim test part on these ELFs (e.g. a TFLM build's bin/kernel_*_test) "
        "instead of the 50 generated ones",
    )  # fmt: skip
    a = ap.parse_args(argv)
    qemu = shutil.which("qemu-system-arm")
    if shutil.which("arm-none-eabi-gcc") is None:
        print("bench_startup: arm-none-eabi-gcc is needed to build the workloads", file=sys.stderr)
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_startup: {os.cpu_count()} CPUs, load average {load:.2f}, reps {a.reps}; "
          f"qemu: {qemu or 'not found'}", file=sys.stderr)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="mcusim-bench-") as tmp:
        work, cache = Path(tmp), Path(tmp) / "cache"
        workloads = {"hello": ELF_DIR / "hello.elf", "many": build(work, "many", program(1000))}
        workloads.update({app: ELF_DIR / f"{app}.elf" for app in MODEL_APPS})
        if a.only:
            workloads = {k: v for k, v in workloads.items() if k in a.only}
        for name, path in list(workloads.items()):  # private copies: a rebuild changes nothing
            copy = work / f"w-{name}.elf"
            shutil.copyfile(path, copy)
            workloads[name] = copy
        rows = bench_runs(workloads, a.reps, qemu, cache)
        test = {}
        if a.test_images:
            import glob

            images = [Path(p) for p in sorted(glob.glob(a.test_images))]
            if not images:
                print(f"bench_startup: {a.test_images}: no file matches", file=sys.stderr)
                return 2
            test = bench_test(images, a.test_reps, qemu, cache, jobs=2)
            test["what"] = f"images of {a.test_images}"
        elif not a.no_test:
            with ThreadPoolExecutor(2) as pool:
                images = list(pool.map(lambda i: build(work, f"t{i:02d}", program(5 + i, i)),
                                       range(50)))  # fmt: skip
            test = bench_test(images, a.test_reps, qemu, cache, jobs=2)
    for r in rows:
        if len(set(r["codes"].values())) != 1:
            print(f"warning: {r['workload']} exit codes differ: {r['codes']}", file=sys.stderr)
    print(table(rows, test))
    print(
        f"\nmedians of {a.reps} paired repetitions (mcusim test: {a.test_reps}); load average "
        f"{load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; mcusim test: exit codes "
        f"{test.get('codes')}"
    )
    if a.json:
        Path(a.json).write_text(json.dumps({"runs": rows, "test": test}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
