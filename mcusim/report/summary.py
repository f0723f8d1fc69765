"""Human and machine reports of a run: rich tables and JSON (L6).

rich is imported by the functions that draw tables, so ``to_json`` and ``exit_line`` (all that
``mcusim run -q`` and ``--format json`` need) stay cheap to import.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mcusim.result import RunResult
from mcusim.units import fmt_bytes

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

TOP_FUNCTIONS = 10


def to_json(result: RunResult, extra: dict[str, Any] | None = None) -> str:
    d = result.to_dict()
    if extra:
        d.update(extra)
    return json.dumps(d, indent=2, sort_keys=False)


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "-"


def _stall_text(m: dict[str, Any], cycles: int) -> str:
    """One region's stall line: cycles lost to its wait states and its caches' hit rates."""
    fetch, data = m["fetch_stall_cycles"], m["data_stall_cycles"]
    text = (
        f"{fetch + data:,} cycles ({_pct(fetch + data, cycles)} of cycles; "
        f"{m['wait_states']} WS at the end of the run): fetch {fetch:,}, data {data:,}"
    )
    for name, c in (("I-cache" if m["dcache"] or not m["unified_cache"] else "cache", m["icache"]),
                    ("D-cache", m["dcache"])):  # fmt: skip
        if c is not None:
            rate = "-" if c["hit_rate"] is None else f"{100 * c['hit_rate']:.2f} %"
            text += f"; {name} hits {rate} ({c['misses']:,} misses)"
    return text


def add_rows(table: Table, items: list, row, limit: int, what: str) -> None:
    """The first ``limit`` items as rows (``row(item)`` gives the cells), then one row saying
    how many were left out, so a table is never cut silently."""
    for item in items[:limit]:
        table.add_row(*row(item))
    if len(items) > limit:
        cells = [f"... {len(items) - limit:,} more {what} (see --json)"]
        table.add_row(*cells, *[""] * (len(table.columns) - 1))


def exit_line(r: RunResult) -> str:
    return f"mcusim: {r.message or r.exit_reason} (exit code {r.exit_code})"


def quantity_table(title: str) -> Table:
    """A headerless two-column table of labelled values, as every mcusim summary prints."""
    from rich.table import Table

    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column("quantity", style="bold")
    t.add_column("value")
    return t


def process_stack_text(ps: dict) -> str:
    return f"{ps['peak_bytes']:,} B of {ps['size_bytes']:,} B at 0x{ps['address']:08x}"


def print_report(r: RunResult, console: Console) -> None:
    """The full summary: run, time and energy, memory, top functions, and any problems."""
    from rich.table import Table

    mhz = r.clock_hz / 1e6
    t = quantity_table(f"mcusim: {r.firmware} on {r.target} ({r.core} @ {mhz:g} MHz)")
    t.add_row("exit", f"{r.exit_reason}, code {r.exit_code}: {r.message}")
    t.add_row("instructions", f"{r.instructions:,}")
    t.add_row("cycles", f"{r.cycles:,} ({r.active_cycles:,} active, {r.sleep_cycles:,} asleep)")
    t.add_row("CPI (active cycles / instruction)", f"{r.cpi:.3f}")
    if r.clock_history:  # the firmware changed its clock: time and energy follow each one
        steps = ", then ".join(
            f"{hz / 1e6:g} MHz" + (f" from cycle {cycle:,}" if cycle else "")
            for cycle, hz in r.clock_history
        )
        t.add_row("core clock (set by the firmware)", steps)
        t.add_row("time", f"{r.time_s * 1e3:.4f} ms")
    else:
        t.add_row(f"time at {mhz:g} MHz", f"{r.time_s * 1e3:.4f} ms")
    if r.first_output_cycle is not None:
        t.add_row(
            "start-up (reset to first output)",
            f"{r.first_output_cycle:,} cycles, {r.first_output_ms:.4f} ms",
        )
    t.add_row("energy", f"{r.energy_uj:.3f} µJ")
    t.add_row("average power", f"{r.avg_power_mw:.3f} mW")
    f = r.footprint
    where = f" ({f.image_region})" if f.image_region else ""
    t.add_row(
        f"image in RAM{where}" if f.image_in_ram else "flash used",
        f"{fmt_bytes(f.flash_used_bytes)} of {fmt_bytes(f.flash_size_bytes)} "
        f"({_pct(f.flash_used_bytes, f.flash_size_bytes)}): .text {f.text_bytes:,} B, "
        f".rodata {f.rodata_bytes:,} B, .data load image {f.data_image_bytes:,} B",
    )
    t.add_row(
        "static RAM",
        f"{fmt_bytes(f.ram_static_bytes)} of {fmt_bytes(f.ram_size_bytes)} "
        f"({_pct(f.ram_static_bytes, f.ram_size_bytes)}): .data {f.data_bytes:,} B, "
        f".bss {f.bss_bytes:,} B"
        + (
            f" (+ {f.ram_reserved_bytes:,} B reserved for stack/heap)"
            if f.ram_reserved_bytes
            else ""
        ),
    )
    t.add_row(
        "stack peak",
        f"{fmt_bytes(r.stack_peak_bytes)} (of {fmt_bytes(r.stack_size_bytes)} free for the stack)",
    )
    for ps in r.process_stacks:
        t.add_row(f"thread stack {ps['symbol']} (PSP)", process_stack_text(ps))
    if r.heap_peak_bytes is not None:
        t.add_row("heap peak (_sbrk)", fmt_bytes(r.heap_peak_bytes))
    roi = r.extensions.get("roi")
    if roi:
        label = f"region {roi['start']} -> {roi['stop']}"
        if "error" in roi:
            t.add_row(label, f"not measured: {roi['error']}")
        else:
            cpi = roi["cycles"] / roi["instructions"] if roi["instructions"] else 0.0
            t.add_row(
                label,
                f"{roi['cycles']:,} cycles, {roi['instructions']:,} instructions "
                f"(CPI {cpi:.3f}), {roi['cycles'] / r.clock_hz * 1e3:.4f} ms",
            )
    for m in r.memory_stalls:
        t.add_row(f"{m['region']} wait-state stalls", _stall_text(m, r.cycles))
    if r.exceptions_taken:
        t.add_row(
            "exceptions taken", ", ".join(f"{k} ×{v:,}" for k, v in r.exceptions_taken.items())
        )
    t.add_row("host time", f"{r.host_seconds:.3f} s ({r.mips:.2f} guest MIPS)")
    console.print(t)
    if r.top_functions:
        ft = Table(title="top functions by cycles", title_justify="left")
        ft.add_column("function")
        ft.add_column("cycles", justify="right")
        ft.add_column("% of cycles", justify="right")
        ft.add_column("instructions", justify="right")
        add_rows(
            ft,
            list(r.top_functions),
            lambda fn: (
                fn.name,
                f"{fn.cycles:,}",
                _pct(fn.cycles, r.cycles),
                f"{fn.instructions:,}",
            ),
            TOP_FUNCTIONS,
            "functions",
        )
        console.print(ft)
    if r.unknown_mmio:
        mt = Table(
            title="unmodelled MMIO accesses (reads returned 0, writes ignored)",
            title_justify="left",
        )
        named = any(m.register for m in r.unknown_mmio)  # the target has an SVD file
        for col in ("address", *(["register (SVD)"] if named else []), "access", "count"):
            mt.add_column(col)
        mt.add_column("first PC")
        add_rows(
            mt,
            list(r.unknown_mmio),
            lambda m: (
                f"0x{m.address:08x}",
                *([m.register] if named else []),
                m.access,
                f"{m.count:,}",
                f"0x{m.pc:08x} {m.pc_symbol}",
            ),
            20,
            "addresses",
        )
        console.print(mt)
    if r.unknown_mnemonics:
        names = ", ".join(f"{k} ×{v}" for k, v in sorted(r.unknown_mnemonics.items()))
        console.print(
            f"[yellow]instructions missing from the {r.core} timing table "
            f"(charged 1 cycle each time): {names}[/]"
        )
    for warning in r.warnings:
        console.print(f"[yellow]warning: {warning}[/]")
    for refused in r.semihosting_refused:
        console.print(f"[yellow]semihosting refused: {refused}[/]")
    if r.fault:
        print_fault(r, console)
    for failure in r.budget_failures:
        console.print(f"[red]budget exceeded: {failure}[/]")


def print_fault(r: RunResult, console: Console) -> None:
    fl = r.fault
    assert fl is not None
    console.print(f"[bold red]{fl.kind}[/]: {fl.cause}")
    console.print(f"  {fl.detail}")
    console.print(f"  PC 0x{fl.pc:08x} {fl.pc_symbol}    LR 0x{fl.lr:08x} {fl.lr_symbol}")
    regs = fl.registers
    names = [f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "xpsr", "msp", "psp", "control"]
    line = []
    for i, n in enumerate(names):
        line.append(f"{n:>7} 0x{regs.get(n, 0):08x}")
        if i % 4 == 3:
            console.print("  " + "  ".join(line))
            line = []
    if line:
        console.print("  " + "  ".join(line))
    frame = "  ".join(f"{k} 0x{v:08x}" for k, v in fl.stacked_frame.items())
    console.print(f"  stacked frame: {frame}")
