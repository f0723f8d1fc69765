"""CMSIS-SVD files: a chip's peripherals and registers by name (L1).

A vendor's SVD file lists every peripheral of a chip with its base address, its registers'
offsets, names, sizes and reset values and which fields are read-only. mcusim reads it with
the ``cmsis-svd`` package (``pip install 'mcusim[svd]'``) for two things:

* ``mcusim targets import-svd CHIP.svd``: a target TOML skeleton whose peripherals are
  registers as data (``model = "registers"``: reset values, read-only bits), so a firmware
  reads what the silicon would read after reset instead of 0, and the built-in target it
  ``extends`` keeps its memory map, clock, power and modelled peripherals;
* ``svd = "CHIP.svd"`` in a target file: accesses to registers nothing models are reported
  by their SVD names (``RCC.CR`` instead of ``0x40021000``).

An SVD file has no memory map (flash, RAM) and no timing: those stay in the target file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from mcusim.errors import ConfigError

# SVD <cpu><name> -> mcusim core (cost_models/cores/<core>.toml)
CORES = {
    "CM0PLUS": "cortex-m0plus",
    "CM0+": "cortex-m0plus",
    "CM3": "cortex-m3",
    "CM4": "cortex-m4",
}


@dataclass(frozen=True)
class SvdRegister:
    offset: int
    name: str
    size_bytes: int
    reset: int
    read_only: int  # mask of the bits of read-only fields


@dataclass(frozen=True)
class SvdPeripheral:
    name: str
    base: int
    size_bytes: int
    description: str
    registers: tuple[SvdRegister, ...]


@dataclass(frozen=True)
class SvdDevice:
    path: str
    name: str
    description: str
    core: str | None  # None: a CPU mcusim does not model (or none given)
    fpu: bool
    peripherals: tuple[SvdPeripheral, ...]

    def register_at(self, address: int) -> str | None:
        """``PERIPHERAL.REGISTER`` at ``address`` (``PERIPHERAL+0xOFF`` between registers);
        None outside every peripheral."""
        i = bisect.bisect_right(self.peripherals, address, key=lambda p: p.base) - 1
        if i < 0:
            return None
        p = self.peripherals[i]
        if address >= p.base + p.size_bytes:
            return None
        offset = address - p.base
        for r in p.registers:
            if r.offset <= offset < r.offset + r.size_bytes:
                return f"{p.name}.{r.name}" + (f"+{offset - r.offset}" if offset > r.offset else "")
        return f"{p.name}+0x{offset:x}"


_CACHE: dict[tuple[str, float], SvdDevice] = {}


def load_svd(path: str | Path) -> SvdDevice:
    """Parse ``path``; a file that is not CMSIS-SVD is a ConfigError naming it."""
    p = Path(path)
    try:
        key = (str(p.resolve()), p.stat().st_mtime)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the SVD file ({e.strerror})") from None
    if key in _CACHE:
        return _CACHE[key]
    try:
        from cmsis_svd.parser import SVDParser
    except ImportError:
        raise ConfigError(
            f"{path}: reading SVD files needs the cmsis-svd package: pip install 'mcusim[svd]'"
        ) from None
    try:
        device = SVDParser.for_xml_file(str(p)).get_device(xml_validation=False)
    except Exception as e:  # lxml and the parser raise many types on a bad file
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"{path}: not a readable CMSIS-SVD file: {first}") from None
    if device is None or not getattr(device, "peripherals", None):
        raise ConfigError(f"{path}: not a readable CMSIS-SVD file: no <peripherals>")
    out = _convert(str(p), device)
    _CACHE[key] = out
    return out


def _convert(path: str, device) -> SvdDevice:
    cpu = getattr(device, "cpu", None)
    cpu_name = getattr(getattr(cpu, "name", None), "value", None) or ""
    peripherals = []
    for per in device.peripherals:
        base = per.base_address
        if base is None or not per.name:
            continue
        regs = []
        for r in per.registers or []:
            if getattr(r, "address_offset", None) is None or not getattr(r, "name", None):
                continue  # a cluster or array the parser left unexpanded
            size = max(1, (r.size or device.size or 32) // 8)
            ro = 0
            for f in r.fields or []:
                access = getattr(f.access, "value", f.access) or getattr(r.access, "value", "")
                if access == "read-only" and f.bit_offset is not None and f.bit_width:
                    ro |= ((1 << f.bit_width) - 1) << f.bit_offset
            reset = (r.reset_value if r.reset_value is not None else device.reset_value) or 0
            regs.append(SvdRegister(r.address_offset, r.name, size, reset & 0xFFFFFFFF, ro))
        regs = _merge_alternates(regs)
        blocks = [(b.offset, b.size) for b in (per.address_blocks or []) if b.size]
        size = max([o + s for o, s in blocks] + [r.offset + r.size_bytes for r in regs] + [4])
        regs.sort(key=lambda r: r.offset)
        desc = " ".join((per.description or "").split())
        peripherals.append(SvdPeripheral(per.name, base, size, desc, tuple(regs)))
    peripherals.sort(key=lambda p: p.base)
    return SvdDevice(
        path=path,
        name=device.name or Path(path).stem,
        description=" ".join((device.description or "").split()),
        core=CORES.get(cpu_name.upper()),
        fpu=bool(getattr(cpu, "fpu_present", False)),
        peripherals=tuple(peripherals),
    )


def _merge_alternates(regs: list[SvdRegister]) -> list[SvdRegister]:
    """One register per offset: SVD alternates (TIMx CCMR1_Output / CCMR1_Input) share one
    address, so their names are joined and the first one's reset value kept."""
    by_offset: dict[int, SvdRegister] = {}
    for r in regs:
        first = by_offset.get(r.offset)
        if first is None:
            by_offset[r.offset] = r
        else:
            name = f"{first.name}/{r.name}"
            by_offset[r.offset] = SvdRegister(
                r.offset, name, first.size_bytes, first.reset, first.read_only
            )
    return list(by_offset.values())


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def target_toml(
    device: SvdDevice,
    *,
    name: str,
    extends: str | None = None,
    taken: list[tuple[int, int]] = (),
    memory: list[tuple[str, str, int, int]] = (),
    clock_hz: int | None = None,
) -> str:
    """A target TOML for ``device``: its peripherals as registers-as-data blocks.

    ``extends``: a target whose memory map, clock, power and peripherals are kept; SVD
    peripherals overlapping one of ``taken`` (that target's peripheral spans, ``(base,
    end)``) are left to it. Without ``extends``, ``memory`` gives the regions (name, kind,
    base, size) and ``clock_hz`` the clock, which an SVD file does not hold.
    """
    lines = [
        f"# Generated by mcusim targets import-svd from {Path(device.path).name}: peripherals",
        "# and registers (offsets, names, reset values, read-only bits) from the vendor's SVD.",
        "schema = 1",
        f"name = {_toml_str(name)}",
        f"description = {_toml_str(device.description or device.name)}",
        f"svd = {_toml_str(str(Path(device.path).resolve()))}",
    ]
    if extends:
        lines.insert(3, f"extends = {_toml_str(extends)}")
    else:
        if device.core is None:
            raise ConfigError(
                f"{device.path}: its CPU is not one mcusim models (cortex-m0plus, m3, m4): "
                "give --extends TARGET"
            )
        lines += [
            f'core = "{device.core}"',
            f"fpu = {'true' if device.fpu else 'false'}",
            f"clock_hz = {clock_hz}",
            f'source = "{Path(device.path).name}: core and FPU; memory and clock from the '
            'import-svd command line"',
        ]
        lines += [
            "",
            "[power]",
            "supply_voltage_v = 0.0",
            "active_current_ua_per_mhz = 0.0",
            "source = \"not known: an SVD file has no power figures. Put the datasheet's run "
            "current (µA/MHz) and its supply voltage here, citing the table; until then energy "
            'is reported as 0"',
        ]
        for region, kind, base, size in memory:
            access = "rx" if kind == "flash" else "rwx"
            lines += [
                "",
                "[[memory]]",
                f"name = {_toml_str(region)}",
                f'kind = "{kind}"',
                f"base = 0x{base:08X}",
                f"size_bytes = {size}",
                f'access = "{access}"',
                "wait_states = 0",
                'source = "import-svd command line"',
            ]
    kept = 0
    for p in device.peripherals:
        end = p.base + p.size_bytes
        if p.base >= 0xE0000000 or any(p.base < e and b < end for b, e in taken):
            continue  # the core's own registers, or a block the base target models
        kept += 1
        lines += [
            "",
            "[[peripheral]]",
            f"name = {_toml_str(p.name.lower())}",
            'model = "registers"',
            f"base = 0x{p.base:08X}",
            f"size_bytes = 0x{p.size_bytes:X}",
        ]
        regs = [
            "  { "
            + f"offset = 0x{r.offset:03X}, name = {_toml_str(r.name)}, reset = 0x{r.reset:08X}"
            + (f", read_only = 0x{r.read_only:08X}" if r.read_only else "")
            + " },"
            for r in p.registers
            if r.size_bytes == 4 and r.offset % 4 == 0
        ]
        if regs:
            lines += ["registers = [", *regs, "]"]
        what = f"{p.description}: " if p.description else ""
        lines.append(
            f"source = {_toml_str(f'{what}{Path(device.path).name}, peripheral {p.name}')}"
        )
    if not kept:
        raise ConfigError(f"{device.path}: no peripheral left to import")
    return "\n".join(lines) + "\n"
