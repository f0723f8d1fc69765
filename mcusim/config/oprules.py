"""Op attribution rules: ``cost_models/ops/<engine>.toml`` -> :class:`OpRule` lists (L1).

A rule maps a function to an op type by its symbol name (``symbol`` globs), or by the DWARF
source file that defines it (``source_file`` globs) narrowed by ``function`` globs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from mcusim.config.resources import data_dir
from mcusim.config.tomlutil import Checker, read_toml
from mcusim.errors import ConfigError


@dataclass(frozen=True)
class OpRule:
    """One attribution rule of an engine's rule set."""

    engine: str
    op: str
    symbol: tuple[str, ...] = ()
    source_file: tuple[str, ...] = ()
    function: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def matches(self, name: str, source: str | None) -> bool:
        """True when the function ``name`` (defined in ``source``, or unknown) is this op."""
        if any(fnmatchcase(name, p) for p in self.exclude):
            return False
        if self.symbol and not any(fnmatchcase(name, p) for p in self.symbol):
            return False
        if self.source_file:
            if not source:
                return False
            path = "/" + source.replace("\\", "/").lstrip("/")
            if not any(fnmatchcase(path, p) for p in self.source_file):
                return False
        if self.function and not any(fnmatchcase(name, p) for p in self.function):
            return False
        return bool(self.symbol or self.source_file)


def ops_dir() -> Path:
    return data_dir("cost_models") / "ops"


def builtin_rule_sets() -> list[str]:
    """Names of the shipped rule sets (``mce``, ``tflm``, ``cmsis_nn``, ...)."""
    return sorted(p.stem for p in ops_dir().glob("*.toml"))


def load_rules(names: list[str] | None = None) -> list[OpRule]:
    """Rules of the named sets (built-in names or paths ending in ``.toml``), in order.

    With no names: every built-in set, our engine first, then TFLM, then CMSIS-NN (so a TFLM
    ``cmsis_nn/<op>.cc`` Eval is the outer op of the CMSIS-NN calls it makes).
    """
    if names is None:
        order = {"mce": 0, "tflm": 1, "cmsis_nn": 2}
        names = sorted(builtin_rule_sets(), key=lambda n: (order.get(n, 9), n))
    rules: list[OpRule] = []
    for name in names:
        path = Path(name) if name.endswith(".toml") else ops_dir() / f"{name}.toml"
        if not path.is_file():
            known = ", ".join(builtin_rule_sets())
            raise ConfigError(f"op rule set '{name}' not found (built-in: {known})")
        rules.extend(_parse(path))
    return rules


def _globs(c: Checker, key: str) -> tuple[str, ...]:
    value = c.get(key, (list, str), [])
    items = [value] if isinstance(value, str) else value
    if not all(isinstance(v, str) and v for v in items):
        raise c.fail(key, "must be a list of non-empty strings")
    return tuple(items)


def _parse(path: Path) -> list[OpRule]:
    c = Checker(path, read_toml(path))
    if c.get("schema", int) != 1:
        raise c.fail("schema", "must be 1")
    engine = c.get("engine", str)
    c.get("source", str)
    exclude = _globs(c, "exclude")
    rules = c.get("rule", list)
    out = []
    for i in range(len(rules)):
        r = c.sub("rule", i)
        rule = OpRule(
            engine=engine,
            op=r.get("op", str),
            symbol=_globs(r, "symbol"),
            source_file=_globs(r, "source_file"),
            function=_globs(r, "function"),
            exclude=exclude + _globs(r, "exclude"),
        )
        if not rule.symbol and not rule.source_file:
            raise r.fail("symbol", "or source_file is required")
        out.append(rule)
    return out
