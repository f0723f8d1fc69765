"""Target boards: load, merge (``extends``) and validate ``targets/*.toml`` (L1).

A value ending in ``.toml`` is a path to a user's file; anything else names a built-in target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcusim.config.clocktree import ClockTree, load_clock_tree
from mcusim.config.resources import data_dir
from mcusim.config.rom import resolve_images, rom_image, rom_symbols
from mcusim.config.tomlutil import Checker, read_toml
from mcusim.errors import ConfigError, InputError

KNOWN_CORES = ("cortex-m0plus", "cortex-m3", "cortex-m4")
MEMORY_KINDS = ("flash", "ram", "rom")


@dataclass(frozen=True)
class CacheGeometry:
    """A flash cache's shape (reference manual): ``lines`` lines of ``line_bytes`` bytes in
    sets of ``ways`` lines, replaced least-recently-used first. ``data``: data reads from the
    region go through it too (a unified cache)."""

    lines: int
    line_bytes: int
    ways: int
    data: bool = False

    @property
    def sets(self) -> int:
        return self.lines // self.ways


@dataclass(frozen=True)
class MemoryRegion:
    """One memory region of the target's map."""

    name: str
    kind: str
    base: int
    size_bytes: int
    access: str
    wait_states: int = 0
    fetch_width_bytes: int = 4
    prefetch: bool = False
    cache: bool = False
    icache: CacheGeometry | None = None  # instruction (or unified) cache, used when cache
    dcache: CacheGeometry | None = None  # a separate data cache, used when cache
    # a ROM's contents (``image``: a raw binary file, loaded at ``base`` before the firmware)
    image: bytes = field(default=b"", repr=False, compare=False)
    # names of the image's functions: (address, name), by address (``symbols``: name = offset)
    symbols: tuple[tuple[int, str], ...] = field(default=(), repr=False, compare=False)
    # sizes of the separate memory blocks (bus-matrix slaves) the region is made of, in order
    # (``bank_bytes``); empty: one block. Loads pipeline only within one block.
    banks: tuple[int, ...] = ()

    @property
    def end(self) -> int:
        return self.base + self.size_bytes

    def function_at(self, address: int) -> str | None:
        """The name of the image function holding ``address`` (the nearest symbol below)."""
        found = None
        for start, name in self.symbols:
            if start > address & ~1:
                break
            found = name
        return found if self.contains(address) else None

    def contains(self, address: int, size: int = 1) -> bool:
        return self.base <= address and address + size <= self.end

    @property
    def timed(self) -> bool:
        """Fetches and data reads go through the flash timing model (flash and ROM: their
        wait states, prefetch and caches; a controller register may change them at run time).
        RAM is zero wait state here."""
        return self.kind != "ram"

    @property
    def data_geometry(self) -> CacheGeometry | None:
        """The cache data reads go through when the caches are on (None: none)."""
        if self.dcache is not None:
            return self.dcache
        return self.icache if self.icache is not None and self.icache.data else None

    @property
    def unified(self) -> bool:
        """Instruction fetches and data reads share one cache."""
        return self.dcache is None and self.icache is not None and self.icache.data


@dataclass(frozen=True)
class PeripheralSpec:
    """A peripheral instance: the registry model name, where it sits, and its own keys."""

    name: str
    model: str
    base: int
    size_bytes: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PowerModel:
    """The simple active/sleep power model of a target (datasheet figures)."""

    supply_voltage_v: float
    active_current_ua_per_mhz: float
    sleep_current_ua: float = 0.0
    deep_sleep_current_ua: float = 0.0
    sleep_wake_up_us: float = 0.0  # time from the wake-up event to the first instruction
    deep_sleep_wake_up_us: float = 0.0
    source: str = ""
    # running from SRAM, where the datasheet gives a figure of its own (None: same as flash)
    active_current_ua_per_mhz_sram: float | None = None

    def active_power_mw(self, clock_hz: float, *, from_sram: bool = False) -> float:
        ua = self.active_current_ua_per_mhz
        if from_sram and self.active_current_ua_per_mhz_sram is not None:
            ua = self.active_current_ua_per_mhz_sram
        return self.supply_voltage_v * ua * clock_hz / 1e6 / 1000.0

    def sleep_power_mw(self) -> float:
        return self.supply_voltage_v * self.sleep_current_ua / 1000.0


@dataclass(frozen=True)
class Target:
    """A resolved board definition."""

    name: str
    description: str
    core: str
    fpu: bool
    clock_hz: int
    memory: tuple[MemoryRegion, ...]
    peripherals: tuple[PeripheralSpec, ...]
    power: PowerModel
    vector_table: int
    path: str
    clock_modes: tuple[str, ...] = ()
    clock_mode: str = ""
    svd: str | None = None  # a CMSIS-SVD file naming the chip's registers (config/svd.py)
    clock_tree: ClockTree | None = None  # the clock the firmware configures (config/clocktree)
    bit_band: bool = False  # the Armv7-M bit-band aliases of SRAM and peripherals (machine/mmio)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def region_at(self, address: int, size: int = 1) -> MemoryRegion | None:
        for region in self.memory:
            if region.contains(address, size):
                return region
        return None

    def memory_blocks(self) -> tuple[tuple[int, int], ...]:
        """(start, end) of every memory block: each region, or each of its banks. Two accesses
        in different blocks do not pipeline (cost_models/README.md, load pipelining)."""
        out: list[tuple[int, int]] = []
        for r in self.memory:
            starts = [r.base + sum(r.banks[:i]) for i in range(len(r.banks))] or [r.base]
            out += zip(starts, [*starts[1:], r.end], strict=True)
        return tuple(out)

    @property
    def flash_bytes(self) -> int:
        """Room for the firmware's code: flash and ROM regions, less a boot ROM (an ``image``
        the target loads, which the firmware only calls into)."""
        return sum(r.size_bytes for r in self.memory if r.kind in ("flash", "rom") and not r.image)

    @property
    def ram_bytes(self) -> int:
        return sum(r.size_bytes for r in self.memory if r.kind == "ram")


def targets_dir() -> Path:
    return data_dir("targets")


def list_targets() -> list[str]:
    """Names of the built-in targets, sorted."""
    return sorted(p.stem for p in targets_dir().glob("*.toml"))


def target_path(name: str | Path) -> Path:
    """Resolve a ``--target`` value to a file (a ``.toml`` value, or a Path, is a path)."""
    name = str(name)
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise InputError(f"{name}: target file not found")
        return path
    path = targets_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(list_targets())
        raise InputError(
            f"unknown target '{name}' (built-in targets: {known}; or pass a path ending in .toml)"
        )
    return path


def load_target(
    name: str | Path, *, clock_hz: float | None = None, clock_mode: str | None = None
) -> Target:
    """Load, merge and validate a target.

    Args:
        name: built-in target name, or a path ending in ``.toml``.
        clock_hz: override of the core clock.
        clock_mode: a named ``[clock_modes.X]`` table applied over the base values.

    Raises:
        InputError: unknown target or missing file.
        ConfigError: malformed file; the message names the file and key.
    """
    path = target_path(name)
    data = _load_merged(path, ())
    return _build(path, data, clock_hz=clock_hz, clock_mode=clock_mode)


def _load_merged(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        loop = " -> ".join(p.name for p in (*chain, resolved))
        raise ConfigError(f"{path}: extends loop: {loop}")
    data = read_toml(path)
    resolve_images(path, data, targets_dir())
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"{path}: extends must be a string")
    if parent.endswith(".toml"):
        parent_path = path.parent / parent
        if not parent_path.is_file():
            raise ConfigError(f"{path}: extends: file '{parent}' not found")
    else:
        parent_path = targets_dir() / f"{parent}.toml"
        if not parent_path.is_file():
            raise ConfigError(f"{path}: extends: unknown target '{parent}'")
    base = _load_merged(parent_path, (*chain, resolved))
    if "clock_hz" in data and "clock_tree" not in data:
        base.pop("clock_tree", None)  # a board's own clock pins it, as --clock-hz does
    return _merge(base, {k: v for k, v in data.items() if k != "extends"})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays of named tables merge by ``name``; the rest replaces."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value)
        elif (
            isinstance(old, list)
            and isinstance(value, list)
            and all(isinstance(x, dict) and "name" in x for x in old + value)
        ):
            merged = {x["name"]: x for x in old}
            for x in value:
                merged[x["name"]] = _merge(merged[x["name"]], x) if x["name"] in merged else x
            out[key] = list(merged.values())
        else:
            out[key] = value
    return out


def _build(
    path: Path, data: dict[str, Any], *, clock_hz: float | None, clock_mode: str | None
) -> Target:
    c = Checker(path, data)
    schema = c.get("schema", int)
    if schema != 1:
        raise c.fail("schema", f"is {schema}; this mcusim reads schema 1")
    modes = c.get("clock_modes", dict, {})
    power_table = dict(c.get("power", dict, {}))
    clock = c.positive_int("clock_hz")
    if clock_mode:
        if clock_mode not in modes:
            known = ", ".join(modes) or "none"
            raise InputError(f"{path}: no clock mode '{clock_mode}' (modes: {known})")
        mode = Checker(path, modes[clock_mode], f"clock_modes.{clock_mode}")
        clock = mode.positive_int("clock_hz", clock)
        for key, value in mode.table.items():
            if key in (
                "supply_voltage_v",
                "active_current_ua_per_mhz",
                "active_current_ua_per_mhz_sram",
                "sleep_current_ua",
                "deep_sleep_current_ua",
                "sleep_wake_up_us",
                "deep_sleep_wake_up_us",
            ):
                power_table[key] = value
    if clock_hz is not None:
        if not clock_hz > 0:
            raise InputError(f"--clock-hz must be > 0 (got {clock_hz:g})")
        clock = int(clock_hz)
    core = c.get("core", str)
    if core not in KNOWN_CORES:
        raise c.fail("core", f"'{core}' is not a known core ({', '.join(KNOWN_CORES)})")
    _nvic(c, core)
    memory = _memory(c)
    first_exec = next((r for r in memory if "x" in r.access), None)
    if first_exec is None:
        raise ConfigError(f"{path}: memory needs at least one region with 'x' access")
    vector_table = c.get("vector_table", int, first_exec.base)
    bit_band = c.get("bit_band", bool, False)
    if bit_band and core not in ("cortex-m3", "cortex-m4"):
        raise c.fail("bit_band", f"is an Armv7-M feature; {core} has no bit-band regions")
    peripherals = _peripherals(c, memory)
    pc = Checker(path, power_table, "power")
    power = PowerModel(
        supply_voltage_v=float(pc.number("supply_voltage_v", minimum=0)),
        active_current_ua_per_mhz=float(pc.number("active_current_ua_per_mhz", minimum=0)),
        sleep_current_ua=float(pc.number("sleep_current_ua", 0.0, minimum=0)),
        deep_sleep_current_ua=float(pc.number("deep_sleep_current_ua", 0.0, minimum=0)),
        sleep_wake_up_us=float(pc.number("sleep_wake_up_us", 0.0, minimum=0)),
        deep_sleep_wake_up_us=float(pc.number("deep_sleep_wake_up_us", 0.0, minimum=0)),
        active_current_ua_per_mhz_sram=(
            None
            if pc.number("active_current_ua_per_mhz_sram", None, minimum=0) is None
            else float(pc.number("active_current_ua_per_mhz_sram", minimum=0))
        ),
        source=str(pc.get("source", str, "")),
    )
    return Target(
        name=c.get("name", str),
        description=c.get("description", str, ""),
        core=core,
        fpu=c.get("fpu", bool, False),
        bit_band=bit_band,
        clock_hz=clock,
        memory=memory,
        peripherals=peripherals,
        power=power,
        vector_table=vector_table,
        path=str(path),
        clock_modes=tuple(modes),
        clock_mode=clock_mode or "",
        svd=_svd_path(c, path),
        # an explicit clock (--clock-hz) pins the core clock: the firmware's clock writes then
        # change nothing, as on a board whose clock is fixed; so does a named clock mode
        clock_tree=None
        if clock_hz is not None or clock_mode
        else _clock_tree(data, path, peripherals, memory),
        raw=data,
    )


def _clock_tree(data: dict, path: Path, peripherals, memory) -> ClockTree | None:
    if "clock_tree" not in data:
        return None
    tree = load_clock_tree(data["clock_tree"], str(path))
    for name in tree.peripherals:
        p = next((p for p in peripherals if p.name == name), None)
        if p is None or p.model != "registers":
            raise ConfigError(
                f"{path}: clock_tree.peripheral '{name}' is not a registers peripheral "
                "of the target"
            )
    if tree.flash_region and not any(r.name == tree.flash_region for r in memory):
        raise ConfigError(f"{path}: clock_tree.flash_region '{tree.flash_region}' is not a region")
    return tree


def _svd_path(c: Checker, path: Path) -> str | None:
    """``svd``: a CMSIS-SVD file, relative to the target file (read only when a report needs
    a register's name, so a missing file is said then, not here)."""
    svd = c.get("svd", str, "")
    return str((path.parent / svd).resolve()) if svd else None


def _nvic(c: Checker, core: str) -> None:
    """NVIC size keys the simulator reads: Armv7-M has at most 496 external interrupts and
    3-8 priority bits (DDI 0403E B3.4.1); Armv6-M at most 32 and 2 bits (DDI 0419E B3.4)."""
    v6 = core == "cortex-m0plus"
    irqs = c.get("nvic_irqs", int, None)
    if irqs is not None and not 0 <= irqs <= (32 if v6 else 496):
        raise c.fail("nvic_irqs", f"must be 0..{32 if v6 else 496} for {core}")
    bits = c.get("nvic_priority_bits", int, None)
    if bits is not None and not (2 if v6 else 3) <= bits <= (2 if v6 else 8):
        raise c.fail("nvic_priority_bits", f"must be {'2' if v6 else '3..8'} for {core}")


def _memory(c: Checker) -> tuple[MemoryRegion, ...]:
    entries = c.get("memory", list)
    if not entries:
        raise c.fail("memory", "must list at least one region")
    regions = []
    for i in range(len(entries)):
        m = c.sub("memory", i)
        access = m.get("access", str)
        if not access or set(access) - set("rwx"):
            raise m.fail("access", f"'{access}' must be letters from 'rwx'")
        kind = m.get("kind", str)
        if kind not in MEMORY_KINDS:
            raise m.fail("kind", f"'{kind}' must be one of {', '.join(MEMORY_KINDS)}")
        base = m.get("base", int)
        size = m.positive_int("size_bytes")
        if base < 0 or base + size > 1 << 32:
            raise m.fail("base", f"0x{base:x} + size_bytes is outside the 32-bit address space")
        if base % 1024 or size % 1024:
            raise m.fail("base", "and size_bytes must be multiples of 1 KiB")
        regions.append(
            MemoryRegion(
                name=m.get("name", str),
                kind=kind,
                base=base,
                size_bytes=size,
                access=access,
                wait_states=m.get("wait_states", int, 0),
                fetch_width_bytes=m.positive_int("fetch_width_bytes", 4),
                prefetch=m.get("prefetch", bool, False),
                cache=m.get("cache", bool, False),
                icache=_cache(m, "icache"),
                dcache=_cache(m, "dcache"),
                image=rom_image(m, kind, size),
                symbols=rom_symbols(m, base, size),
                banks=_banks(m, size),
            )
        )
        if regions[-1].wait_states < 0:
            raise m.fail("wait_states", "must be >= 0")
        width = regions[-1].fetch_width_bytes
        if width & (width - 1):
            raise m.fail("fetch_width_bytes", "must be a power of two")
        if regions[-1].cache and regions[-1].icache is None:
            raise m.fail(
                "cache",
                "= true needs the cache's shape: a [memory.icache] table with lines, line_bytes "
                "and ways (and data = true when data reads share it)",
            )
    _check_overlaps(c, "memory", [(r.name, r.base, r.end) for r in regions])
    return tuple(regions)


def _banks(m: Checker, size: int) -> tuple[int, ...]:
    """A region's ``bank_bytes``: positive sizes that add up to its size_bytes."""
    banks = m.get("bank_bytes", list, [])
    if any(type(b) is not int or b <= 0 for b in banks) or (banks and sum(banks) != size):
        raise m.fail("bank_bytes", f"must be positive sizes that add up to size_bytes ({size})")
    return tuple(banks)


def _cache(m: Checker, key: str) -> CacheGeometry | None:
    """A region's ``[memory.icache]`` / ``[memory.dcache]`` table, validated."""
    if key not in m.table:
        return None
    t = m.sub(key)
    if not isinstance(t.table, dict):
        raise m.fail(key, "must be a table with lines, line_bytes and ways")
    g = CacheGeometry(
        lines=t.positive_int("lines"),
        line_bytes=t.positive_int("line_bytes"),
        ways=t.positive_int("ways"),
        data=t.get("data", bool, False),
    )
    if g.line_bytes & (g.line_bytes - 1):
        raise t.fail("line_bytes", "must be a power of two")
    if g.lines % g.ways or g.ways > 128:
        raise t.fail("ways", "must divide lines and be at most 128")
    return g


def _peripherals(c: Checker, memory: tuple[MemoryRegion, ...]) -> tuple[PeripheralSpec, ...]:
    out = []
    for i in range(len(c.get("peripheral", list, []))):
        p = c.sub("peripheral", i)
        base = p.get("base", int)
        size = p.positive_int("size_bytes", 0x1000)
        if base < 0 or base + size > 1 << 32:
            raise p.fail("base", "is outside the 32-bit address space")
        params = {
            k: v for k, v in p.table.items() if k not in ("name", "model", "base", "size_bytes")
        }
        out.append(
            PeripheralSpec(
                name=p.get("name", str),
                model=p.get("model", str),
                base=base,
                size_bytes=size,
                params=params,
            )
        )
    spans = [(r.name, r.base, r.end) for r in memory] + [
        (s.name, s.base, s.base + s.size_bytes) for s in out
    ]
    _check_overlaps(c, "peripheral", spans)
    return tuple(out)


def _check_overlaps(c: Checker, key: str, spans: list[tuple[str, int, int]]) -> None:
    ordered = sorted(spans, key=lambda s: s[1])
    for (a, _, a_end), (b, b_base, _) in zip(ordered, ordered[1:], strict=False):
        if b_base < a_end:
            raise c.fail(key, f"regions '{a}' and '{b}' overlap")
