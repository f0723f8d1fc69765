"""Performance baselines: record per-image (and per-op) results and compare against them (L2).

A baseline is a JSON file of plain numbers keyed ``"<image>@<target>"``. Results are
deterministic (the same ELF and options give the same cycles, bit for bit), so a tolerance of
zero is meaningful: any growth is a regression, any shrink an improvement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcusim.errors import InputError

SCHEMA = 1
# tolerance key (as in --budget) -> field of the result / baseline record
METRICS = {
    "cycles": "cycles",
    "energy_uj": "energy_uj",
    "stack_bytes": "stack_peak_bytes",
    "flash_bytes": "flash_used_bytes",
    "ram_bytes": "ram_static_bytes",
}
FIELD_KEY = {v: k for k, v in METRICS.items()}
OP_FIELDS = ("cycles", "energy_uj", "stack_peak_bytes")
OP_NAME_KEYS = ("name", "op", "op_type", "type", "label")


@dataclass(frozen=True)
class Tolerance:
    """How much a metric may grow: ``relative`` (fraction of the old value) plus ``absolute``."""

    relative: float = 0.0
    absolute: float = 0.0

    def allows(self, old: float, new: float) -> bool:
        return new <= old + abs(old) * self.relative + self.absolute

    def __str__(self) -> str:
        if self.relative:
            return f"{self.relative * 100:g}%"
        return f"{self.absolute:g}"


def parse_tolerance(text: str | None) -> dict[str, Tolerance]:
    """``"cycles=2%,stack_bytes=0"`` -> tolerances by metric (unnamed metrics: zero).

    Raises:
        InputError: an unknown key or a value that is not a number or percentage.
    """
    out = {k: Tolerance() for k in METRICS}
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in METRICS:
            raise InputError(
                f"--tolerance: '{item}' is not KEY=VALUE with KEY one of " + ", ".join(METRICS)
            )
        try:
            if value.endswith("%"):
                out[key] = Tolerance(relative=float(value[:-1]) / 100.0)
            else:
                out[key] = Tolerance(absolute=float(value))
        except ValueError:
            raise InputError(
                f"--tolerance: '{value}' is not a number or N% (in '{item}')"
            ) from None
        if out[key].relative < 0 or out[key].absolute < 0:
            raise InputError(f"--tolerance: '{item}' must not be negative")
    return out


def record(result: dict[str, Any]) -> dict[str, Any]:
    """The baseline numbers of one run (``RunResult.to_dict()``)."""
    flat = dict(result)
    flat.update(result.get("footprint") or {})
    rec = {field: flat.get(field) for field in METRICS.values()}
    ops = op_rows((result.get("extensions") or {}).get("ops"))
    if ops:
        rec["ops"] = ops
    return rec


def op_rows(ops: Any) -> dict[str, dict[str, float]]:
    """Per-op numbers from the op profiler's extension, whatever container it uses.

    Accepts a list of rows, ``{"ops": [rows]}`` or ``{name: row}``; a row is a dict with a name
    (``name``/``op``/``op_type``/...) and any of ``cycles``, ``energy_uj``,
    ``stack_peak_bytes``. Rows of a list are keyed ``"<index>:<name>"`` (the same op type runs
    many times). Anything else gives no rows: a run without the profiler has no ops.
    """
    if isinstance(ops, dict) and isinstance(ops.get("ops"), list):
        ops = ops["ops"]
    items: list[tuple[str, Any]] = []
    if isinstance(ops, list):
        for i, row in enumerate(ops):
            if isinstance(row, dict):
                name = next((str(row[k]) for k in OP_NAME_KEYS if k in row), "op")
                items.append((f"{i}:{name}", row))
    elif isinstance(ops, dict):
        items = [(str(k), v) for k, v in ops.items() if isinstance(v, dict)]
    out = {}
    for key, row in items:
        nums = {
            f: row[f]
            for f in OP_FIELDS
            if isinstance(row.get(f), (int, float)) and not isinstance(row.get(f), bool)
        }
        if nums:
            out[key] = nums
    return out


def save(path: Path, records: dict[str, dict[str, Any]], *, version: str) -> None:
    data = {"schema": SCHEMA, "mcusim": version, "images": records}
    try:
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    except OSError as e:
        raise InputError(f"--save-baseline: cannot write '{path}': {e.strerror}") from None


def load(path: Path) -> dict[str, dict[str, Any]]:
    """Read a baseline file; a malformed file is an :class:`InputError` naming it."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot be read: {e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON: {e}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{path}: not an mcusim baseline (schema {SCHEMA} expected)")
    images = data.get("images")
    if not isinstance(images, dict) or not all(isinstance(v, dict) for v in images.values()):
        raise InputError(f"{path}: 'images' must map image keys to tables of numbers")
    return images


@dataclass(frozen=True)
class Diff:
    """One compared number."""

    image: str
    metric: str  # e.g. "cycles" or "op 3:CONV_2D cycles"
    old: float | None
    new: float | None
    tolerance: str
    verdict: str  # same | improved | within tolerance | REGRESSION | new | missing

    @property
    def change(self) -> str:
        if self.old is None or self.new is None:
            return "-"
        delta = self.new - self.old
        pct = f" ({delta / self.old * 100:+.2f}%)" if self.old else ""
        return f"{delta:+,.6g}{pct}"

    @property
    def regression(self) -> bool:
        return self.verdict == "REGRESSION"


def compare(
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    tolerance: dict[str, Tolerance],
) -> list[Diff]:
    """Every metric of every image in either set, with a verdict."""
    out: list[Diff] = []
    for image in sorted(set(old) | set(new)):
        if image not in new:
            out.append(Diff(image, "(image)", None, None, "", "missing"))
            continue
        if image not in old:
            out.append(Diff(image, "(image)", None, None, "", "new"))
            continue
        o, n = old[image], new[image]
        for field in METRICS.values():
            out.append(_diff(image, field, o.get(field), n.get(field), tolerance[FIELD_KEY[field]]))
        o_ops, n_ops = o.get("ops") or {}, n.get("ops") or {}
        for op in sorted(set(o_ops) | set(n_ops)):
            for field in OP_FIELDS:
                a = (o_ops.get(op) or {}).get(field)
                b = (n_ops.get(op) or {}).get(field)
                if a is None and b is None:
                    continue
                tol = tolerance[FIELD_KEY.get(field, "cycles")]
                out.append(_diff(image, f"op {op} {field}", a, b, tol))
    return out


def _diff(image: str, metric: str, a: Any, b: Any, tol: Tolerance) -> Diff:
    a = a if isinstance(a, (int, float)) else None
    b = b if isinstance(b, (int, float)) else None
    if a is None and b is None:
        verdict = "same"
    elif a is None:
        verdict = "new"
    elif b is None:
        verdict = "missing"
    elif b == a:
        verdict = "same"
    elif b < a:
        verdict = "improved"
    elif tol.allows(a, b):
        verdict = "within tolerance"
    else:
        verdict = "REGRESSION"
    return Diff(image, metric, a, b, str(tol), verdict)
