"""The sweep as one self-contained HTML page (L6): a scatter plot of latency against energy
per inference (Pareto points marked, RAM in the tooltip) and the full table. No script, no
external resource: inline SVG and CSS only."""

from __future__ import annotations

import math
from html import escape

W, H, PAD = 720, 420, 60


def _fmt(v, spec=",.3f") -> str:
    return "-" if v is None else format(v, spec)


def _scale(lo: float, hi: float, a: float, b: float):
    """Log scale from [lo, hi] onto [a, b] (a flat range maps to the middle)."""
    llo, lhi = math.log10(lo), math.log10(hi)
    if lhi - llo < 1e-12:
        return lambda v: (a + b) / 2
    return lambda v: a + (math.log10(v) - llo) / (lhi - llo) * (b - a)


def scatter(rows: list[dict]) -> str:
    pts = [r for r in rows if r["status"] == "ok" and r["latency_ms"] and r["energy_uj"]]
    if not pts:
        return '<p id="scatter-empty">no row has both a latency and an energy to plot</p>'
    xs = [r["latency_ms"] for r in pts]
    ys = [r["energy_uj"] for r in pts]
    sx = _scale(min(xs), max(xs), PAD, W - 20)
    sy = _scale(min(ys), max(ys), H - PAD, 20)
    out = [
        f'<svg id="scatter" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'xmlns="http://www.w3.org/2000/svg" role="img">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<text x="{W / 2}" y="{H - 15}" text-anchor="middle">latency, ms (log)</text>',
        f'<text x="15" y="{H / 2}" transform="rotate(-90 15 {H / 2})" text-anchor="middle">'
        "energy per inference, µJ (log)</text>",
        f'<text x="{PAD}" y="{H - PAD + 16}" text-anchor="start">{_fmt(min(xs), ",.4g")}</text>',
        f'<text x="{W - 20}" y="{H - PAD + 16}" text-anchor="end">{_fmt(max(xs), ",.4g")}</text>',
        f'<text x="{PAD - 4}" y="{H - PAD}" text-anchor="end">{_fmt(min(ys), ",.4g")}</text>',
        f'<text x="{PAD - 4}" y="24" text-anchor="end">{_fmt(max(ys), ",.4g")}</text>',
    ]
    for i, r in enumerate(rows):
        if r not in pts:
            continue
        cls = "point pareto" if r["pareto"] else "point"
        label = (
            f"{r['model']} on {r['target']} @ {r['clock_hz'] / 1e6:g} MHz, {r['kernels']}: "
            f"{r['latency_ms']:,.3f} ms, {r['energy_uj']:,.3f} µJ, RAM {r['ram_bytes']:,} B"
            + (" (Pareto front)" if r["pareto"] else "")
        )
        fill = "#d62728" if r["pareto"] else "#1f77b4"
        radius = 7 if r["pareto"] else 5
        out.append(
            f'<circle class="{cls}" data-row="{i}" data-latency-ms="{r["latency_ms"]!r}" '
            f'data-energy-uj="{r["energy_uj"]!r}" cx="{sx(r["latency_ms"]):.2f}" '
            f'cy="{sy(r["energy_uj"]):.2f}" r="{radius}" fill="{fill}" fill-opacity="0.75">'
            f"<title>{escape(label)}</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out)


COLUMNS = (
    ("model", "model", None), ("target", "target", None), ("kernels", "kernels", None),
    ("clock_hz", "MHz", "mhz"), ("latency_ms", "latency ms", ",.3f"),
    ("energy_uj", "µJ / inference", ",.3f"), ("avg_power_mw", "avg mW", ",.5f"),
    ("battery_days", "battery days", ",.1f"), ("flash_bytes", "flash B", ","),
    ("ram_bytes", "RAM B", ","), ("error_pct", "±err %", ",.1f"), ("pareto", "Pareto", None),
    ("status", "status", None),
)  # fmt: skip


def table(rows: list[dict]) -> str:
    head = "".join(f"<th>{escape(t)}</th>" for _, t, _ in COLUMNS)
    body = []
    for i, r in enumerate(rows):
        cells = []
        for key, _, spec in COLUMNS:
            v = r.get(key)
            if spec == "mhz":
                text = "-" if v is None else f"{v / 1e6:g}"
            elif key == "pareto":
                text = "★" if v else ""
            elif key == "status":
                text = v if v == "ok" else f"{v}: {r.get('reason') or ''}"
            elif spec:
                text = _fmt(v, spec)
            else:
                text = str(v)
            cells.append(f'<td class="{key}">{escape(text)}</td>')
        cls = ' class="pareto"' if r["pareto"] else ""
        body.append(f'<tr data-row="{i}"{cls}>' + "".join(cells) + "</tr>")
    return f'<table id="sweep-table"><tr>{head}</tr>{"".join(body)}</table>'


def sweep_page(rows: list[dict], title: str, notes: list[str]) -> str:
    style = (
        "body{font-family:sans-serif;margin:20px}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
        "td.model,td.target,td.kernels,td.status{text-align:left}"
        "tr.pareto{background:#fde8e8}.point:hover{stroke:#000;stroke-width:2}"
    )
    note_html = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{style}</style></head><body>"
        f"<h1>{escape(title)}</h1>{scatter(rows)}"
        "<p>red: the Pareto front (no other row has lower latency, energy and RAM at once)</p>"
        f"{table(rows)}<ul id='notes'>{note_html}</ul></body></html>\n"
    )
