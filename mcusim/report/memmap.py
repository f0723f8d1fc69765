"""The memory report of a run: flash split into code / model / other read-only data, static RAM,
tensor arena (planned and high-water), stack and heap peaks, and a fits verdict (L4).

Works from the ELF (sections, symbols), the target's memory regions, the run's measured peaks
and, when the op profiler ran, its arena observations. The model is found by symbol: the
runner's model region, or any object whose bytes carry the TFLite file identifier ``TFL3``.
"""

from __future__ import annotations

import re

from mcusim.config.target import Target
from mcusim.image.elf import Firmware
from mcusim.image.memory import classify_section, footprint, image_regions
from mcusim.result import RunResult

TFLITE_IDENT = b"TFL3"  # flatbuffer file identifier at bytes 4..8 of a .tflite
RUNNER_MODEL_SYMBOL = "mce_runner_model"
HEAP_START_SYMBOLS = ("end", "_end", "__end__", "__heap_start__")


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def model_symbols(fw: Firmware) -> list[dict]:
    """Objects holding a .tflite: name, address, size (embedded arrays found by their bytes)."""
    out = []
    seen: set[int] = set()
    for name, addr in sorted(fw.symbols.items(), key=lambda kv: kv[1]):
        size = fw.symbol_sizes.get(name, 0)
        if size < 16 or addr in seen or name == RUNNER_MODEL_SYMBOL:
            continue
        head = fw.read(addr, 8)
        if head is not None and head[4:8] == TFLITE_IDENT:
            seen.add(addr)
            out.append({"name": name, "address": addr, "size_bytes": size})
    return out


def embedded_model_bytes(fw: Firmware) -> bytes | None:
    """The bytes of the first embedded .tflite of the ELF, or None."""
    found = model_symbols(fw)
    if not found:
        return None
    return fw.read(found[0]["address"], found[0]["size_bytes"])


# what firmware prints about its own arena use: (pattern, what says it), first match wins
ARENA_REPORTS = (
    (
        re.compile(r"Arena allocation total (\d+) bytes"),
        "the firmware's console: TFLM's RecordingMicroAllocator",
    ),
    (re.compile(r"arena_used_bytes\W{0,4}(\d+)"), "the firmware's console: arena_used_bytes()"),
    (re.compile(r"arena_needed=(\d+)"), "the firmware's console: the engine's arena_needed"),
)


def arena_reported(console: str) -> tuple[int, str] | None:
    """The arena use the firmware printed itself (the largest figure if printed more than
    once), and what printed it; None when it printed none."""
    for pattern, by in ARENA_REPORTS:
        found = [int(m) for m in pattern.findall(console)]
        if found:
            return max(found), by
    return None


def _code_bytes(fw: Firmware, in_flash) -> int:
    """Sum of function sizes (each address once) that lie in flash sections."""
    seen: set[int] = set()
    total = 0
    for f in fw.functions:
        if f.size and f.address not in seen and in_flash(f.address):
            seen.add(f.address)
            total += f.size
    return total


def _verdict(used: int, size: int) -> dict:
    """Used against size; with no size (no such memory) there is no verdict, never a
    'does not fit' against 0 bytes."""
    head = size - used if size else None
    return {
        "used_bytes": used,
        "size_bytes": size,
        "headroom_bytes": head,
        "headroom_pct": _pct(head, size) if size else None,
        "fits": head >= 0 if head is not None else None,
    }


def memory_report(
    fw: Firmware,
    target: Target,
    result: RunResult,
    *,
    runner_model_bytes: int | None = None,
    arena_planned_bytes: int | None = None,
    arena_planned_by: str | None = None,
    arena_estimate_bytes: int | None = None,
    arena_estimate_by: str | None = None,
) -> dict:
    """The memory picture of one run, as plain data (JSON-ready).

    Args:
        runner_model_bytes: for a runner firmware (``mcusim profile``), the bytes of header +
            model written into its reserved (NOBITS) model region; counted as flash used.
        arena_planned_bytes: the arena the firmware's own engine says it needs (the runner's
            status under ``mcusim profile``), said with ``arena_planned_by``.
        arena_estimate_bytes: an estimate by a planner that is not the firmware's (mcusim's
            plan of the embedded model's activations), said with ``arena_estimate_by``.
    """
    image = image_regions(fw, target)

    def in_flash(addr: int) -> bool:
        return any(r.contains(addr) for r in image)

    sections = []
    data_init = 0
    for s in fw.sections:
        run_region = target.region_at(s.addr)
        counts_as = classify_section(s, target, image)
        stored = counts_as == "image" or (
            counts_as == "data" and s.lma != s.addr and target.region_at(s.lma) in image
        )
        if counts_as == "data" and stored:
            data_init += s.size
        sections.append(
            {
                "name": s.name,
                "address": s.addr,
                "load_address": s.lma,
                "size_bytes": s.size,
                "region": run_region.name if run_region else None,
                "kind": "code"
                if s.executable
                else "bss"
                if s.nobits
                else "data"
                if s.writable
                else "rodata",
                "counts_as": counts_as,
                "in_flash_image": stored,
            }
        )
    fp = footprint(fw, target)  # the run's own figure when ``target`` is the run's target
    models = [m for m in model_symbols(fw) if in_flash(m["address"])]
    model_flash = sum(m["size_bytes"] for m in models)
    notes = []
    flash_used = fp.flash_used_bytes
    if runner_model_bytes is not None and RUNNER_MODEL_SYMBOL in fw.symbols:
        region = fw.symbol_sizes.get(RUNNER_MODEL_SYMBOL, 0)
        models.append(
            {
                "name": RUNNER_MODEL_SYMBOL,
                "address": fw.symbols[RUNNER_MODEL_SYMBOL],
                "size_bytes": runner_model_bytes,
                "reserved_bytes": region,
            }
        )
        model_flash += runner_model_bytes
        flash_used += runner_model_bytes
        notes.append(
            f"the runner reserves {region:,} B of flash for a model; the model with its 32-byte "
            f"header uses {runner_model_bytes:,} B of it, and only that is counted as used"
        )
    code = _code_bytes(fw, in_flash)
    other_ro = max(0, flash_used - code - model_flash - data_init)
    flash = {
        "code_bytes": code,
        "model_bytes": model_flash,
        "rodata_other_bytes": other_ro,
        "data_init_bytes": data_init,
        **_verdict(flash_used, fp.flash_size_bytes),
        "region": fp.image_region,
        "in_ram": fp.image_in_ram,
        "model_symbols": models,
    }

    ops_ext = result.extensions.get("ops") or {}
    arena_info = ops_ext.get("arena")
    arena = None
    reported = arena_reported(result.console)
    if arena_info or reported or arena_planned_bytes is not None or arena_estimate_bytes:
        arena = {
            "symbol": arena_info["symbol"] if arena_info else None,
            "address": arena_info["address"] if arena_info else None,
            "size_bytes": arena_info["size_bytes"] if arena_info else None,
            "high_water_bytes": ops_ext.get("arena_high_water_bytes"),
            "reported_bytes": reported[0] if reported else None,
            "reported_by": reported[1] if reported else None,
            "planned_bytes": arena_planned_bytes,
            "planned_by": arena_planned_by,
            "estimate_bytes": arena_estimate_bytes,
            "estimate_by": arena_estimate_by,
        }
    op_stacks = [o["stack_peak_bytes"] for o in ops_ext.get("ops", []) if o["stack_peak_bytes"]]
    static = fp.ram_static_bytes
    heap = result.heap_peak_bytes or 0
    stack = result.stack_peak_bytes
    ram_used = static + stack + heap
    if fp.image_in_ram:  # the image's code and read-only data occupy RAM too
        ram_used += flash_used
        notes.append(
            f"the image runs from RAM ({fp.image_region}): its {flash_used:,} B of code and "
            "read-only data count against RAM as well"
        )
    runner_arena = fw.symbol_sizes.get("mce_runner_arena")
    if runner_model_bytes is not None and runner_arena and arena_planned_bytes:
        # a firmware built for this model would size its arena to the plan, not the runner's
        ram_used -= runner_arena - arena_planned_bytes
        notes.append(
            f"the runner's arena is {runner_arena:,} B; RAM used counts the {arena_planned_bytes:,}"
            f" B the engine needs for this model instead"
        )
    ram = {
        "data_bytes": fp.data_bytes,
        "bss_bytes": fp.bss_bytes,
        "static_bytes": static,
        "reserved_bytes": fp.ram_reserved_bytes,
        "stack_peak_bytes": stack,
        "stack_peak_per_op_bytes": max(op_stacks) if op_stacks else None,
        "process_stacks": list(result.process_stacks),
        "heap_peak_bytes": result.heap_peak_bytes,
        "arena": arena,
        **_verdict(ram_used, target.ram_bytes),
    }
    return {
        "flash": flash,
        "ram": ram,
        "fits": flash["fits"] is not False and ram["fits"] is not False,
        "notes": notes,
        "sections": sections,
        "regions": _regions(fw, target, result, flash, ram),
    }


def _regions(fw: Firmware, target: Target, result: RunResult, flash: dict, ram: dict) -> list:
    """The target's memory regions with what lies in each: sections and measured peaks."""
    sp = fw.read(target.vector_table, 4)
    top = int.from_bytes(sp, "little") if sp else None
    out = []
    for r in target.memory:
        items = []
        for s in fw.sections:
            for addr, what in ((s.addr, "run"), (s.lma, "load")):
                if what == "load" and (s.nobits or s.lma == s.addr):
                    continue
                if r.contains(addr):
                    label = s.name if what == "run" else f"{s.name} (load image)"
                    items.append({"name": label, "address": addr, "size_bytes": s.size})
        for m in flash["model_symbols"]:
            if r.contains(m["address"]):
                items.append({"name": f"model: {m['name']}", **_span(m), "kind": "model"})
        arena = ram["arena"]
        if arena and arena["address"] is not None and r.contains(arena["address"]):
            items.append(
                {
                    "name": f"arena: {arena['symbol']}",
                    "address": arena["address"],
                    "size_bytes": arena["size_bytes"],
                    "kind": "arena",
                    "high_water_bytes": arena["high_water_bytes"],
                }
            )
        if top is not None and r.contains(top - 4) and result.stack_peak_bytes:
            peak = result.stack_peak_bytes
            items.append(
                {"name": "stack peak", "address": top - peak, "size_bytes": peak, "kind": "stack"}
            )
        heap_start = next((fw.symbols[s] for s in HEAP_START_SYMBOLS if s in fw.symbols), None)
        if result.heap_peak_bytes and heap_start is not None and r.contains(heap_start):
            items.append(
                {
                    "name": "heap peak",
                    "address": heap_start,
                    "size_bytes": result.heap_peak_bytes,
                    "kind": "heap",
                }
            )
        out.append(
            {
                "name": r.name,
                "kind": r.kind,
                "base": r.base,
                "size_bytes": r.size_bytes,
                "items": sorted(items, key=lambda i: i["address"]),
            }
        )
    return out


def _span(m: dict) -> dict:
    return {"address": m["address"], "size_bytes": m["size_bytes"]}


def embedded_model(fw):
    """The .tflite an application embeds (found by its bytes), parsed; None when there is
    none or it does not parse (the report then has no MACs)."""
    from mcusim.errors import McusimError
    from mcusim.tflite.model import parse_model

    data = embedded_model_bytes(fw)
    if data is None:
        return None
    try:
        return parse_model(data, f"{fw.path}:embedded model")
    except (McusimError, ValueError, IndexError, KeyError):
        return None
