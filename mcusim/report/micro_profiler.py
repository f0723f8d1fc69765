"""TFLM's own per-op profile, read from the firmware's console, next to mcusim's op rows.

A TFLM firmware that gives its MicroInterpreter a ``tflite::MicroProfiler`` and calls its
``Log()`` prints one line per op event through ``MicroPrintf``: ``CONV_2D took 1381623 ticks
(55 ms).`` (the 2020-2021 releases print ``CONV_2D took 1381623 cycles`` as each op ends,
through their error reporter); ``LogCsv()`` prints a ``"Event","Tag","Ticks"`` header and
``0,CONV_2D,1381623`` lines. The ticks are the firmware's ``GetCurrentTimeTicks()`` (0 with
TFLM's default ``micro_time.cc``; the DWT cycle counter, which mcusim models, in
``tflm_runner.cc`` built with ``-DMCE_RUNNER_CYCCNT_TICKS``). The events whose tags are op
names are matched to the op rows of the per-op report when their sequence is the rows'
sequence; otherwise (a benchmark that logs one of its several Invoke() calls: the log does not
say which) nothing is matched and the report says so.
"""

from __future__ import annotations

import re

_LOG = re.compile(
    r"^\s*(?P<tag>[A-Za-z_][\w ]*?) took (?P<ticks>-?\d+) (?:ticks \(-?\d+ ms\)\.?|cycles)\s*$"
)
_CSV_HEADER = '"Event","Tag","Ticks"'
_CSV = re.compile(r"^\s*\d+,(?P<tag>[^,]+),\s*(?P<ticks>-?\d+)\s*$")


def parse(console: str) -> list[tuple[str, int]]:
    """(tag, ticks) of every MicroProfiler event the console holds, in order."""
    events: list[tuple[str, int]] = []
    in_csv = False
    for line in console.splitlines():
        m = _LOG.match(line)
        if m is None and in_csv:
            m = _CSV.match(line)
            in_csv = m is not None
        if m is not None:
            events.append((m["tag"].strip(), int(m["ticks"])))
        elif line.strip() == _CSV_HEADER:
            in_csv = True
    return events


def attach(rep: dict, console: str) -> dict | None:
    """Give each op row of ``rep`` its ``fw_ticks`` when the firmware printed one MicroProfiler
    event per row, in the rows' order; the summary (also stored as ``rep["micro_profiler"]``),
    or None when the console has no such events."""
    events = parse(console)
    if not events:
        return None
    rows = rep["rows"]
    ops = {r["op"] for r in rows}
    op_events = [e for e in events if e[0] in ops]
    tags = [t for t, _ in op_events]
    aligned = bool(op_events) and tags == [r["op"] for r in rows]
    for i, r in enumerate(rows):
        r["fw_ticks"] = op_events[i][1] if aligned else None
    out = {
        "events": len(events),
        "op_events": len(op_events),
        "matched": len(op_events) if aligned else 0,
        "all_zero": all(t == 0 for _, t in events),
        "tags_and_ticks": [list(e) for e in events],
    }
    rep["micro_profiler"] = out
    return out


def report_lines(rep: dict) -> list[str]:
    """Plain-text lines: the firmware's ticks next to mcusim's cycles, op by op."""
    mp = rep.get("micro_profiler")
    if not mp:
        return []
    head = (
        f"TFLM MicroProfiler (printed by the firmware): {mp['events']} events, "
        f"{mp['op_events']} with op tags, {mp['matched']} matched to the op rows"
    )
    if mp["all_zero"]:
        return [
            head,
            "  every event took 0 ticks: the firmware's GetCurrentTimeTicks() has no timer "
            "(TFLM's default micro_time.cc); tflm_runner.cc built with -DMCE_RUNNER_CYCCNT_TICKS "
            "counts DWT cycles",
        ]
    if not mp["matched"]:
        return [head + " (not one event per op row, in order: not compared)"]
    title = f"  {'#':>4}  {'op':<20} {'mcusim cycles':>14} {'firmware ticks':>15} {'diff':>9}"
    lines = [head, title]
    for i, r in enumerate(rep["rows"]):
        t = r.get("fw_ticks")
        if t is None:
            continue
        lines.append(f"  {i:>4}  {r['op']:<20} {r['cycles']:>14,} {t:>15,} {t - r['cycles']:>+9,}")
    return lines


def print_report(rep: dict, console) -> None:
    """Print :func:`report_lines` on a rich console (as plain text)."""
    for line in report_lines(rep):
        console.print(line, markup=False, highlight=False)
