"""Core instruction-timing tables: load and validate ``cost_models/cores/<core>.toml`` (L1).

A table maps instruction classes to cycle counts and base mnemonics to classes; every class
cites the Technical Reference Manual it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mcusim.config.resources import data_dir
from mcusim.config.tomlutil import Checker, read_toml
from mcusim.errors import ConfigError


@dataclass(frozen=True)
class ClassCost:
    """Cycles of one instruction class."""

    name: str
    cycles: int
    taken_cycles: int | None = None
    per_register_cycles: int = 0
    cycles_min: int | None = None
    cycles_max: int | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further keys of the class: ``register_offset_cycles``, ``double_cycles``,
    ``core_register_cycles``, ``mnemonic_cycles`` (a table keyed by capstone mnemonic)."""


@dataclass(frozen=True)
class CoreTiming:
    """A core's timing table and rule parameters."""

    name: str
    unicorn_model: str
    classes: dict[str, ClassCost]
    mnemonic_class: dict[str, str]
    rules: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def rule(self, key: str, default: Any) -> Any:
        return self.rules.get(key, default)


_CLASS_KEYS = ("cycles", "taken_cycles", "per_register_cycles", "cycles_min", "cycles_max")


@cache
def load_core(name: str) -> CoreTiming:
    """Load the timing table of ``name`` (e.g. ``"cortex-m4"``).

    Raises:
        ConfigError: missing or malformed table (file and key named).
    """
    path = data_dir("cost_models") / "cores" / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"{path}: no timing table for core '{name}'")
    return parse_core(path, read_toml(path))


def parse_core(path: Path, data: dict[str, Any]) -> CoreTiming:
    c = Checker(path, data)
    if c.get("schema", int) != 1:
        raise c.fail("schema", "must be 1")
    classes: dict[str, ClassCost] = {}
    table = c.get("classes", dict)
    for cname in table:
        k = c.sub("classes").sub(cname)
        cmin = k.get("cycles_min", int, None)
        cycles = k.get("cycles", int, cmin)
        if cycles is None:
            raise k.fail("cycles", "is missing")
        if cycles < 0:
            raise k.fail("cycles", "must be >= 0")
        classes[cname] = ClassCost(
            name=cname,
            cycles=cycles,
            taken_cycles=k.get("taken_cycles", int, None),
            per_register_cycles=k.get("per_register_cycles", int, 0),
            cycles_min=cmin,
            cycles_max=k.get("cycles_max", int, None),
            source=k.get("source", str, ""),
            extra={
                key: value
                for key, value in k.table.items()
                if key.endswith("_cycles") and key not in _CLASS_KEYS
            },
        )
    mnemonic_class: dict[str, str] = {}
    mn = c.get("mnemonics", dict)
    for cname, names in mn.items():
        if cname not in classes:
            raise c.fail(f"mnemonics.{cname}", "names a class that has no [classes] entry")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise c.fail(f"mnemonics.{cname}", "must be an array of strings")
        for n in names:
            if n in mnemonic_class:
                raise c.fail(
                    f"mnemonics.{cname}", f"lists '{n}', already in class '{mnemonic_class[n]}'"
                )
            mnemonic_class[n] = cname
    return CoreTiming(
        name=c.get("name", str),
        unicorn_model=c.get("unicorn_model", str),
        classes=classes,
        mnemonic_class=mnemonic_class,
        rules=dict(c.get("rules", dict, {})),
        path=str(path),
    )
