"""Benchmark: host memory stays flat as a run gets longer.

Runs the `spin` sample (an endless counting loop) on mps2-an386 to increasing --max-cycles
limits, each in a fresh interpreter, and reports peak RSS (ru_maxrss) against the number of
guest instructions. Per-block counters are the only state that grows with the code executed,
not with run length, so RSS should not grow with the limit.

A 1e9-instruction run takes minutes at this machine's speed, so the script stops once the next
limit would exceed its time budget (default 120 s in all), fits RSS = a + b x instructions by
least squares over the runs it made, and prints the extrapolated RSS at 1e9 instructions. The
extrapolation is only as good as the line through the measured points; say so when quoting it.

    .venv/bin/python tests/bench/memory_flat.py [--budget-s 120]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPIN = ROOT / "firmware_samples" / "elf" / "mps2-an386" / "spin.elf"
CHILD = """
import json, resource, sys, time
from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator
t0 = time.monotonic()
r = Simulator(load_target("mps2-an386"), RunOptions(max_cycles=int(sys.argv[2]), timeout_s=None)
              ).run(sys.argv[1])
print(json.dumps({"instructions": r.instructions, "cycles": r.cycles,
                  "seconds": time.monotonic() - t0,
                  "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(limit: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(SPIN), str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget-s", type=float, default=120.0)
    a = ap.parse_args()
    start = time.monotonic()
    rows = []
    limit = 1_000_000
    while True:
        row = measure(limit)
        rows.append(row)
        print(
            f"max_cycles {limit:>13,}  instructions {row['instructions']:>13,}  "
            f"RSS {row['rss_kib'] / 1024:7.1f} MiB  host {row['seconds']:6.1f} s  "
            f"({row['instructions'] / max(row['seconds'], 1e-9) / 1e6:.1f} MIPS)",
            flush=True,
        )
        spent = time.monotonic() - start
        if spent + 3.5 * row["seconds"] > a.budget_s or limit >= 1_000_000_000:
            break
        limit = int(limit * 3.16)
    n = len(rows)
    xs = [r["instructions"] for r in rows]
    ys = [r["rss_kib"] / 1024 for r in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0
    at_1e9 = my + slope * (1e9 - mx)
    print(
        f"\nRSS from {xs[0]:,} to {xs[-1]:,} instructions: {ys[0]:.1f} -> {ys[-1]:.1f} MiB "
        f"(slope {slope * 1e8:+.3f} MiB per 1e8 instructions)"
    )
    print(
        f"extrapolated (not measured) RSS at 1e9 instructions: {at_1e9:.1f} MiB "
        f"(longest measured run: {xs[-1]:.2g} instructions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
