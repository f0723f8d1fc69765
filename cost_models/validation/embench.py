"""Embench IoT against mcusim: the published Cortex-M4 speed scores as a yardstick.

Runs every Embench benchmark ELF of a build directory through mcusim, measures the modelled
cycles from the entry of ``start_trigger`` to the entry of ``stop_trigger`` (mcusim's
``--roi``: no cycle counter or printing needed in the firmware) and prints them against
Embench's published measurements (``baseline-data/speed.json``: milliseconds on an
STM32F407 at 16 MHz, zero wait states, so published cycles = ms x 16,000 for a build with
GLOBAL_SCALE_FACTOR=16), next to the ratio a CPI = 1 model (instructions) would give.

    python cost_models/validation/embench.py --embench EMBENCH_CHECKOUT --elf-dir DIR \
        [--target mps2-an386] [--stop-at SYMBOL] [--jobs 2] [--markdown]

DIR holds one ELF per benchmark, as ``DIR/<name>/<name>.elf``, ``DIR/<name>.elf`` or
``DIR/<name>/<name>`` (the layout Embench's own build gives), built for the target's memory
map with Embench's reference flags (its doc/README.md) and a board support whose
start_trigger/stop_trigger bracket ``benchmark()``: either Embench's own STM32F407 one
(``examples/arm/stm32f4-discovery``, run with ``--target stm32f407 --stop-at AtExit``: its
start-up loops at ``AtExit`` after main returns) or one of yours that exits by semihosting.
This script builds nothing.

``--size-dir DIR2`` adds the code-size cross-check: DIR2 holds the same benchmarks built for
size as Embench's reference was (``-Os``, GLOBAL_SCALE_FACTOR=1) plus its
``dummy-benchmark``; a benchmark's code size is, as Embench defines it, the bytes of its
allocated executable PROGBITS sections less the dummy benchmark's, compared with
``baseline-data/size.json``. Equal sizes mean your compiler and library produced the reference's
code for that benchmark, so its cycle ratio measures the model and not the compiler.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CYCLES_PER_MS = 16_000  # the reference board ran at 16 MHz


def find_elf(elf_dir: Path, name: str) -> Path | None:
    for p in (elf_dir / name / f"{name}.elf", elf_dir / f"{name}.elf", elf_dir / name / name):
        if p.is_file():
            return p
    return None


def code_size(elf: Path) -> int:
    """Bytes of allocated, executable PROGBITS sections (Embench's "text" category)."""
    from elftools.elf.constants import SH_FLAGS
    from elftools.elf.elffile import ELFFile

    ax = SH_FLAGS.SHF_ALLOC | SH_FLAGS.SHF_EXECINSTR
    with open(elf, "rb") as f:
        return sum(
            s["sh_size"]
            for s in ELFFile(f).iter_sections()
            if s["sh_type"] == "SHT_PROGBITS" and s["sh_flags"] == ax
        )


def size_check(size_dir: Path, embench: Path, names: list[str]) -> dict[str, tuple[int, int]]:
    """name -> (our code size, the reference's), for the benchmarks built in ``size_dir``."""
    reference = json.loads((embench / "baseline-data" / "size.json").read_text())
    dummy = find_elf(size_dir, "dummy-benchmark") or find_elf(
        size_dir / "support", "dummy-benchmark"
    )
    if dummy is None:
        raise SystemExit(f"embench.py: {size_dir}: no dummy-benchmark ELF for --size-dir")
    base = code_size(dummy)
    out = {}
    for name in names:
        elf = find_elf(size_dir, name)
        if elf is not None and name in reference:
            out[name] = (code_size(elf) - base, reference[name]["text"])
    return out


def measure(job: tuple[str, str, str, str, str | None]) -> dict:
    """Run one benchmark; its region of interest, exit code and a verdict line."""
    from mcusim.config import load_target
    from mcusim.profile.roi import StopAt, parse_roi
    from mcusim.simulator import RunOptions, Simulator

    name, elf, target, region, stop_at = job
    observers = (parse_roi(region),) + ((StopAt(stop_at),) if stop_at else ())
    r = Simulator(load_target(target), RunOptions(observers=observers, timeout_s=600)).run(elf)
    return {"name": name, "exit_code": r.exit_code, "message": r.message} | r.extensions["roi"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embench", type=Path, required=True, help="an embench-iot checkout")
    ap.add_argument("--elf-dir", type=Path, required=True, help="the built benchmarks")
    ap.add_argument("--target", default="mps2-an386", help="mcusim target (default mps2-an386)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument(
        "--roi", default="start_trigger,stop_trigger", help="the measured region, START,STOP"
    )
    ap.add_argument(
        "--stop-at", metavar="SYMBOL", help="end each run at SYMBOL (e.g. AtExit), see above"
    )
    ap.add_argument("--size-dir", type=Path, help="the same benchmarks built for size (see above)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    a = ap.parse_args(argv)
    speed_file = a.embench / "baseline-data" / "speed.json"
    if not speed_file.is_file():
        print(f"embench.py: {speed_file}: not found (is --embench a checkout?)", file=sys.stderr)
        return 2
    published = json.loads(speed_file.read_text())
    jobs, missing = [], []
    for name in sorted(published):
        elf = find_elf(a.elf_dir, name)
        (jobs.append((name, str(elf), a.target, a.roi, a.stop_at)) if elf else missing.append(name))
    if not jobs:
        print(f"embench.py: {a.elf_dir}: no benchmark ELF found", file=sys.stderr)
        return 2
    with ProcessPoolExecutor(max_workers=a.jobs) as pool:
        rows = list(pool.map(measure, jobs))
    bad = [r for r in rows if r["exit_code"] != 0 or "error" in r]
    for r in rows:
        r["published_cycles"] = published[r["name"]] * CYCLES_PER_MS
        if "cycles" in r:
            r["ratio"] = r["cycles"] / r["published_cycles"]
            r["cpi1_ratio"] = r["instructions"] / r["published_cycles"]
    sizes = size_check(a.size_dir, a.embench, [r["name"] for r in rows]) if a.size_dir else {}
    for r in rows:
        if r["name"] in sizes:
            r["code_size"], r["reference_code_size"] = sizes[r["name"]]
    good = [r for r in rows if "ratio" in r]
    geo = math.exp(sum(math.log(r["ratio"]) for r in good) / len(good)) if good else 0.0
    geo1 = math.exp(sum(math.log(r["cpi1_ratio"]) for r in good) / len(good)) if good else 0.0
    within = sum(abs(r["ratio"] - 1) <= 0.05 for r in good)
    mae = sum(abs(r["ratio"] - 1) for r in good) / len(good) if good else 0.0
    sep, end = ("| ", " |") if a.markdown else ("", "")
    cols = ["benchmark", "published cycles", "mcusim cycles", "ratio", "CPI=1 ratio"]
    cols += ["code size (reference)"] if sizes else []
    print(sep + (" | " if a.markdown else "  ").join(cols) + end)
    if a.markdown:
        print("|---|---:|---:|---:|---:|" + ("---:|" if sizes else ""))
    for r in sorted(good, key=lambda r: r["ratio"]):
        cells = [r["name"], f"{r['published_cycles']:,}", f"{r['cycles']:,}"]
        cells += [f"{r['ratio']:.3f}", f"{r['cpi1_ratio']:.3f}"]
        if sizes:
            ours, ref = r.get("code_size"), r.get("reference_code_size")
            cells.append("-" if ours is None else "same" if ours == ref else f"{ours:,} ({ref:,})")
        print(sep + (" | " if a.markdown else "  ").join(cells) + end)
    print(
        f"\n{len(good)} benchmarks: geometric mean ratio {geo:.3f} (CPI=1: {geo1:.3f}), mean "
        f"absolute error {100 * mae:.1f} %, {within} within ±5 %"
    )
    same = [
        r
        for r in good
        if r.get("code_size") is not None and r["code_size"] == r["reference_code_size"]
    ]
    if sizes:
        sgeo = math.exp(sum(math.log(r["ratio"]) for r in same) / len(same)) if same else 0.0
        swithin = sum(abs(r["ratio"] - 1) <= 0.05 for r in same)
        print(
            f"{len(same)} of {len(sizes)} with the reference's code size: geometric mean ratio "
            f"{sgeo:.3f}, {swithin} within ±5 %"
        )
    for r in bad:
        print(f"{r['name']}: exit {r['exit_code']} {r.get('error', r['message'])}")
    if missing:
        print(f"not found in {a.elf_dir}: {', '.join(missing)}")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
