"""``mcusim sweep MODELS... --targets a,b``: every model x target x clock x kernels, estimated
from the cost tables or emulated (locally or on Ray), in one table with energy at a rate,
battery life, memory fit and the Pareto front; CSV, JSON and an HTML page (L6)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mcusim.cli.options import EPILOG, number_option
from mcusim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        epilog=EPILOG,
        help="models x targets x clocks x kernels: latency, energy, battery, fit, Pareto front",
        description="Estimate (default) or emulate one inference of every MODEL on every "
        "target, clock and kernel flavour; print one table with the Pareto front "
        "(latency, energy per inference, RAM) marked.",
    )
    p.add_argument("models", nargs="+", metavar="MODEL.tflite")
    p.add_argument("--targets", "-t", required=True, metavar="a,b,c")
    p.add_argument("--clocks", metavar="HZ,HZ", help="core clocks (default: each target's)")
    p.add_argument(
        "--kernels", default="reference", metavar="reference,optimized",
        help="kernel flavours (comma list; default reference)",
    )  # fmt: skip
    how = p.add_mutually_exclusive_group()
    how.add_argument("--estimate", dest="mode", action="store_const", const="estimate",
                     help="from the cost tables, milliseconds per row (default)")  # fmt: skip
    how.add_argument("--emulate", dest="mode", action="store_const", const="emulate",
                     help="emulate each inference on the runner firmware")  # fmt: skip
    p.set_defaults(mode="estimate")
    p.add_argument("--rate", metavar="N/s", help="inferences per period, e.g. 1/s, for power")
    p.add_argument("--period", metavar="TIME", help="or the period, e.g. 1s, 100ms")
    p.add_argument("--battery", metavar="cr2032|aa|mAh@V", help="battery for the life column")
    p.add_argument("--sleep", choices=("sleep", "deep_sleep"), default="deep_sleep")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="where emulations run: a local process pool or Ray tasks")  # fmt: skip
    p.add_argument("--ray-address", metavar="ADDR",
                   help="join this Ray cluster (e.g. ray://head:10001 or auto); default: "
                   "start a local one")  # fmt: skip
    p.add_argument("-j", "--jobs", type=int, help="local worker processes (default: cores)")
    p.add_argument(
        "--pareto", choices=("per-model", "all"), default="per-model",
        help="the Pareto front among each model's rows (default) or among all rows",
    )  # fmt: skip
    p.add_argument("--csv", metavar="FILE")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--html", metavar="FILE", help="a page with the scatter plot and table")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_sweep)


def _list(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def cmd_sweep(a: argparse.Namespace) -> int:
    from mcusim.report.energy import parse_battery, parse_period
    from mcusim.sweep.grid import Energy, check_targets, make_grid, mark_pareto, to_csv

    if a.executor == "ray" and a.mode != "emulate":
        raise InputError("--executor ray runs emulations: add --emulate (estimates need no pool)")
    targets, kernels = _list(a.targets), _list(a.kernels)
    bad = [k for k in kernels if k not in ("reference", "optimized")]
    if bad:
        raise InputError(f"--kernels: '{bad[0]}' is not 'reference' or 'optimized'")
    clocks = [number_option("--clocks", c) for c in _list(a.clocks)]
    for m in a.models:
        if not Path(m).is_file():
            raise InputError(f"{m}: no such model file")
    grid = make_grid(a.models, targets, clocks, kernels)
    check_targets(targets)
    period = parse_period(a.rate, a.period) if (a.rate or a.period) else None
    if a.battery:
        parse_battery(a.battery)
    energy = Energy(period_s=period, battery=a.battery, sleep=a.sleep)
    if a.mode == "estimate":
        from mcusim.sweep.grid import estimate_row

        data = {m: Path(m).read_bytes() for m in a.models}
        rows = [estimate_row(c, data[c.model], energy) for c in grid]
    elif a.executor == "ray":
        from mcusim.sweep.executors import run_ray

        rows = run_ray(grid, energy, address=a.ray_address, num_cpus=a.jobs)
    else:
        from mcusim.sweep.executors import run_local

        rows = run_local(grid, energy, a.jobs)
    mark_pareto(rows, per_model=a.pareto == "per-model")
    how = (
        "cost tables fitted to mcusim's emulation (cost_models/ops/mce_costs); ±err % is "
        "the held-out error of the kernels' fits, weighted by cycles"
        if a.mode == "estimate"
        else "emulated on the runner firmware with mcusim profile's seeded random input"
    )
    notes = [
        f"{a.mode}: {how}",
        "RAM = the engine's arena + stack peak; flash = the model + the runner's 32-byte header",
        "Pareto front (★): no other row "
        + ("of the same model " if a.pareto == "per-model" else "")
        + "has lower or equal latency, energy and RAM with one of them lower",
    ]
    if period:
        notes.append(
            f"one inference every {period:g} s, {a.sleep} between (the target's [power]); "
            + (f"battery {a.battery}" if a.battery else "no battery given")
        )
    doc = {"mode": a.mode, "executor": a.executor, "rows": rows, "notes": notes}
    try:
        if a.json:
            Path(a.json).write_text(json.dumps(doc, indent=2))
        if a.csv:
            Path(a.csv).write_text(to_csv(rows))
        if a.html:
            from mcusim.sweep.html import sweep_page

            title = f"mcusim sweep: {len(rows)} combinations ({a.mode})"
            Path(a.html).write_text(sweep_page(rows, title, notes))
    except OSError as e:
        raise InputError(f"cannot write the output: {e.filename}: {e.strerror}") from None
    if a.format == "json":
        print(json.dumps(doc, indent=2))
    else:
        print_table(rows, a.mode)
        for n in notes:
            print(f"note: {n}")
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"mcusim: {ok} of {len(rows)} combinations computed", file=sys.stderr)
    return 0


def print_table(rows: list[dict], mode: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=f"mcusim sweep ({mode}): ★ = Pareto front (latency, energy, RAM)")
    for col in ("model", "target", "kernels", "MHz", "latency ms", "µJ/inf", "avg mW",
                "battery d", "flash B", "RAM B", "fits", "±err %", "★", "status"):  # fmt: skip
        t.add_column(
            col, justify="left" if col in ("model", "target", "kernels", "status") else "right"
        )

    def f(v, spec):
        return "-" if v is None else format(v, spec)

    for r in rows:
        short = [k for k, ok in (("flash", r["flash_ok"]), ("RAM", r["ram_ok"])) if not ok]
        fits = (
            "-" if r["flash_ok"] is None else ("yes" if not short else f"no ({', '.join(short)})")
        )
        status = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['reason']}"
        note = r.get("energy_note") or ""
        if "longer than the period" in note:
            status += " (slower than the rate)"
        elif "current_ua" in note:
            status += " (no sleep-current figure: no average power)"
        elif note:
            status += f" ({note})"
        t.add_row(
            r["model"], r["target"], r["kernels"], f(r["clock_hz"] and r["clock_hz"] / 1e6, "g"),
            f(r["latency_ms"], ",.3f"), f(r["energy_uj"], ",.3f"), f(r["avg_power_mw"], ",.5f"),
            f(r["battery_days"], ",.1f"), f(r["flash_bytes"], ","), f(r["ram_bytes"], ","),
            fits, f(r["error_pct"], ".1f"), "★" if r["pareto"] else "", escape(status),
        )  # fmt: skip
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200).print(t)
