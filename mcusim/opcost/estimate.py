"""``estimate_model``: per-op and total cycles, time, energy and memory of a ``.tflite`` on a
target, from its op shapes and the fitted tables, without emulating (L4).

Every op's estimate carries the held-out error its kernel's fit measured; an op with no cost
model (another op type, another quantisation) is kept as a row with the reason, and the total
then says it is incomplete.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from mcusim.errors import InputError
from mcusim.opcost.features import NoCostModel, features, kernel_flavour
from mcusim.opcost.graph import Graph, load_graph
from mcusim.opcost.tables import (
    CostTable,
    arena_estimate,
    data_cache_bytes,
    find_table,
    memory_setup,
    scratch_bytes,
)


@dataclass
class OpEstimate:
    index: int
    op: str
    cycles: int | None
    time_us: float | None
    energy_uj: float | None
    macs: int | None
    arena_bytes: int  # the op's non-constant inputs, outputs and scratch
    flash_bytes: int  # its weights and biases
    stack_bytes: int | None
    error_pct: float | None  # held-out max error of the kernel's fit
    kernel: str | None = None
    no_cost_table: str | None = None  # the reason, when there is no estimate


@dataclass
class ModelEstimate:
    model: str
    target: str
    core: str
    kernels: str
    clock_hz: float
    active_power_mw: float
    table: str | None
    memory_setup: str
    ops: list[OpEstimate] = field(default_factory=list)
    cycles: int = 0
    time_ms: float = 0.0
    energy_uj: float = 0.0
    macs: int = 0
    arena_bytes: int | None = None  # the engine's arena (activations + persistent), estimated
    model_flash_bytes: int = 0
    stack_bytes: int | None = None
    error_pct: float | None = None  # cycle-weighted held-out max error of the ops' kernels
    complete: bool = True
    no_cost_table: str | None = None  # why the total is missing or incomplete
    fits: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def estimate_bytes(
    data: bytes, name: str, target, kernels: str = "reference", *, graph: Graph | None = None
) -> ModelEstimate:
    """Estimate one inference of the model ``data`` on ``target`` (a loaded Target)."""
    if kernels not in ("reference", "optimized"):
        raise InputError(f"--kernels: '{kernels}' is not 'reference' or 'optimized'")
    graph = graph or load_graph(data, name)
    clock = float(target.clock_hz)
    power = target.power.active_power_mw(clock)
    table = find_table(target, kernels)
    est = ModelEstimate(
        model=name,
        target=target.name,
        core=target.core,
        kernels=kernels,
        clock_hz=clock,
        active_power_mw=power,
        table=table.path if table else None,
        memory_setup=memory_setup(target),
        model_flash_bytes=len(data),
    )
    if table is None:
        est.complete = False
        est.no_cost_table = (
            f"no cost table for {target.core} with {kernels} kernels and this memory set-up "
            f"({est.memory_setup})"
        )
    weighted_err = 0.0
    dcache = data_cache_bytes(target)
    seen: set = set()  # kernels and code paths already in the instruction cache
    for op in graph.ops:
        row = _op_estimate(op, kernels, table, clock, power, seen, dcache)
        est.ops.append(row)
        est.macs += op.macs or 0
        if row.cycles is None:
            est.complete = False
            if table is not None and est.no_cost_table is None:
                est.no_cost_table = f"op {op.index} {op.op}: {row.no_cost_table}"
            continue
        est.cycles += row.cycles
        weighted_err += row.cycles * (row.error_pct or 0.0)
    if table is None:
        est.cycles = 0
        return est
    est.time_ms = est.cycles / clock * 1e3
    est.energy_uj = power * est.cycles / clock * 1e3
    est.error_pct = weighted_err / est.cycles if est.cycles else None
    est.arena_bytes = arena_estimate(graph, kernels, table)
    stacks = [r.stack_bytes for r in est.ops if r.stack_bytes is not None]
    est.stack_bytes = max(stacks) if stacks else None
    est.fits = fit_verdicts(est, table.runner)
    return est


def _op_estimate(
    op,
    kernels: str,
    table: CostTable | None,
    clock: float,
    power: float,
    seen: set,
    dcache: int,
):
    row = OpEstimate(
        index=op.index,
        op=op.op,
        cycles=None,
        time_us=None,
        energy_uj=None,
        macs=op.macs,
        arena_bytes=op.io_bytes + scratch_bytes(op, kernels),
        flash_bytes=op.weight_bytes,
        stack_bytes=None,
        error_pct=None,
    )
    if table is None:
        row.no_cost_table = "no cost table for this target"
        return row
    try:
        counts = features(op, kernels, seen=seen, dcache_bytes=dcache)
    except NoCostModel as e:
        row.no_cost_table = str(e)
        return row
    k = table.kernels_by_op.get(op.op)
    if k is None:
        row.no_cost_table = f"the table has no {op.op} kernel"
        return row
    cycles = sum(k.cycles_per.get(name, 0.0) * n for name, n in counts.items())
    row.cycles = max(int(round(cycles)), 0)
    row.time_us = row.cycles / clock * 1e6
    row.energy_uj = power * row.cycles / clock * 1e3
    row.stack_bytes = k.stack_peak_bytes
    row.error_pct = k.held_out_max_error_pct
    row.kernel = f"{k.symbol} ({kernel_flavour(op.op, kernels)})"
    return row


def fit_verdicts(est: ModelEstimate, runner: dict) -> dict:
    """Flash and RAM fit against the runner's regions recorded with the table."""
    out = {}
    if runner.get("model_region_bytes"):
        need = est.model_flash_bytes + 32
        out["flash_ok"] = need <= runner["model_region_bytes"]
        out["flash_need_bytes"] = need
        out["flash_have_bytes"] = runner["model_region_bytes"]
    if runner.get("arena_bytes") and est.arena_bytes is not None:
        out["ram_ok"] = est.arena_bytes <= runner["arena_bytes"]
        out["ram_need_bytes"] = est.arena_bytes
        out["ram_have_bytes"] = runner["arena_bytes"]
    return out
