"""``mcusim targets``: list the built-in targets or show one resolved (L6)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import TYPE_CHECKING

from mcusim.errors import InputError

if TYPE_CHECKING:
    from mcusim.config.target import MemoryRegion


def _caches(r: MemoryRegion) -> list[str]:
    """A region's caches in words: lines x bytes, ways (targets show)."""

    def shape(g) -> str:
        assoc = "fully assoc." if g.ways == g.lines else f"{g.ways}-way"
        return f"{g.lines} x {g.line_bytes} B, {assoc}"

    if not r.cache or r.icache is None:
        return []
    if r.dcache is not None:
        return [f"I-cache {shape(r.icache)}", f"D-cache {shape(r.dcache)}"]
    kind = "cache (code + data)" if r.icache.data else "I-cache"
    return [f"{kind} {shape(r.icache)}"]


def register(sub: argparse._SubParsersAction) -> None:
    tg = sub.add_parser(
        "targets",
        help="list the built-in targets, or show one resolved",
        description="List built-in targets; 'targets show NAME' prints one "
        "resolved (after 'extends' and clock modes).",
    )
    tg.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    tg.add_argument("name", nargs="?", help="target name or TOML file (for 'show')")
    tg.add_argument("--clock-mode", metavar="NAME")
    tg.add_argument("--json", action="store_true", help="print as JSON")
    tg.set_defaults(func=cmd_targets)


def cmd_targets(a: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from mcusim.config import list_targets, load_target

    console = Console()
    if a.action == "show":
        if not a.name:
            raise InputError("targets show: give a target name or a .toml file")
        t = load_target(a.name, clock_mode=a.clock_mode)
        if a.json:
            d = dataclasses.asdict(t)
            d.pop("raw")
            print(json.dumps(d, indent=2))
            return 0
        console.print(f"[bold]{t.name}[/]: {t.description}")
        console.print(f"  file: {t.path}")
        console.print(
            f"  core: {t.core}{' with FPU' if t.fpu else ''}, clock "
            f"{t.clock_hz / 1e6:g} MHz"
            + (f" (modes: {', '.join(t.clock_modes)})" if t.clock_modes else "")
        )
        console.print(f"  vector table: 0x{t.vector_table:08x}")
        mt = Table(
            "memory", "kind", "base", "size", "access", "wait states", "fetch", title_justify="left"
        )
        for r in t.memory:
            fetch = ", ".join((["prefetch"] if r.prefetch else []) + _caches(r))
            mt.add_row(
                r.name,
                r.kind,
                f"0x{r.base:08x}",
                f"{r.size_bytes:,} B",
                r.access,
                str(r.wait_states),
                fetch or "-",
            )
        console.print(mt)
        pt = Table("peripheral", "model", "base", "size", title_justify="left")
        for s in t.peripherals:
            pt.add_row(s.name, s.model, f"0x{s.base:08x}", f"{s.size_bytes:#x}")
        console.print(pt)
        pw = t.power
        console.print(
            f"  power: {pw.supply_voltage_v:g} V, {pw.active_current_ua_per_mhz:g} "
            f"µA/MHz active -> {pw.active_power_mw(t.clock_hz):.3f} mW at "
            f"{t.clock_hz / 1e6:g} MHz; sleep {pw.sleep_current_ua:g} µA"
        )
        return 0
    table = Table("target", "core", "clock (MHz)", "flash", "RAM", "description")
    for name in list_targets():
        t = load_target(name)
        table.add_row(
            name,
            t.core + ("f" if t.fpu else ""),
            f"{t.clock_hz / 1e6:g}",
            f"{t.flash_bytes // 1024:,} KiB",
            f"{t.ram_bytes // 1024:,} KiB",
            t.description,
        )
    console.print(table)
    return 0
