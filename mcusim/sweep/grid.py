"""The sweep's grid and its rows (L6): every model x target x clock x kernels combination,
estimated (cost tables) or emulated (runner firmware), with latency, energy per inference,
average power at a rate, battery life, flash and RAM fit, and the Pareto front.

A row is a plain dict; one that cannot be computed keeps its combination and says why
(``status``: ``ok``, ``no cost table``, ``does not fit``, ``error``).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from mcusim.errors import InputError, McusimError

PARETO_KEYS = ("latency_ms", "energy_uj", "ram_bytes")


@dataclass(frozen=True)
class Combo:
    model: str  # the path as given
    target: str  # name or board .toml path
    clock_hz: float | None  # None: the target's own clock
    kernels: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Energy:
    """What turns one inference into power and battery life (None: not asked)."""

    period_s: float | None = None
    battery: str | None = None
    sleep: str = "deep_sleep"


def make_grid(models, targets, clocks, kernels) -> list[Combo]:
    """Every combination, in a stable order (model, target, clock, kernels)."""
    grid = [
        Combo(m, t, c, k)
        for m in models
        for t in targets
        for c in (clocks or [None])
        for k in kernels
    ]
    if not grid:
        raise InputError("the sweep's grid is empty (no model, target or kernels given)")
    return grid


def check_targets(targets) -> None:
    """Every target loads (an unknown one is one line, exit 2, before any work)."""
    from mcusim.config import load_target

    for t in targets:
        load_target(t)


def _target(combo: Combo, target_text: bytes | None = None):
    from mcusim.config import load_target

    if target_text is not None and combo.target.endswith(".toml"):
        # a board file shipped with the task (a cluster node does not have the user's file)
        import tempfile

        folder = Path(tempfile.gettempdir()) / "mcusim-sweep-targets"
        folder.mkdir(exist_ok=True)
        digest = hashlib.sha256(target_text).hexdigest()[:16]
        path = folder / f"{digest}-{Path(combo.target).name}"
        if not path.exists():
            path.write_bytes(target_text)
        return load_target(str(path), clock_hz=combo.clock_hz)
    return load_target(combo.target, clock_hz=combo.clock_hz)


def base_row(combo: Combo) -> dict:
    return {
        "model": Path(combo.model).name,
        "model_path": combo.model,
        "target": combo.target,
        "kernels": combo.kernels,
        "clock_hz": combo.clock_hz,
        "status": "error",
        "reason": None,
        "method": None,
        "cycles": None,
        "latency_ms": None,
        "energy_uj": None,
        "active_power_mw": None,
        "avg_power_mw": None,
        "battery_days": None,
        "flash_bytes": None,
        "flash_ok": None,
        "ram_bytes": None,
        "ram_ok": None,
        "error_pct": None,
        "pareto": False,
    }


def estimate_row(combo: Combo, data: bytes, energy: Energy) -> dict:
    """One row from the cost tables (no emulation)."""
    from mcusim.opcost.estimate import estimate_bytes

    row = base_row(combo)
    row["method"] = "estimate"
    try:
        target = _target(combo)
        est = estimate_bytes(data, combo.model, target, combo.kernels)
    except McusimError as e:
        row["reason"] = e.message
        return row
    row["clock_hz"] = float(target.clock_hz)
    if not est.complete:
        row["status"] = "no cost table"
        row["reason"] = est.no_cost_table
        return row
    row.update(
        status="ok",
        cycles=est.cycles,
        latency_ms=est.time_ms,
        energy_uj=est.energy_uj,
        active_power_mw=est.active_power_mw,
        flash_bytes=est.fits.get("flash_need_bytes", est.model_flash_bytes + 32),
        flash_ok=est.fits.get("flash_ok"),
        ram_bytes=(est.arena_bytes or 0) + (est.stack_bytes or 0),
        ram_ok=est.fits.get("ram_ok"),
        error_pct=est.error_pct,
    )
    _add_energy(row, target, energy)
    return row


def emulate_row(
    combo: Combo,
    data: bytes,
    energy: Energy,
    *,
    elf: bytes | None = None,
    target_text: bytes | None = None,
) -> dict:
    """One row from an emulated inference (``elf``: the runner's bytes, else the installed
    runner for the target). Never raises for a problem of this one combination."""
    from mcusim.sweep.emulate import emulate_model

    row = base_row(combo)
    row["method"] = "emulate"
    try:
        target = _target(combo, target_text)
        r = emulate_model(data, target, combo.kernels, name=combo.model, elf=elf)
    except McusimError as e:
        row["status"] = "does not fit" if "does not fit" in e.message else "error"
        row["reason"] = e.message
        return row
    except Exception as e:  # a bug must not lose the other rows; it is reported on this one
        row["reason"] = f"{type(e).__name__}: {e}"
        return row
    clock = float(target.clock_hz)
    row.update(
        status="ok",
        clock_hz=clock,
        cycles=r["cycles"],
        latency_ms=r["cycles"] / clock * 1e3,
        energy_uj=r["active_power_mw"] * r["cycles"] / clock * 1e3,
        active_power_mw=r["active_power_mw"],
        flash_bytes=len(data) + 32,
        flash_ok=True,  # it ran: the runner's loader refuses a model that does not fit
        ram_bytes=r["arena_needed_bytes"] + r["stack_peak_bytes"],
        ram_ok=True,
    )
    _add_energy(row, target, energy)
    return row


def _add_energy(row: dict, target, energy: Energy) -> None:
    if not row["active_power_mw"]:
        row["energy_uj"] = None  # the target has no power figure: unknown, not zero
        row["energy_note"] = f"target '{target.name}' has no active-current figure"
        return
    if energy.period_s is None:
        return
    from mcusim.report.energy import duty_cycle, parse_battery, sleep_figures

    try:
        sleep_mw, wake_s, _ = sleep_figures(target, energy.sleep)
        b = duty_cycle(
            period_s=energy.period_s,
            active_s=row["latency_ms"] / 1e3,
            active_energy_uj=row["energy_uj"],
            active_power_mw=row["active_power_mw"],
            sleep_mode=energy.sleep,
            sleep_power_mw=sleep_mw,
            wake_s=wake_s,
            battery=parse_battery(energy.battery) if energy.battery else None,
        )
    except McusimError as e:
        row["energy_note"] = e.message
        return
    row["avg_power_mw"] = b.avg_power_mw
    row["battery_days"] = b.battery_days


def mark_pareto(rows: list[dict], *, per_model: bool = False) -> None:
    """Mark the rows no other row beats in latency, energy and RAM at once (``per_model``:
    among the rows of the same model). Rows without an energy figure, or whose model or arena
    does not fit the target, take no part."""
    if per_model:
        for name in dict.fromkeys(r["model_path"] for r in rows):
            mark_pareto([r for r in rows if r["model_path"] == name])
        return
    ok = [
        r
        for r in rows
        if r["status"] == "ok"
        and all(r[k] is not None for k in PARETO_KEYS)
        and r["flash_ok"] is not False
        and r["ram_ok"] is not False
    ]
    for r in ok:
        v = [r[k] for k in PARETO_KEYS]
        r["pareto"] = not any(
            all(o[k] <= x for k, x in zip(PARETO_KEYS, v, strict=True))
            and any(o[k] < x for k, x in zip(PARETO_KEYS, v, strict=True))
            for o in ok
            if o is not r
        )


CSV_COLUMNS = (
    "model", "target", "kernels", "clock_hz", "method", "status", "cycles", "latency_ms",
    "energy_uj", "avg_power_mw", "battery_days", "flash_bytes", "flash_ok", "ram_bytes",
    "ram_ok", "error_pct", "pareto", "reason", "energy_note",
)  # fmt: skip


def to_csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()
