"""The fitted cost tables (``cost_models/ops/mce_costs/<target>-<kernels>.toml``) and the
engine's arena, estimated (L4).

A table belongs to one target, i.e. one core and one memory set-up (flash wait states,
prefetch, caches): the cycles a kernel costs depend on both. A user's own board file uses the
table of the built-in target with the same core and the same memory set-up, else none.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from mcusim.config.resources import data_dir
from mcusim.errors import ConfigError

ALIGN_ACT = 16  # the engine's activation alignment (mce_engine.c ALIGN_ACT)
ALIGN_TAIL = 8  # its persistent-tail alignment (ALIGN_TAIL)


def OUT_DIR() -> Path:  # noqa: N802 - a folder, named like the constant it stands for
    return data_dir("cost_models") / "ops" / "mce_costs"


def memory_setup(target) -> str:
    """One line: the wait states, prefetch and caches of each timed (flash/ROM) region the
    program can live in (a ROM holding the target's own image, such as the Apollo3 boot ROM
    helpers, runs no kernel: it does not change what a kernel costs)."""
    parts = []
    for r in target.memory:
        if r.kind == "ram" or r.image:
            continue
        bits = [f"{r.name}: {r.wait_states} wait states", f"{r.fetch_width_bytes}-byte fetch"]
        bits.append("prefetch on" if r.prefetch else "prefetch off")
        if r.cache and r.icache:
            kind = "unified" if r.unified else "instruction"
            g = r.icache
            bits.append(f"{kind} cache {g.lines}x{g.line_bytes} B {g.ways}-way")
        if r.cache and r.dcache:
            g = r.dcache
            bits.append(f"data cache {g.lines}x{g.line_bytes} B {g.ways}-way")
        if not r.cache:
            bits.append("no cache")
        parts.append(", ".join(bits))
    return "; ".join(parts) + "; RAM 0 wait states"


def data_cache_bytes(target) -> int:
    """Bytes of the cache that data reads from the target's (largest) flash region go through
    when its caches are on; 0 when they go straight to the flash."""
    timed = [r for r in target.memory if r.kind != "ram"]
    if not timed:
        return 0
    r = max(timed, key=lambda r: r.size_bytes)
    g = r.data_geometry if r.cache else None
    return g.lines * g.line_bytes if g else 0


@dataclass(frozen=True)
class KernelCost:
    op: str
    symbol: str
    cycles_per: dict[str, float]
    held_out_max_error_pct: float
    held_out_mean_error_pct: float
    cases_fitted: int
    cases_held_out: int
    stack_peak_bytes: int


@dataclass(frozen=True)
class CostTable:
    path: str
    target: str
    core: str
    kernels: str
    memory: str
    kernels_by_op: dict[str, KernelCost]
    arena: dict[str, int]
    fit: dict[str, object]
    runner: dict[str, int]


_cache: dict[Path, CostTable] = {}


def _read(path: Path) -> CostTable:
    if path in _cache:
        return _cache[path]
    try:
        d = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the cost table: {e}") from None
    ks = {}
    for op, k in d.get("kernel", {}).items():
        ks[op] = KernelCost(
            op=op,
            symbol=k["symbol"],
            cycles_per=dict(k["cycles_per"]),
            held_out_max_error_pct=float(k["held_out_max_error_pct"]),
            held_out_mean_error_pct=float(k["held_out_mean_error_pct"]),
            cases_fitted=int(k["cases_fitted"]),
            cases_held_out=int(k["cases_held_out"]),
            stack_peak_bytes=int(k["stack_peak_bytes"]),
        )
    t = CostTable(
        path=str(path),
        target=d["target"],
        core=d["core"],
        kernels=d["kernels"],
        memory=d["memory"],
        kernels_by_op=ks,
        arena=dict(d.get("arena", {})),
        fit=dict(d.get("fit", {})),
        runner=dict(d.get("runner", {})),
    )
    _cache[path] = t
    return t


def find_table(target, kernels: str) -> CostTable | None:
    """The table for ``target`` (by name, else by same core and memory set-up), or None."""
    folder = OUT_DIR()
    path = folder / f"{target.name}-{kernels}.toml"
    if path.is_file():
        t = _read(path)
        if t.memory == memory_setup(target) and t.core == target.core:
            return t
    setup = memory_setup(target)
    for p in sorted(folder.glob(f"*-{kernels}.toml")):
        t = _read(p)
        if t.core == target.core and t.memory == setup:
            return t
    return None


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def scratch_bytes(op, kernels: str) -> int:
    """Kernel scratch the engine plans in the arena for ``op`` (mce_conv2d_s8_scratch_bytes)."""
    if op.op == "CONV_2D" and kernels == "optimized" and len(op.inputs) > 1 and op.inputs[1]:
        _, kh, kw, fic = op.inputs[1]
        k = kh * kw * fic
        return 2 * (2 * (k & ~3) + 8)
    return 0


def activation_plan(graph, kernels: str) -> int:
    """Activation bytes of the engine's lifetime planner: non-constant tensors from first to
    last use (graph inputs from op 0, outputs to the end) and each op's scratch for that op,
    placed largest first at the lowest 16-byte aligned offset free for their lifetime."""
    model = graph.model
    life = model.lifetimes()
    items = [(model.tensors[t].bytes, a, b, t) for t, (a, b) in life.items()]
    n_t = len(model.tensors)
    for op in graph.ops:
        s = scratch_bytes(op, kernels)
        if s:
            items.append((s, op.index, op.index, n_t + op.index))
    items.sort(key=lambda it: (-it[0], it[1], it[3]))
    placed: list[tuple[int, int, int, int]] = []  # offset, end, first, last
    for size, a, b, _ in items:
        clashes = sorted((lo, hi) for lo, hi, f, la in placed if f <= b and a <= la)
        offset = 0
        for lo, hi in clashes:
            if offset + size <= lo:
                break
            offset = max(offset, _align(hi, ALIGN_ACT))
        placed.append((offset, offset + size, a, b))
    return _align(max((hi for _, hi, _, _ in placed), default=0), ALIGN_ACT)


def persistent_terms(graph) -> dict[str, int]:
    """What the engine's persistent tail holds: tensor and op records (their sizes are fitted)
    and the requantization tables (4-byte multiplier and shift per scale, 8-aligned; per-tensor
    conv and depthwise scales broadcast to every channel)."""
    q = 0
    for op in graph.ops:
        if op.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") and op.weight_scales:
            q += 2 * _align(4 * op.weight_scales, ALIGN_TAIL)
            if op.op != "FULLY_CONNECTED" and op.weight_scales == 1 and op.per_channel > 1:
                q += 2 * _align(4 * op.per_channel, ALIGN_TAIL)
    return {
        "tensors": len(graph.model.tensors),
        "ops": len(graph.ops),
        "quant_table_bytes": q,
    }


def arena_estimate(graph, kernels: str, table: CostTable) -> int:
    t = persistent_terms(graph)
    a = table.arena
    persist = (
        a.get("base_bytes", 0)
        + a.get("per_tensor_bytes", 0) * t["tensors"]
        + a.get("per_op_bytes", 0) * t["ops"]
        + t["quant_table_bytes"]
    )
    return activation_plan(graph, kernels) + persist
