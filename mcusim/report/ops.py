"""The per-op report: rows from the op profiler's result, summaries, rich tables and bars (L6).

``op_report`` turns the profiler's ``extensions["ops"]`` into plain rows (cycles, % of the
run, µs at the target clock, µJ at the target's active power, MACs and cycles/MAC when a model
is known, stack peak, arena bytes changed) that the JSON, trace, HTML and tables all share.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mcusim.report.summary import add_rows, process_stack_text, quantity_table
from mcusim.result import RunResult
from mcusim.tflite.model import Model

BAR_WIDTH = 40


def op_report(result: RunResult, active_power_mw: float, model: Model | None = None) -> dict:
    """Rows in execution order, a total, a per-op-type summary and function tables."""
    ext = result.extensions.get("ops") or {}
    clock = result.clock_hz
    total_cycles = result.cycles
    macs = _align_macs(ext.get("ops", []), model)
    rows = []
    for op, m in zip(ext.get("ops", []), macs, strict=True):
        cycles = op["cycles"]
        rows.append(
            {
                **op,
                "pct_of_run": 100.0 * cycles / total_cycles if total_cycles else 0.0,
                "time_us": cycles / clock * 1e6,
                "energy_uj": active_power_mw * cycles / clock * 1e3,
                "macs": m,
                "cycles_per_mac": cycles / m if m else None,
            }
        )
    op_cycles = sum(r["cycles"] for r in rows)
    total = {
        "ops": len(rows),
        "cycles": op_cycles,
        "pct_of_run": 100.0 * op_cycles / total_cycles if total_cycles else 0.0,
        "time_us": op_cycles / clock * 1e6,
        "energy_uj": active_power_mw * op_cycles / clock * 1e3,
        "macs": sum(r["macs"] or 0 for r in rows) or None,
        "stack_peak_bytes": max((r["stack_peak_bytes"] or 0 for r in rows), default=None),
        "run_cycles": total_cycles,
    }
    total["cycles_per_mac"] = op_cycles / total["macs"] if total["macs"] else None
    by_type: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = by_type.setdefault(r["op"], {"op": r["op"], "count": 0, "cycles": 0, "macs": 0})
        s["count"] += 1
        s["cycles"] += r["cycles"]
        s["macs"] += r["macs"] or 0
    summary = sorted(by_type.values(), key=lambda s: -s["cycles"])
    for s in summary:
        s["pct_of_ops"] = 100.0 * s["cycles"] / op_cycles if op_cycles else 0.0
        s["energy_uj"] = active_power_mw * s["cycles"] / clock * 1e3
        s["macs"] = s["macs"] or None
        s["cycles_per_mac"] = s["cycles"] / s["macs"] if s["macs"] else None
    out = {
        "clock_hz": clock,
        "active_power_mw": active_power_mw,
        "rows": rows,
        "total": total,
        "by_type": summary,
        "arena": ext.get("arena"),
        "arena_high_water_bytes": ext.get("arena_high_water_bytes"),
    }
    if "functions" in ext:
        out["functions_inclusive"] = ext["functions"]
        out["functions_flat"] = [
            {"name": f.name, "self_cycles": f.cycles, "instructions": f.instructions}
            for f in result.top_functions
        ]
        out["calls"] = ext.get("calls", [])
        out["calls_dropped"] = ext.get("calls_dropped", 0)
        out["call_edges"] = ext.get("call_edges", [])
    return out


def _align_macs(ops: list[dict], model: Model | None) -> list[int | None]:
    """Each profiled op's MACs from the model: op instances and model operators are matched
    in order by op type (an operator the firmware did not run as a kernel is skipped); past the
    model's last operator the matching starts again, for firmware that runs several inferences."""
    if model is None:
        return [None] * len(ops)
    operators = model.operators

    def find(start: int, op: str) -> int | None:
        return next((k for k in range(start, len(operators)) if operators[k].op == op), None)

    out: list[int | None] = []
    j = 0
    for op in ops:
        k = find(j, op["op"])
        if k is None and j:
            k = find(0, op["op"])
        if k is None:
            out.append(None)
        else:
            out.append(operators[k].macs)
            j = k + 1
    return out


def _n(v: Any, fmt: str = ",") -> str:
    return "-" if v is None else format(v, fmt)


def print_op_report(rep: dict, console: Console, *, title: str = "per-op profile") -> None:
    rows = rep["rows"]
    if not rows:
        console.print(
            "[yellow]no op was recognised: no function of this firmware matches the op rules "
            "in cost_models/ops/ (symbols, or DWARF source files: build with -g)[/]"
        )
        return
    mhz = rep["clock_hz"] / 1e6
    t = Table(title=f"{title} ({mhz:g} MHz, {rep['active_power_mw']:.3f} mW active)")
    t.title_justify = "left"
    for col, just in (
        ("#", "right"),
        ("op", "left"),
        ("kernel", "left"),
        ("cycles", "right"),
        ("% run", "right"),
        ("µs", "right"),
        ("µJ", "right"),
        ("MACs", "right"),
        ("cyc/MAC", "right"),
        ("stack B", "right"),
        ("arena B chg", "right"),
    ):
        t.add_column(col, justify=just)
    for r in rows:
        kernel = r["kernel"]
        if r.get("source_file"):
            kernel += f" ({r['source_file'].rsplit('/', 1)[-1]})"
        t.add_row(
            str(r["index"]),
            r["op"] + ("" if r["finished"] else " (unfinished)"),
            escape(kernel),
            f"{r['cycles']:,}",
            f"{r['pct_of_run']:.1f}",
            f"{r['time_us']:,.1f}",
            f"{r['energy_uj']:,.3f}",
            _n(r["macs"]),
            _n(r["cycles_per_mac"], ".2f"),
            _n(r["stack_peak_bytes"]),
            _n(r["arena_bytes_changed"]),
        )
    tot = rep["total"]
    t.add_row(
        "",
        "[bold]total[/]",
        f"{tot['ops']} ops",
        f"[bold]{tot['cycles']:,}[/]",
        f"{tot['pct_of_run']:.1f}",
        f"{tot['time_us']:,.1f}",
        f"{tot['energy_uj']:,.3f}",
        _n(tot["macs"]),
        _n(tot["cycles_per_mac"], ".2f"),
        _n(tot["stack_peak_bytes"]),
        "",
    )
    console.print(t)
    s = Table(title="per op type", title_justify="left")
    for col in ("op", "count", "cycles", "% of ops", "µJ", "MACs", "cyc/MAC"):
        s.add_column(col, justify="left" if col == "op" else "right")
    for r in rep["by_type"]:
        s.add_row(
            r["op"],
            str(r["count"]),
            f"{r['cycles']:,}",
            f"{r['pct_of_ops']:.1f}",
            f"{r['energy_uj']:,.3f}",
            _n(r["macs"]),
            _n(r["cycles_per_mac"], ".2f"),
        )
    console.print(s)
    console.print(bar_chart(rows))
    if "functions_inclusive" in rep:
        print_function_tables(rep, console)


def bar_chart(rows: list[dict]) -> Table:
    """Cycles per op as horizontal bars (one row per op instance, execution order)."""
    peak = max((r["cycles"] for r in rows), default=0) or 1
    b = Table(title="cycles per op", title_justify="left", show_header=False, box=None)
    b.add_column("op")
    b.add_column("bar")
    b.add_column("cycles", justify="right")
    for r in rows:
        n = r["cycles"] * BAR_WIDTH / peak
        bar = "█" * int(n) + ("▌" if n - int(n) >= 0.5 else "")
        b.add_row(f"{r['index']:>3} {r['op']}", f"[cyan]{bar}[/]", f"{r['cycles']:,}")
    return b


def print_function_tables(rep: dict, console: Console, top: int = 20) -> None:
    flat = Table(title="functions, flat (self cycles)", title_justify="left")
    for col in ("function", "self cycles", "instructions"):
        flat.add_column(col, justify="left" if col == "function" else "right")
    add_rows(
        flat,
        rep["functions_flat"],
        lambda f: (escape(f["name"]), f"{f['self_cycles']:,}", f"{f['instructions']:,}"),
        top,
        "functions",
    )
    console.print(flat)
    inc = Table(title="functions, inclusive (cycles including callees)", title_justify="left")
    for col in ("function", "inclusive cycles", "self cycles", "calls"):
        inc.add_column(col, justify="left" if col == "function" else "right")
    add_rows(
        inc,
        rep["functions_inclusive"],
        lambda f: (
            escape(f["name"]),
            f"{f['inclusive_cycles']:,}",
            f"{f['self_cycles']:,}",
            f"{f['calls']:,}",
        ),
        top,
        "functions",
    )
    console.print(inc)
    if rep.get("calls_dropped"):
        console.print(f"[yellow]{rep['calls_dropped']:,} call slices not kept for traces[/]")


def arena_text(a: dict) -> str:
    """The arena row: what the run measured, what the firmware said, then any estimate."""
    parts = [
        f"{a['symbol']} {_n(a['size_bytes'])} B" if a["symbol"] else "no arena symbol",
        f"high-water {_n(a['high_water_bytes'])} B (measured: the arena minus its largest "
        "never-written gap)",
    ]
    if a.get("reported_bytes") is not None:
        parts.append(f"reported {a['reported_bytes']:,} B ({a['reported_by']})")
    if a.get("planned_bytes") is not None:
        parts.append(f"planned {a['planned_bytes']:,} B ({a['planned_by']})")
    if a.get("estimate_bytes") is not None:
        parts.append(f"{a['estimate_bytes']:,} B ({a['estimate_by']})")
    return "; ".join(parts)


def print_memory_report(mem: dict, console: Console) -> None:
    """Flash split, RAM use, arena, stack and heap peaks, and the fits verdict."""
    f, r = mem["flash"], mem["ram"]

    def verdict(d: dict) -> str:
        if d["fits"] is None:
            return f"{d['used_bytes']:,} B used (no size to compare with)"
        word = "[green]fits[/]" if d["fits"] else "[red]does not fit[/]"
        return (
            f"{word}: {d['used_bytes']:,} of {d['size_bytes']:,} B, headroom "
            f"{d['headroom_bytes']:,} B ({_n(d['headroom_pct'], '.1f')} %)"
        )

    t = quantity_table("memory")
    models = ", ".join(f"{m['name']} {m['size_bytes']:,} B" for m in f["model_symbols"])
    t.add_row(f"image in RAM ({f['region']})" if f.get("in_ram") else "flash", verdict(f))
    t.add_row(
        "  split",
        f"code {f['code_bytes']:,} B, model {f['model_bytes']:,} B"
        + (f" ({escape(models)})" if models else "")
        + f", other read-only data {f['rodata_other_bytes']:,} B, "
        f".data image {f['data_init_bytes']:,} B",
    )
    t.add_row("RAM (static + stack + heap peaks)", verdict(r))
    t.add_row(
        "  static",
        f"{r['static_bytes']:,} B (.data {r['data_bytes']:,} B, .bss {r['bss_bytes']:,} B)",
    )
    a = r["arena"]
    if a:
        t.add_row("  arena", escape(arena_text(a)))
    t.add_row(
        "  stack peak",
        f"{r['stack_peak_bytes']:,} B whole run; {_n(r['stack_peak_per_op_bytes'])} B inside ops",
    )
    for ps in r.get("process_stacks", []):
        t.add_row(f"  thread stack {escape(ps['symbol'])} (PSP)", process_stack_text(ps))
    heap = r["heap_peak_bytes"]
    t.add_row("  heap peak", "no heap (_sbrk not linked)" if heap is None else f"{heap:,} B")
    console.print(t)
    for note in mem["notes"]:
        console.print(f"note: {note}", markup=False)
