"""A flash accelerator's control register as data: wait states, prefetch, caches (L3).

One register of a target's flash interface (STM32 FLASH_ACR, SAMD51 CMCC
CTRL, nRF52 NVMC.ICACHECNF, RP2040 XIP_CTRL.CTRL, EFM32 MSC_READCTRL, Apollo3 CACHECTRL) is
described in the target TOML by where its fields lie; what the firmware writes there changes
the region's timing from the next instruction block on, as it does on the chip. Before the
firmware writes it, it reads ``value`` with its fields set to the state the region's own keys
describe (the state after the usual start-up code, or what a board file changed there).

Fields (each ``{lsb, width}`` or ``{bit[, invert]}``): ``wait_states`` (optionally with
``values``, the wait states each encoding selects), ``prefetch``, ``icache``, ``dcache``;
``enable``, a master switch both caches need besides their own bit (Apollo3 CACHECFG.ENABLE);
``invalidate``, a bit that empties the caches when written 1 and reads 0 (Apollo3
CTRL.INVALIDATE, RP2040 FLUSH, SAMD51 MAINT0.INVALL); ``icache_reset`` / ``dcache_reset``,
level bits that keep their cache empty while set and that cache is off (STM32 FLASH_ACR
ICRST/DCRST: "can be written only when the cache is disabled"). ``fixed = {mask, value}``:
bits that read as ``value`` whatever is written (status bits such as Apollo3
CTRL.CACHE_READY: the model invalidates at once, so the cache is always ready).

The window's other offsets are registers as data (``registers``, ``reads``, ``default``, as
the ``registers`` model takes them), so a controller's status register can follow a bit of the
controlled one (SAMD51 CMCC SR.CSTS follows CTRL.CEN: the enable takes effect at once).
"""

from __future__ import annotations

from typing import Any

from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import System
from mcusim.machine.peripherals.simple import Registers

FIELDS = ("wait_states", "prefetch", "icache", "dcache")
ACTIONS = ("enable", "invalidate", "icache_reset", "dcache_reset")


def _field(where: str, key: str, spec: Any) -> tuple[int, int, bool, list | None]:
    """``{lsb, width[, values]}`` or ``{bit[, invert]}`` -> (lsb, width, inverted, values):
    ``values`` maps a field value to wait states where the encoding is not the count."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}.{key} must be a table: {{lsb, width}} or {{bit, invert}}")
    if "bit" in spec:
        lsb, width = spec["bit"], 1
    else:
        lsb, width = spec.get("lsb"), spec.get("width")
    ok = isinstance(lsb, int) and isinstance(width, int) and 0 <= lsb and lsb + width <= 32
    if not ok:
        raise ConfigError(f"{where}.{key} needs integer bit positions inside 32 bits")
    values = spec.get("values")
    if values is not None and not (
        isinstance(values, list) and all(isinstance(v, int) and v >= 0 for v in values)
    ):
        raise ConfigError(f"{where}.{key}.values must be an array of wait-state counts")
    return lsb, width, bool(spec.get("invert", False)), values


class FlashControl(Registers):
    """The register at ``offset``; its fields set the timing of memory region ``region``. The
    window's other registers are registers as data."""

    def __init__(
        self,
        name: str,
        base: int,
        size_bytes: int,
        *,
        system: System,
        where: str,
        region: str,
        value: int,
        offset: int = 0,
        pinned: bool = False,
        fixed: dict | None = None,
        registers: Any = (),
        reads: Any = (),
        default: int = 0,
        **fields: Any,
    ):
        super().__init__(
            name, base, size_bytes, where=where, reads=reads, registers=registers,
            default=default,
        )  # fmt: skip
        if not isinstance(offset, int) or not 0 <= offset <= size_bytes - 4:
            raise ConfigError(f"{where}.offset must be a register offset inside the peripheral")
        if offset & ~3 in self.described or offset & ~3 in self.consts:
            raise ConfigError(
                f"{where}: offset 0x{offset:x} is the controlled register; registers and reads "
                "describe the window's other registers"
            )
        unknown = set(fields) - set(FIELDS) - set(ACTIONS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        self.system, self.region, self.offset, self.pinned = system, region, offset, pinned
        self.fields = {k: _field(where, k, v) for k, v in fields.items()}
        fixed = fixed or {}
        if set(fixed) - {"mask", "value"} or not all(
            isinstance(fixed.get(k, 0), int) for k in ("mask", "value")
        ):
            raise ConfigError(f"{where}.fixed must be {{mask = <int>, value = <int>}}")
        self.fixed_mask = fixed.get("mask", 0) & 0xFFFFFFFF
        self.fixed_value = fixed.get("value", 0) & self.fixed_mask
        self.value = value
        r = system.memory_region(region)
        if r is None:
            raise ConfigError(f"{where}.region '{region}' is not a memory region of the target")
        start = {"wait_states": r.wait_states, "prefetch": r.prefetch}
        start |= {"icache": r.cache, "dcache": r.cache}
        for key, (lsb, width, inverted, values) in self.fields.items():
            if key in ACTIONS:
                continue
            v = start[key]
            if key == "wait_states" and values:
                if v not in values:
                    raise ConfigError(f"{where}.wait_states.values has no encoding for {v}")
                v = values.index(v)
            elif key != "wait_states":
                v = int(bool(v) != inverted)
            mask = ((1 << width) - 1) << lsb
            self.value = (self.value & ~mask) | ((v << lsb) & mask)
        self.value = (self.value & ~self.fixed_mask) | self.fixed_value

    def _bit(self, key: str, value: int) -> bool | None:
        """The state of one-bit field ``key`` in ``value``; None when it is not described."""
        if key not in self.fields:
            return None
        lsb, _, inverted, _ = self.fields[key]
        return bool((value >> lsb) & 1) != inverted

    def settings(self, value: int) -> dict[str, int | bool]:
        """The timing the register's value selects, by FlashTiming.configure's keywords."""
        out: dict[str, int | bool] = {}
        for key in FIELDS:
            if key in self.fields:
                lsb, width, inverted, values = self.fields[key]
                v = (value >> lsb) & ((1 << width) - 1)
                if key == "wait_states":
                    out[key] = values[v] if values and v < len(values) else v
                else:
                    out[{"prefetch": "prefetch"}.get(key, key + "_on")] = bool(v) != inverted
        if self._bit("enable", value) is False:  # the master switch gates both caches
            out["icache_on"] = out["dcache_on"] = False
        return out

    def _stored(self, offset: int) -> int:
        """A register's value for another register's ``follow``: the controlled one's too."""
        if offset == self.offset:
            return self.value
        return super()._stored(offset)

    def read(self, offset: int, size: int) -> int:
        shift = 8 * (offset - self.offset)
        if 0 <= shift < 32:
            return (self.value >> shift) & ((1 << (8 * size)) - 1)
        return super().read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        shift = 8 * (offset - self.offset)
        if not 0 <= shift < 32:
            super().write(offset, size, value)
            return
        mask = ((1 << (8 * size)) - 1) << shift
        self.value = (self.value & ~mask) | ((value << shift) & mask)
        settings = self.settings(self.value)
        if self._bit("invalidate", self.value):
            settings["invalidate_icache"] = settings["invalidate_dcache"] = True
            lsb = self.fields["invalidate"][0]
            self.value ^= 1 << lsb  # a pulse: reads back as not set
        for cache in ("icache", "dcache"):
            if self._bit(f"{cache}_reset", self.value) and not settings.get(f"{cache}_on", True):
                settings[f"invalidate_{cache}"] = True
        self.value = (self.value & ~self.fixed_mask) | self.fixed_value
        if not self.pinned:
            self.system.configure_flash(self.region, **settings)
