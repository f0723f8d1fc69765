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
        help="list the built-in targets, show one resolved, or import a CMSIS-SVD file",
        description="List built-in targets; 'targets show NAME' prints one "
        "resolved (after 'extends' and clock modes); 'targets import-svd CHIP.svd' writes a "
        "target TOML whose peripherals are the SVD's registers (names, reset values, read-only "
        "bits) and which names unmodelled registers in reports (needs the cmsis-svd package: "
        "pip install 'mcusim[svd]').",
    )
    tg.add_argument("action", nargs="?", choices=("list", "show", "import-svd"), default="list")
    tg.add_argument(
        "name", nargs="?", help="target name or TOML file (show); the .svd file (import-svd)"
    )
    tg.add_argument("--clock-mode", metavar="NAME")
    tg.add_argument("--json", action="store_true", help="print as JSON")
    svd = tg.add_argument_group("import-svd")
    svd.add_argument(
        "--extends",
        metavar="TARGET",
        help="keep this target's memory map, clock, power and modelled peripherals; SVD blocks "
        "overlapping its peripherals are left to it",
    )
    svd.add_argument("--out", "-o", metavar="FILE.toml", help="write here (default: stdout)")
    svd.add_argument("--target-name", metavar="NAME", help="the new target's name")
    svd.add_argument(
        "--flash",
        metavar="BASE:SIZE",
        help="without --extends: the flash region, e.g. 0x08000000:1M (an SVD has no memory map)",
    )
    svd.add_argument("--ram", metavar="BASE:SIZE", help="without --extends: the RAM region")
    svd.add_argument("--clock-hz", metavar="HZ", help="without --extends: the core clock")
    tg.set_defaults(func=cmd_targets)


def _region(option: str, text: str | None) -> tuple[int, int]:
    """``BASE:SIZE`` (SIZE with an optional K or M) -> (base, bytes)."""
    try:
        base, size = (text or "").split(":")
        mult = {"K": 1024, "M": 1024 * 1024}.get(size[-1:].upper(), 1)
        n = int(size[:-1] if mult > 1 else size, 0) * mult
        b = int(base, 0)
    except ValueError:
        raise InputError(f"{option} must be BASE:SIZE, e.g. 0x08000000:1M (got {text!r})") from None
    if n <= 0 or b < 0 or b + n > 1 << 32:
        raise InputError(f"{option} {text}: the region must lie inside the 32-bit address space")
    return b, n


def cmd_import_svd(a: argparse.Namespace) -> int:
    from pathlib import Path

    from mcusim.cli.options import number_option
    from mcusim.config import load_target
    from mcusim.config.svd import load_svd, target_toml

    if not a.name:
        raise InputError("targets import-svd: give the .svd file")
    device = load_svd(a.name)
    name = a.target_name or f"{device.name.lower()}-svd"
    if a.extends:
        base = load_target(a.extends)
        taken = [(p.base, p.base + p.size_bytes) for p in base.peripherals]
        text = target_toml(device, name=name, extends=a.extends, taken=taken)
    else:
        if not (a.flash and a.ram and a.clock_hz):
            raise InputError(
                "targets import-svd: an SVD file has no memory map or clock: give --extends "
                "TARGET, or --flash BASE:SIZE, --ram BASE:SIZE and --clock-hz HZ"
            )
        memory = [("flash", "flash", *_region("--flash", a.flash))]
        memory.append(("ram", "ram", *_region("--ram", a.ram)))
        clock = int(number_option("--clock-hz", a.clock_hz))
        text = target_toml(device, name=name, memory=memory, clock_hz=clock)
    if a.out:
        Path(a.out).write_text(text)
        n = text.count("[[peripheral]]")
        print(f"mcusim: wrote {a.out}: target '{name}', {n} peripheral blocks from {a.name}")
    else:
        print(text, end="")
    return 0


def cmd_targets(a: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from mcusim.config import list_targets, load_target

    if a.action == "import-svd":
        return cmd_import_svd(a)
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
