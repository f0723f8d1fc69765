"""Compare `mcusim estimate` with mcusim's emulation on models the cost tables never saw:
the MLPerf Tiny models in ../shared/models (when present) and our sample models in
firmware_samples/models. Prints the README's table (markdown with --markdown).

    .venv/bin/python cost_models/tools/check_estimates.py [--targets apollo3,...] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mcusim.config import load_target  # noqa: E402
from mcusim.errors import McusimError  # noqa: E402
from mcusim.opcost.estimate import estimate_bytes  # noqa: E402
from mcusim.sweep.emulate import emulate_model  # noqa: E402

SHARED = REPO.parent / "shared" / "models"
MODELS = [SHARED / f"{n}.tflite" for n in ("kws_ref_model", "ad01_int8", "pretrainedResnet_quant")]
OWN = [REPO / "firmware_samples" / "models" / f"{n}.tflite" for n in ("sine", "digits", "kws", "vision", "anomaly")]  # fmt: skip
M4F = ["apollo3", "nrf52840", "stm32l4r5", "samd51", "efm32wg", "mps2-an386"]


def compare(path: Path, target_name: str, kernels: str) -> dict | None:
    data = path.read_bytes()
    target = load_target(target_name)
    est = estimate_bytes(data, path.name, target, kernels)
    try:
        emu = emulate_model(data, target, kernels, name=path.name)
    except McusimError as e:
        return {"skip": e.message}
    worst, worst_op, big, big_op = 0.0, "", 0.0, ""
    for e, m in zip(est.ops, emu["ops"], strict=True):
        if e.cycles is None:
            continue
        err = (e.cycles - m["cycles"]) / m["cycles"] * 100
        if abs(err) > abs(worst):
            worst, worst_op = err, f"{e.index} {e.op}"
        if m["cycles"] >= 0.01 * emu["cycles"] and abs(err) > abs(big):
            big, big_op = err, f"{e.index} {e.op}"
    return {
        "estimate": est.cycles,
        "emulated": emu["cycles"],
        "total_pct": (est.cycles - emu["cycles"]) / emu["cycles"] * 100,
        "worst_pct": worst,
        "worst_op": worst_op,
        "big_pct": big,
        "big_op": big_op,
        "arena_est": est.arena_bytes,
        "arena_emu": emu["arena_needed_bytes"],
        "complete": est.complete,
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--targets", default=",".join(M4F))
    p.add_argument("--kernels", default="reference,optimized")
    p.add_argument("--markdown", action="store_true")
    a = p.parse_args()
    models = [m for m in MODELS if m.is_file()] + OWN
    print("| model | target | kernels | estimate cycles | emulated cycles | total error | "
          "worst op error (op) | worst op ≥ 1 % of cycles | arena est. / engine B |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    totals, worst, bigs = [], [], []
    for m in models:
        for t in a.targets.split(","):
            for k in a.kernels.split(","):
                r = compare(m, t, k)
                if r is None or "skip" in r:
                    print(f"| {m.stem} | {t} | {k} | skipped: {r['skip'] if r else ''} ||||||")
                    continue
                totals.append(abs(r["total_pct"]))
                worst.append(abs(r["worst_pct"]))
                bigs.append(abs(r["big_pct"]))
                print(
                    f"| {m.stem} | {t} | {k} | {r['estimate']:,} | {r['emulated']:,} | "
                    f"{r['total_pct']:+.2f} % | {r['worst_pct']:+.1f} % ({r['worst_op']}) | "
                    f"{r['big_pct']:+.1f} % ({r['big_op']}) | "
                    f"{r['arena_est']:,} / {r['arena_emu']:,} |"
                )
                sys.stdout.flush()
    print(
        f"\n{len(totals)} comparisons: total error max {max(totals):.2f} %, "
        f"{sum(t <= 5 for t in totals)} within ±5 %; worst per-op error max {max(worst):.1f} %, "
        f"{sum(w <= 10 for w in worst)} within ±10 %; among ops of at least 1 % of the "
        f"inference's cycles max {max(bigs):.1f} %, {sum(b <= 10 for b in bigs)} within ±10 %"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
