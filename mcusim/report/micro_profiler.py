"""TFLM's own per-op profile, read from the firmware's console, next to mcusim's op rows.

A TFLM firmware that gives its MicroInterpreter a ``tflite::MicroProfiler`` and calls its
``Log()`` prints one line per op event through ``MicroPrintf``: ``CONV_2D took 1381623 ticks
(55 ms).`` (the 2020-2021 releases print ``CONV_2D took 1381623 cycles`` as each op ends,
through their error reporter); ``LogCsv()`` prints a ``"Event","Tag","Ticks"`` header and
``0,CONV_2D,1381623`` lines. The ticks are the firmware's ``GetCurrentTimeTicks()`` (0 with
TFLM's default ``micro_time.cc``; the DWT cycle counter, which mcusim models, in
``tflm_runner.cc`` built with ``-DMCE_RUNNER_CYCCNT_TICKS``). The events whose tags are op
names are matched to the op rows of the per-op report when their sequence is the rows'
sequence. A benchmark that logs one of its several Invoke() calls is matched to the last run of
rows with the logged op sequence that ended before the log's first line was printed (the run
records the cycle each console line began at); without that, nothing is matched and the report
says so.
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
    return [(tag, ticks) for tag, ticks, _ in _events(console)]


def _events(console: str) -> list[tuple[str, int, int]]:
    """(tag, ticks, line number) of every event; lines as ``console.split("\n")`` numbers
    them, as the run's console_line_cycles does."""
    events: list[tuple[str, int, int]] = []
    in_csv = False
    for n, line in enumerate(console.split("\n")):
        line = line.rstrip("\r")
        m = _LOG.match(line)
        if m is None and in_csv:
            m = _CSV.match(line)
            in_csv = m is not None
        if m is not None:
            events.append((m["tag"].strip(), int(m["ticks"]), n))
        elif line.strip() == _CSV_HEADER:
            in_csv = True
    return events


def _window(rows: list[dict], tags: list[str], printed_at: int) -> int | None:
    """The first row of the last run of rows whose ops are ``tags`` and that ended before
    cycle ``printed_at``, or None."""
    n = len(tags)
    for s in range(len(rows) - n, -1, -1):
        end = rows[s + n - 1].get("end_cycle")
        if end is not None and end <= printed_at and [r["op"] for r in rows[s : s + n]] == tags:
            return s
    return None


def attach(rep: dict, console: str, line_cycles: tuple[int, ...] = ()) -> dict | None:
    """Give op rows of ``rep`` their ``fw_ticks``: every row when the firmware printed one
    MicroProfiler event per row, in the rows' order; else, with ``line_cycles`` (the cycle each
    console line began at), the rows of the Invoke() the log reports on. Returns the summary
    (also stored as ``rep["micro_profiler"]``), or None when the console has no such events."""
    all_events = _events(console)
    if not all_events:
        return None
    events = [(t, k) for t, k, _ in all_events]
    rows = rep["rows"]
    ops = {r["op"] for r in rows}
    op_events = [e for e in all_events if e[0] in ops]
    tags = [t for t, _, _ in op_events]
    for r in rows:
        r["fw_ticks"] = None
    firsts: list[int] = []  # the first row of each log matched
    if op_events and tags == [r["op"] for r in rows]:
        groups = [op_events]
        firsts = [0]
    else:  # each log (a run of consecutive lines) on its own, when the lines have cycles
        groups = []
        for e in op_events:
            if groups and e[2] == groups[-1][-1][2] + 1:
                groups[-1].append(e)
            else:
                groups.append([e])
        for g in groups:
            at = line_cycles[g[0][2]] if g[0][2] < len(line_cycles) else None
            first = None if at is None else _window(rows, [t for t, _, _ in g], at)
            if first is None:
                firsts, groups = [], []
                break
            firsts.append(first)
    for first, g in zip(firsts, groups, strict=True):
        for k, (_, ticks, _) in enumerate(g):
            rows[first + k]["fw_ticks"] = ticks
    out = {
        "events": len(events),
        "op_events": len(op_events),
        "matched": len(op_events) if firsts else 0,
        "first_rows": firsts,
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
        return [head + " (no run of op rows with the logged ops before the log: not compared)"]
    if mp.get("first_rows", [0]) != [0]:
        rows_text = ", ".join(map(str, mp["first_rows"]))
        head += f" (logs from row {rows_text}: the Invoke() each follows)"
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
