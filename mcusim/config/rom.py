"""A ROM region's contents (``image``) and the names of its functions (``symbols``), read from
a target's ``[[memory]]`` entry (L1): a chip's boot ROM that firmware calls into, with our own
code in it (targets/apollo3-bootrom.S)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcusim.config.tomlutil import Checker


def resolve_images(path: Path, data: dict[str, Any], builtin: Path) -> None:
    """A region's ``image`` is relative to the file that names it (a target that ``extends``
    another keeps its parent's ROM), else a file of that name among the built-in targets (a
    copy of a built-in target file elsewhere keeps working)."""
    for m in data.get("memory", []) if isinstance(data.get("memory"), list) else []:
        if isinstance(m, dict) and isinstance(m.get("image"), str):
            own = (path.parent / m["image"]).resolve()
            shipped = builtin / m["image"]
            m["image"] = str(shipped if not own.is_file() and shipped.is_file() else own)


def rom_image(m: Checker, kind: str, size: int) -> bytes:
    """``image``: a raw binary file holding a ROM's contents (a chip's boot ROM helpers)."""
    name = m.get("image", str, "")
    if not name:
        return b""
    if kind != "rom":
        raise m.fail("image", f"is only for kind = 'rom' regions (this one is '{kind}')")
    try:
        data = Path(name).read_bytes()
    except OSError as e:
        raise m.fail("image", f"'{name}' cannot be read: {e.strerror or e}") from None
    if len(data) > size:
        raise m.fail("image", f"'{name}' has {len(data)} bytes, more than size_bytes ({size})")
    return data


def rom_symbols(m: Checker, base: int, size: int) -> tuple[tuple[int, str], ...]:
    """``symbols = { name = offset }``: where the functions of a ROM image start (reports name
    the cycles spent there)."""
    table = m.get("symbols", dict, {})
    if table and "image" not in m.table:
        raise m.fail("symbols", "name functions of an image: give the region an image")
    bad = [k for k, v in table.items() if not isinstance(v, int) or not 0 <= v < size]
    if bad:
        raise m.fail("symbols", f"'{bad[0]}' must be an offset inside the region (0-{size - 1})")
    return tuple(sorted((base + v, k) for k, v in table.items()))
