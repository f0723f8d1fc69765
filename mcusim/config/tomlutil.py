"""Small helpers to read TOML files and check their keys with file-and-key messages (L1)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from mcusim.errors import ConfigError


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; any problem becomes a one-line :class:`ConfigError`."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot be read: {e}") from None


class Checker:
    """Typed access to a TOML table that names the file and key in every error."""

    def __init__(self, path: Path | str, table: Any, where: str = ""):
        self.path = path
        self.where = where
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where or 'file'} must be a table")
        self.table = table

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self._key(key)} {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "is missing")
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"must be {_names(kinds)}, not a boolean")
        if not isinstance(value, kinds):
            raise self.fail(key, f"must be {_names(kinds)}, not {type(value).__name__}")
        return value

    def number(self, key: str, default: Any = ..., *, minimum: float | None = None) -> Any:
        value = self.get(key, (int, float), default)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"must be a finite number, not {value}")
        if value is not None and value is not default and minimum is not None and value < minimum:
            raise self.fail(key, f"must be >= {minimum:g}")
        return value

    def positive_int(self, key: str, default: Any = ...) -> Any:
        value = self.get(key, int, default)
        if value is not default and value <= 0:
            raise self.fail(key, "must be > 0")
        return value

    def sub(self, key: str, index: int | None = None) -> Checker:
        value = self.table[key] if index is None else self.table[key][index]
        where = self._key(key) + (f"[{index}]" if index is not None else "")
        return Checker(self.path, value, where)


def _names(kinds: tuple[type, ...]) -> str:
    words = {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }
    return " or ".join(words.get(k, k.__name__) for k in kinds)
