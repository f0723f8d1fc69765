"""Embench IoT against mcusim: the published Cortex-M4 speed scores as a yardstick.

Runs every Embench benchmark ELF of a build directory through mcusim, measures the modelled
cycles from the entry of ``start_trigger`` to the entry of ``stop_trigger`` (mcusim's
``--roi``: no cycle counter or printing needed in the firmware) and prints them against
Embench's published measurements (``baseline-data/speed.json``: milliseconds on an
STM32F407 at 16 MHz, zero wait states, so published cycles = ms x 16,000 for a build with
GLOBAL_SCALE_FACTOR=16), next to the ratio a CPI = 1 model (instructions) would give.

    python cost_models/validation/embench.py --embench EMBENCH_CHECKOUT --elf-dir DIR \
        [--target mps2-an386] [--jobs 2] [--markdown]

DIR holds one ELF per benchmark, as ``DIR/<name>/<name>.elf`` or ``DIR/<name>.elf``, built
for the target's memory map with Embench's reference flags (its doc/README.md) and a board
support whose start_trigger/stop_trigger bracket ``benchmark()``. This script builds nothing.
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


def measure(job: tuple[str, str, str, str]) -> dict:
    """Run one benchmark; its region of interest, exit code and a verdict line."""
    from mcusim.config import load_target
    from mcusim.profile.roi import parse_roi
    from mcusim.simulator import RunOptions, Simulator

    name, elf, target, region = job
    roi = parse_roi(region)
    r = Simulator(load_target(target), RunOptions(observers=(roi,), timeout_s=600)).run(elf)
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
        (jobs.append((name, str(elf), a.target, a.roi)) if elf else missing.append(name))
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
    good = [r for r in rows if "ratio" in r]
    geo = math.exp(sum(math.log(r["ratio"]) for r in good) / len(good)) if good else 0.0
    geo1 = math.exp(sum(math.log(r["cpi1_ratio"]) for r in good) / len(good)) if good else 0.0
    within = sum(abs(r["ratio"] - 1) <= 0.05 for r in good)
    mae = sum(abs(r["ratio"] - 1) for r in good) / len(good) if good else 0.0
    sep, end = ("| ", " |") if a.markdown else ("", "")
    cols = ["benchmark", "published cycles", "mcusim cycles", "ratio", "CPI=1 ratio"]
    print(sep + (" | " if a.markdown else "  ").join(cols) + end)
    if a.markdown:
        print("|---|---:|---:|---:|---:|")
    for r in sorted(good, key=lambda r: r["ratio"]):
        cells = [r["name"], f"{r['published_cycles']:,}", f"{r['cycles']:,}"]
        cells += [f"{r['ratio']:.3f}", f"{r['cpi1_ratio']:.3f}"]
        print(sep + (" | " if a.markdown else "  ").join(cells) + end)
    print(
        f"\n{len(good)} benchmarks: geometric mean ratio {geo:.3f} (CPI=1: {geo1:.3f}), mean "
        f"absolute error {100 * mae:.1f} %, {within} within ±5 %"
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
