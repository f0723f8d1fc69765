"""``mcusim estimate MODEL.tflite --target NAME``: per-op and total cycles, time, energy and
memory from the model alone, with each kernel's measured fit error; ``--check`` emulates the
same inference and prints both side by side (L6).

Plain-text output (no rich): the command is meant to answer in well under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mcusim.cli.options import EPILOG, number_option
from mcusim.errors import EXIT_USAGE, InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "estimate",
        epilog=EPILOG,
        help="estimate a .tflite's cycles, energy and memory per op without emulating",
        description="Estimate one inference of MODEL (int8 .tflite) on our engine for the "
        "target, per op and in total, from the op shapes and the cost tables fitted to "
        "mcusim's emulation (cost_models/ops/mce_costs/). Each op shows its kernel's "
        "held-out fit error; --check also emulates and prints both.",
    )
    p.add_argument("model", metavar="MODEL.tflite")
    p.add_argument("--target", "-t", required=True, metavar="NAME|FILE.toml")
    p.add_argument(
        "--kernels", choices=("reference", "optimized"), default="reference",
        help="our engine's reference C kernels or the DSP-optimized ones",
    )  # fmt: skip
    p.add_argument("--clock-hz", metavar="HZ", help="override the core clock")
    p.add_argument("--clock-mode", metavar="NAME", help="a named clock mode of the target")
    p.add_argument(
        "--check", action="store_true",
        help="also emulate the inference (mcusim profile's runner and input) and compare",
    )  # fmt: skip
    p.add_argument("--json", metavar="FILE", help="write the estimate (and check) as JSON")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_estimate)


def _n(v, fmt=",") -> str:
    return "-" if v is None else format(v, fmt)


def cmd_estimate(a: argparse.Namespace) -> int:
    from mcusim.config import load_target
    from mcusim.errors import read_input
    from mcusim.opcost.estimate import estimate_bytes

    target = load_target(
        a.target, clock_hz=number_option("--clock-hz", a.clock_hz), clock_mode=a.clock_mode
    )
    data = read_input(a.model, "a .tflite model")
    est = estimate_bytes(data, a.model, target, a.kernels)
    if est.table is None:
        print(f"mcusim: error: {a.model}: {est.no_cost_table}", file=sys.stderr)
        return EXIT_USAGE
    check = None
    if a.check:
        from mcusim.sweep.emulate import emulate_model

        check = emulate_model(data, target, a.kernels, name=a.model)
    doc = est.to_dict()
    if check is not None:
        doc["check"] = compare(est, check)
    if a.json:
        try:
            Path(a.json).write_text(json.dumps(doc, indent=2))
        except OSError as e:
            raise InputError(f"--json: cannot write '{a.json}': {e.strerror}") from None
    if a.format == "json":
        print(json.dumps(doc, indent=2))
    else:
        print_estimate(est, doc.get("check"))
    if not est.complete:
        print(f"mcusim: incomplete estimate: {est.no_cost_table}", file=sys.stderr)
    return 0


def compare(est, check: dict) -> dict:
    """Per-op and total error of the estimate against the emulation (signed, %)."""
    rows = []
    emulated = check["ops"]
    for e, m in zip(est.ops, emulated, strict=False):
        err = None
        if e.cycles is not None and m["cycles"]:
            err = (e.cycles - m["cycles"]) / m["cycles"] * 100
        rows.append(
            {
                "index": e.index,
                "op": e.op,
                "estimate": e.cycles,
                "emulated": m["cycles"],
                "error_pct": err,
            }  # fmt: skip
        )
    total = check["cycles"]
    return {
        "ops": rows,
        "op_count_matches": len(emulated) == len(est.ops),
        "estimate_cycles": est.cycles,
        "emulated_cycles": total,
        "total_error_pct": (est.cycles - total) / total * 100 if total else None,
        "worst_op_error_pct": max(
            (abs(r["error_pct"]) for r in rows if r["error_pct"] is not None), default=None
        ),
        "estimate_arena_bytes": est.arena_bytes,
        "emulated_arena_bytes": check["arena_needed_bytes"],
        "emulated_stack_peak_bytes": check["stack_peak_bytes"],
        "input": check["input_note"],
    }


def print_estimate(est, check: dict | None) -> None:
    out = sys.stdout.write
    out(
        f"mcusim estimate: {est.model} on {est.target} ({est.core} @ {est.clock_hz / 1e6:g} "
        f"MHz), {est.kernels} kernels\n"
    )
    out(f"cost table: {est.table}\nmemory set-up: {est.memory_setup}\n")
    head = ["#", "op", "cycles", "µs", "µJ", "MACs", "arena B", "flash B", "stack B", "±err %"]
    if check:
        head += ["emulated", "error %"]
    rows = []
    by_index = {r["index"]: r for r in check["ops"]} if check else {}
    for r in est.ops:
        if r.cycles is None:
            cells = [str(r.index), r.op, f"no cost table: {r.no_cost_table}"]
            rows.append(cells)
            continue
        cells = [
            str(r.index), r.op, _n(r.cycles), f"{r.time_us:,.1f}", f"{r.energy_uj:.3f}",
            _n(r.macs), _n(r.arena_bytes), _n(r.flash_bytes), _n(r.stack_bytes),
            f"{r.error_pct:.1f}",
        ]  # fmt: skip
        if check:
            c = by_index.get(r.index, {})
            cells += [_n(c.get("emulated")), _n(c.get("error_pct"), "+.1f")]
        rows.append(cells)
    total = [
        "", "total", _n(est.cycles), f"{est.time_ms * 1e3:,.1f}", f"{est.energy_uj:.3f}",
        _n(est.macs), _n(est.arena_bytes), _n(est.model_flash_bytes), _n(est.stack_bytes),
        _n(est.error_pct, ".1f"),
    ]  # fmt: skip
    if check:
        total += [_n(check["emulated_cycles"]), _n(check["total_error_pct"], "+.1f")]
    rows.append(total)
    widths = [
        max(len(head[i]), *(len(r[i]) for r in rows if len(r) == len(head)))
        for i in range(len(head))
    ]
    left = {1}

    def line(cells):
        if len(cells) != len(head):  # a "no cost table" row
            return f"{cells[0]:>{widths[0]}}  {cells[1]:<{widths[1]}}  {cells[2]}\n"
        return (
            "  ".join(
                c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(cells)
            ).rstrip()
            + "\n"
        )

    out(line(head))
    for r in rows:
        out(line(r))
    out(
        f"time {est.time_ms:,.3f} ms, energy {est.energy_uj:,.3f} µJ at "
        f"{est.active_power_mw:.4g} mW; arena (engine) {_n(est.arena_bytes)} B estimated; "
        f"model {est.model_flash_bytes:,} B in flash\n"
    )
    fits = est.fits
    if fits:
        out(
            "fits the runner: flash "
            + ("yes" if fits.get("flash_ok") else "NO")
            + f" ({fits.get('flash_need_bytes', 0):,} of {fits.get('flash_have_bytes', 0):,} B), "
            + "arena "
            + ("yes" if fits.get("ram_ok") else "NO")
            + f" ({fits.get('ram_need_bytes', 0):,} of {fits.get('ram_have_bytes', 0):,} B)\n"
        )
    out(
        "±err %: the largest error of the kernel's fit on held-out shapes (total: weighted "
        "by cycles); cycles do not depend on the clock in mcusim's model\n"
    )
    if check:
        out(
            f"check: emulated {check['emulated_cycles']:,} cycles ({check['input']}); "
            f"total error {check['total_error_pct']:+.2f} %, worst op "
            f"{_n(check['worst_op_error_pct'], '.2f')} %; arena estimate "
            f"{_n(check['estimate_arena_bytes'])} B, engine {check['emulated_arena_bytes']:,} B\n"
        )
