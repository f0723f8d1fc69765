"""Profile exports other tools load: Chrome trace events, speedscope and callgrind files (L6).

Timestamps are modelled time in µs (cycles / clock), never host time.
"""

from __future__ import annotations

import json
from pathlib import Path

from mcusim.errors import InputError

OPS_TID, FUNCTIONS_TID = 1, 2


def _us(cycles: int, clock_hz: int) -> float:
    return cycles * 1e6 / clock_hz


def chrome_trace(rep: dict, *, name: str = "mcusim") -> dict:
    """Trace-event JSON (opens in Perfetto / chrome://tracing): one complete ("X") slice per
    op on thread "ops" and per function call on thread "functions"."""
    clock = rep["clock_hz"]
    events: list[dict] = [
        {"name": "process_name", "ph": "M", "pid": 1, "args": {"name": name}},
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": OPS_TID, "args": {"name": "ops"}},
    ]
    for r in rep["rows"]:
        events.append(
            {
                "name": r["op"],
                "cat": "op",
                "ph": "X",
                "pid": 1,
                "tid": OPS_TID,
                "ts": _us(r["start_cycle"], clock),
                "dur": _us(r["cycles"], clock),
                "args": {
                    "index": r["index"],
                    "kernel": r["kernel"],
                    "cycles": r["cycles"],
                    "energy_uj": r["energy_uj"],
                    "macs": r["macs"],
                    "stack_peak_bytes": r["stack_peak_bytes"],
                },
            }
        )
    if rep.get("calls"):
        events.append(
            {
                "name": "thread_name",
                "ph": "M",
                "pid": 1,
                "tid": FUNCTIONS_TID,
                "args": {"name": "functions"},
            }
        )
        for c in rep["calls"]:
            events.append(
                {
                    "name": c["name"],
                    "cat": "function",
                    "ph": "X",
                    "pid": 1,
                    "tid": FUNCTIONS_TID,
                    "ts": _us(c["start_cycle"], clock),
                    "dur": _us(c["end_cycle"] - c["start_cycle"], clock),
                    "args": {"cycles": c["end_cycle"] - c["start_cycle"]},
                }
            )
    return {"traceEvents": events, "displayTimeUnit": "ns", "otherData": {"clock_hz": clock}}


def speedscope(rep: dict, *, name: str = "mcusim") -> dict:
    """speedscope file format (https://www.speedscope.app/file-format-schema.json): an evented
    profile of the ops, and one of the function calls when they were recorded."""
    clock = rep["clock_hz"]
    frames: list[dict] = []
    index: dict[str, int] = {}

    def frame(label: str) -> int:
        if label not in index:
            index[label] = len(frames)
            frames.append({"name": label})
        return index[label]

    def profile(title: str, spans: list[tuple[str, int, int, int]]) -> dict:
        # open in (start, depth) order; before opening at depth d, close what is at >= d.
        # Times never go backwards (a zero-length call closes where it opened).
        events: list[dict] = []
        stack: list[tuple[int, int, int]] = []  # frame, end, depth
        last = 0.0

        def close() -> None:
            nonlocal last
            f, end, _ = stack.pop()
            last = max(last, _us(end, clock))
            events.append({"type": "C", "frame": f, "at": last})

        for label, start, end, depth in sorted(spans, key=lambda s: (s[1], s[3])):
            while stack and stack[-1][2] >= depth:
                close()
            f = frame(label)
            last = max(last, _us(start, clock))
            events.append({"type": "O", "frame": f, "at": last})
            stack.append((f, end, depth))
        while stack:
            close()
        start = min((s for _, s, _, _ in spans), default=0)
        return {
            "type": "evented",
            "name": title,
            "unit": "microseconds",
            "startValue": _us(start, clock),
            "endValue": last,
            "events": events,
        }

    profiles = [
        profile(
            f"{name}: ops",
            [(f"{r['index']} {r['op']}", r["start_cycle"], r["end_cycle"], 0) for r in rep["rows"]],
        )
    ]
    if rep.get("calls"):
        spans = [(c["name"], c["start_cycle"], c["end_cycle"], c["depth"]) for c in rep["calls"]]
        profiles.append(profile(f"{name}: functions", spans))
    return {
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "shared": {"frames": frames},
        "profiles": profiles,
        "name": name,
        "activeProfileIndex": 0,
        "exporter": "mcusim",
    }


def callgrind(rep: dict, *, name: str = "mcusim") -> str:
    """Callgrind profile text (kcachegrind / qcachegrind): one event, modelled ``Cycles``; per
    function its self cycles and, per callee, the calls and their inclusive cycles (so a
    function's inclusive cost = self + its calls, as the viewers compute it). Needs the
    function profile (``--profile functions``: hooks on every function)."""
    funcs = rep.get("functions_inclusive") or []
    edges: dict[str, list[dict]] = {}
    for e in rep.get("call_edges", []):
        edges.setdefault(e["caller"], []).append(e)
    lines = [
        "# callgrind format",
        "version: 1",
        "creator: mcusim",
        f"cmd: {name}",
        "positions: line",
        "events: Cycles",
        f"summary: {sum(f['self_cycles'] for f in funcs)}",
        "",
        f"ob={name}",
        f"fl={name}",
    ]
    for f in sorted(funcs, key=lambda f: f["name"]):
        lines.append(f"fn={f['name']}")
        lines.append(f"0 {f['self_cycles']}")
        for e in edges.get(f["name"], []):
            lines += [f"cfn={e['callee']}", f"calls={e['calls']} 0", f"0 {e['inclusive_cycles']}"]
        lines.append("")
    return "\n".join(lines)


def write_text(path: str, text: str, option: str) -> None:
    try:
        Path(path).write_text(text)
    except OSError as e:
        raise InputError(f"{option}: cannot write '{path}': {e.strerror}") from None


def write_json(path: str, data: dict, option: str) -> None:
    try:
        Path(path).write_text(json.dumps(data))
    except OSError as e:
        raise InputError(f"{option}: cannot write '{path}': {e.strerror}") from None
