"""``--html report.html``: one self-contained static page of a profiled run (L6).

The per-op table, bar charts of cycles and energy per op, and the memory map (the target's
regions with the firmware's sections, model, arena, stack and heap peaks), all as inline HTML
and SVG: no script, no external stylesheet, font or image, so the page makes no network fetch.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from mcusim.errors import InputError

CHART_WIDTH = 900
LABEL_WIDTH = 230
VALUE_WIDTH = 130
ROW_HEIGHT = 20
KIND_COLOURS = {
    "code": "#4e79a7",
    "rodata": "#76b7b2",
    "data": "#f28e2b",
    "bss": "#edc948",
    "model": "#b07aa1",
    "arena": "#59a14f",
    "arena high-water": "#2f6b2a",
    "stack": "#e15759",
    "heap": "#9c755f",
}
STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 7px; }
th { background: #f0f0f0; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #fafafa; }
svg text { font-family: sans-serif; font-size: 12px; fill: #222; }
.fits { color: #1a7f37; font-weight: bold; } .nofit { color: #c62828; font-weight: bold; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
.note { color: #555; font-size: 13px; }
"""


def fmt(v, spec: str = ",") -> str:
    """The one number format of the page (the test formats the JSON values the same way)."""
    return "-" if v is None else format(v, spec)


def _bar_chart(rows: list[dict], key: str, spec: str, unit: str, chart_id: str) -> str:
    peak = max((r[key] for r in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(rows) + 10
    out = [
        f'<svg id="{chart_id}" width="{CHART_WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(unit)} per op">'
    ]
    for i, r in enumerate(rows):
        y = 5 + i * ROW_HEIGHT
        w = max(1.0, r[key] / peak * span) if r[key] else 0.0
        label = f"{r['index']} {r['op']}"
        value = fmt(r[key], spec)
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" data-index="{r["index"]}" data-value="{r[key]!r}" '
            f'x="{LABEL_WIDTH}" y="{y + 2}" width="{w:.2f}" height="{ROW_HEIGHT - 5}" '
            f'fill="{"#4e79a7" if key == "cycles" else "#59a14f"}">'
            f"<title>{escape(label)}: {value} {escape(unit)}</title></rect>"
            f'<text class="value" x="{LABEL_WIDTH + w + 5:.2f}" y="{y + 14}">{value}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _op_table(rep: dict) -> str:
    cols = (
        ("#", "index", "d"),
        ("op", "op", None),
        ("kernel", "kernel", None),
        ("cycles", "cycles", ","),
        ("% run", "pct_of_run", ".1f"),
        ("µs", "time_us", ",.1f"),
        ("µJ", "energy_uj", ",.3f"),
        ("MACs", "macs", ","),
        ("cyc/MAC", "cycles_per_mac", ".2f"),
        ("stack B", "stack_peak_bytes", ","),
        ("arena B chg", "arena_bytes_changed", ","),
    )
    head = "".join(f"<th>{escape(c)}</th>" for c, _, _ in cols)
    body = []
    for r in rep["rows"]:
        cells = []
        for _, key, spec in cols:
            v = r.get(key)
            if spec is None:
                text = str(v) + (" (unfinished)" if key == "op" and not r["finished"] else "")
                cells.append(f'<td class="{key}">{escape(text)}</td>')
            else:
                cells.append(f'<td class="n {key}">{fmt(v, spec)}</td>')
        body.append(f'<tr class="op" data-index="{r["index"]}">{"".join(cells)}</tr>')
    t = rep["total"]
    body.append(
        f'<tr class="total"><td></td><td>total</td><td>{t["ops"]} ops</td>'
        f'<td class="n cycles">{fmt(t["cycles"])}</td>'
        f'<td class="n pct_of_run">{fmt(t["pct_of_run"], ".1f")}</td>'
        f'<td class="n time_us">{fmt(t["time_us"], ",.1f")}</td>'
        f'<td class="n energy_uj">{fmt(t["energy_uj"], ",.3f")}</td>'
        f'<td class="n macs">{fmt(t["macs"])}</td>'
        f'<td class="n cycles_per_mac">{fmt(t["cycles_per_mac"], ".2f")}</td>'
        f'<td class="n stack_peak_bytes">{fmt(t["stack_peak_bytes"])}</td><td></td></tr>'
    )
    return f'<table id="ops"><tr>{head}</tr>{"".join(body)}</table>'


def _type_table(rep: dict) -> str:
    rows = "".join(
        f"<tr><td>{escape(s['op'])}</td><td class='n'>{s['count']}</td>"
        f"<td class='n'>{fmt(s['cycles'])}</td><td class='n'>{fmt(s['pct_of_ops'], '.1f')}</td>"
        f"<td class='n'>{fmt(s['energy_uj'], ',.3f')}</td><td class='n'>{fmt(s['macs'])}</td>"
        f"<td class='n'>{fmt(s['cycles_per_mac'], '.2f')}</td></tr>"
        for s in rep["by_type"]
    )
    head = "".join(
        f"<th>{c}</th>" for c in ("op", "count", "cycles", "% of ops", "µJ", "MACs", "cyc/MAC")
    )
    return f'<table id="by-type"><tr>{head}</tr>{rows}</table>'


def _memory_table(mem: dict) -> str:
    f, r = mem["flash"], mem["ram"]
    arena = r["arena"] or {}

    def verdict(d: dict) -> str:
        if d["fits"] is None:
            return f"{fmt(d['used_bytes'])} B used (no size to compare with)"
        cls, word = ("fits", "fits") if d["fits"] else ("nofit", "does not fit")
        return (
            f'<span class="{cls}">{word}</span>: {fmt(d["used_bytes"])} of '
            f"{fmt(d['size_bytes'])} B, headroom {fmt(d['headroom_bytes'])} B "
            f"({fmt(d['headroom_pct'], '.1f')} %)"
        )

    rows = [
        ("flash", "flash_verdict", verdict(f)),
        ("flash: code", "code_bytes", fmt(f["code_bytes"])),
        ("flash: model", "model_bytes", fmt(f["model_bytes"])),
        ("flash: other read-only data", "rodata_other_bytes", fmt(f["rodata_other_bytes"])),
        ("flash: .data load image", "data_init_bytes", fmt(f["data_init_bytes"])),
        ("RAM", "ram_verdict", verdict(r)),
        ("RAM: static (.data + .bss)", "static_bytes", fmt(r["static_bytes"])),
        ("RAM: .data", "data_bytes", fmt(r["data_bytes"])),
        ("RAM: .bss", "bss_bytes", fmt(r["bss_bytes"])),
        ("arena: size", "arena_size_bytes", fmt(arena.get("size_bytes"))),
        (
            "arena: reported by the firmware",
            "arena_reported_bytes",
            fmt(arena.get("reported_bytes")),
        ),
        ("arena: planned by the engine", "arena_planned_bytes", fmt(arena.get("planned_bytes"))),
        (
            "arena: estimate (mcusim's planner)",
            "arena_estimate_bytes",
            fmt(arena.get("estimate_bytes")),
        ),
        ("arena: high-water", "arena_high_water_bytes", fmt(arena.get("high_water_bytes"))),
        ("stack peak (whole run)", "stack_peak_bytes", fmt(r["stack_peak_bytes"])),
        ("stack peak (inside ops)", "stack_peak_per_op_bytes", fmt(r["stack_peak_per_op_bytes"])),
        ("heap peak", "heap_peak_bytes", fmt(r["heap_peak_bytes"])),
    ]
    body = "".join(
        f'<tr><th style="text-align:left">{escape(k)}</th><td class="n {key}">{v}</td></tr>'
        for k, key, v in rows
    )
    return f'<table id="memory">{body}</table>'


def _memory_map(mem: dict) -> str:
    """One band per region: sections on the upper lane, model/arena/stack/heap on the lower."""
    lane = 22
    band = 2 * lane + 44
    x0, span = 10, CHART_WIDTH - 20
    regions = mem["regions"]
    out = [
        f'<svg id="memory-map" width="{CHART_WIDTH}" '
        f'height="{band * len(regions) + 10}" role="img" aria-label="memory map">'
    ]
    for i, reg in enumerate(regions):
        y = 5 + i * band
        size = reg["size_bytes"]
        out.append(
            f'<text x="{x0}" y="{y + 13}">{escape(reg["name"])} ({escape(reg["kind"])}) '
            f"0x{reg['base']:08x}, {fmt(size)} B</text>"
            f'<rect class="region" data-region="{escape(reg["name"])}" x="{x0}" y="{y + 18}" '
            f'width="{span}" height="{2 * lane}" fill="#f4f4f4" stroke="#999"/>'
        )
        for item in reg["items"]:
            kind = item.get("kind") or _section_kind(item["name"])
            overlay = "kind" in item
            ix = x0 + (item["address"] - reg["base"]) / size * span
            iw = max(1.0, item["size_bytes"] / size * span)
            iy = y + 18 + (lane if overlay else 0)
            tip = f"{item['name']}: {fmt(item['size_bytes'])} B at 0x{item['address']:08x}"
            if item.get("high_water_bytes") is not None:
                tip += f", high-water {fmt(item['high_water_bytes'])} B"
            out.append(
                f'<rect class="mem-item {kind}" data-name="{escape(item["name"])}" '
                f'data-size="{item["size_bytes"]}" x="{ix:.2f}" y="{iy + 2}" width="{iw:.2f}" '
                f'height="{lane - 4}" fill="{KIND_COLOURS.get(kind, "#bab0ac")}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            high = item.get("high_water_bytes")
            if high:
                hw = max(1.0, high / size * span)
                out.append(
                    f'<rect class="mem-item arena-high-water" data-size="{high}" x="{ix:.2f}" '
                    f'y="{iy + 2}" width="{hw:.2f}" height="{lane - 4}" fill="#2f6b2a">'
                    f"<title>arena high-water: {fmt(high)} B</title></rect>"
                )
            if iw > 70:
                out.append(
                    f'<text x="{ix + 3:.2f}" y="{iy + 15}" style="fill:#fff">'
                    f"{escape(item['name'])} {fmt(item['size_bytes'])} B</text>"
                )
    out.append("</svg>")
    return "".join(out)


def _section_kind(name: str) -> str:
    base = name.split(" ")[0]
    if base in (".text", ".vectors") or base.startswith(".text"):
        return "code"
    if base.startswith(".bss") or base.startswith(".mce_in") or base.startswith(".mce_out"):
        return "bss"
    if base.startswith(".data"):
        return "data"
    return "rodata"


def _legend() -> str:
    return (
        '<div class="legend">'
        + "".join(
            f'<span><i style="background:{c}"></i>{escape(k)}</span>'
            for k, c in KIND_COLOURS.items()
        )
        + "</div>"
    )


def html_report(rep: dict, mem: dict | None, summary: dict) -> str:
    """The page. ``summary``: title, firmware, target, core, clock_hz, cycles, time_ms,
    energy_uj, avg_power_mw and optional lines (``notes``)."""
    s = summary
    mhz = s["clock_hz"] / 1e6
    rows = rep["rows"]
    srows = "".join(
        f'<tr><th style="text-align:left">{escape(k)}</th><td class="n {key}">{v}</td></tr>'
        for k, key, v in (
            ("firmware", "firmware", escape(str(s["firmware"]))),
            ("target", "target", escape(f"{s['target']} ({s['core']}, {mhz:g} MHz)")),
            ("whole run", "run_cycles", f"{fmt(s['cycles'])} cycles"),
            ("whole run time", "time_ms", f"{fmt(s['time_ms'], ',.3f')} ms"),
            ("whole run energy", "energy_uj", f"{fmt(s['energy_uj'], ',.3f')} µJ"),
            ("ops", "op_cycles", f"{len(rows)} ops, {fmt(rep['total']['cycles'])} cycles"),
            ("active power", "active_power_mw", f"{fmt(rep['active_power_mw'], '.3f')} mW"),
        )
    )
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in s.get("notes", []))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(s['title'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(s['title'])}</h1>",
        f'<table id="summary">{srows}</table>',
        notes,
        "<h2>Per-op profile</h2>",
        _op_table(rep) if rows else "<p>No op was recognised.</p>",
        "<h2>Per op type</h2>",
        _type_table(rep),
        "<h2>Cycles per op</h2>",
        _bar_chart(rows, "cycles", ",", "cycles", "cycles-chart"),
        "<h2>Energy per op (µJ)</h2>",
        _bar_chart(rows, "energy_uj", ",.3f", "µJ", "energy-chart"),
    ]
    if mem is not None:
        mem_notes = "".join(f'<p class="note">{escape(n)}</p>' for n in mem["notes"])
        parts += [
            "<h2>Memory</h2>",
            _memory_table(mem),
            mem_notes,
            "<h2>Memory map</h2>",
            _legend(),
            _memory_map(mem),
        ]
    parts.append(
        '<p class="note">Modelled by mcusim: cycles from the core timing model, energy from the '
        "target's [power] figures. All numbers are also in the run's --json output.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"--html: cannot write '{path}': {e.strerror}") from None
