"""A project's test declaration: ``mcusim.toml`` or ``[tool.mcusim]`` in ``pyproject.toml`` (L1).

Declares the firmware test images, their targets, budgets, expected console patterns and the
report files once, so ``mcusim test`` with no arguments runs them; command-line flags override.
Paths in the file are relative to the file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcusim.config.tomlutil import Checker, read_toml
from mcusim.errors import ConfigError

# Keys a project (top level) or one image may set, with their TOML types.
IMAGE_KEYS: dict[str, type | tuple[type, ...]] = {
    "target": str,
    "targets": list,
    "expect": str,
    "budget": (dict, str),
    "args": list,
    "timeout": (int, float),
    "max_cycles": int,
    "semihosting_root": str,
    "check_alignment": bool,
}
PROJECT_KEYS: dict[str, type | tuple[type, ...]] = IMAGE_KEYS | {
    "images": list,
    "junit": str,
    "json": str,
    "baseline": str,
    "tolerance": (dict, str),
    "jobs": int,
}


@dataclass(frozen=True)
class ImageSpec:
    """One declared image (a path or glob) and the settings that differ from the project's."""

    pattern: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Project:
    """The ``[tool.mcusim]`` table of a project, checked."""

    path: Path  # the file it came from
    root: Path  # the folder paths are relative to
    images: tuple[ImageSpec, ...]
    settings: dict[str, Any]

    def resolve(self, relative: str) -> str:
        """A path from the file, as a path usable from the current directory."""
        p = Path(relative)
        return str(p if p.is_absolute() else self.root / p)


def find_project(start: Path) -> Path | None:
    """The nearest ``mcusim.toml``, or ``pyproject.toml`` with a ``[tool.mcusim]`` table."""
    for folder in (start, *start.parents):
        candidate = folder / "mcusim.toml"
        if candidate.is_file():
            return candidate
        py = folder / "pyproject.toml"
        if py.is_file():
            try:
                data = read_toml(py)
            except ConfigError:
                continue
            tool = data.get("tool")
            if isinstance(tool, dict) and "mcusim" in tool:
                return py
    return None


def load_project(path: Path) -> Project:
    """Read and check a project file.

    Raises:
        ConfigError: malformed file; the message names the file and key.
    """
    data = read_toml(path)
    where = ""
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "mcusim" not in tool:
            raise ConfigError(f"{path}: no [tool.mcusim] table")
        data, where = tool["mcusim"], "tool.mcusim"
    c = Checker(path, data, where)
    unknown = sorted(set(c.table) - set(PROJECT_KEYS) - {"image"})
    if unknown:
        raise c.fail(unknown[0], f"is not a known key (known: {', '.join(PROJECT_KEYS)}, image)")
    settings = {k: c.get(k, kind) for k, kind in PROJECT_KEYS.items() if k in c.table}
    _check_settings(c, settings)
    images = []
    for i, item in enumerate(settings.pop("images", [])):
        if not isinstance(item, str):
            raise c.fail(f"images[{i}]", "must be a string (a path or glob)")
        images.append(ImageSpec(item))
    for i in range(len(c.get("image", list, []))):
        sub = c.sub("image", i)
        extra = sorted(set(sub.table) - set(IMAGE_KEYS) - {"path"})
        if extra:
            raise sub.fail(extra[0], f"is not a known key (known: path, {', '.join(IMAGE_KEYS)})")
        own = {k: sub.get(k, kind) for k, kind in IMAGE_KEYS.items() if k in sub.table}
        _check_settings(sub, own)
        images.append(ImageSpec(sub.get("path", str), own))
    return Project(path=path, root=path.parent, images=tuple(images), settings=settings)


def _check_settings(c: Checker, s: dict[str, Any]) -> None:
    for key in ("targets", "args"):
        if key in s and not all(isinstance(x, str) for x in s[key]):
            raise c.fail(key, "must be an array of strings")
    for key in ("budget", "tolerance"):
        if isinstance(s.get(key), dict):
            for k, v in s[key].items():
                if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                    raise c.fail(f"{key}.{k}", "must be a number (or a string like '2%')")
    for key in ("timeout", "max_cycles", "jobs"):
        if key in s and not s[key] > 0:
            raise c.fail(key, "must be > 0")


def mapping_text(value: dict[str, Any] | str | None) -> str | None:
    """A budget or tolerance table as the command-line text ``k=v,k=v``."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(f"{k}={v}" for k, v in value.items())
