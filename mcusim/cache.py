"""A small on-disk cache of plain data keyed by a content hash (L0, stdlib only).

Entries are JSON files under the user's cache directory (``$MCUSIM_CACHE_DIR``, else
``$XDG_CACHE_HOME/mcusim``, else ``~/.cache/mcusim``; ``MCUSIM_NO_CACHE=1`` turns it off).
Each file starts with a checksum line of the JSON that follows, so a truncated or damaged
entry reads as a miss and is rebuilt. Writers write a temporary file and ``os.replace`` it
into place (readers see a whole entry or none, whatever runs at the same time); after a
write, the oldest entries beyond the size cap are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # per cache folder; MCUSIM_CACHE_MAX_BYTES overrides
_SUFFIX = ".json"


def cache_root() -> Path | None:
    """The folder all mcusim caches live in, or None when caching is off."""
    if os.environ.get("MCUSIM_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("MCUSIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "mcusim"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "mcusim" / "Cache"
    return Path.home() / ".cache" / "mcusim"


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).hexdigest().encode()


class Cache:
    """One kind of entry (e.g. ``"elf-v1"``): ``load(key)`` / ``store(key, data)``.

    Every operation is best effort: an unreadable, unwritable or missing folder makes the
    cache a no-op, never an error of the run.
    """

    def __init__(self, kind: str, *, root: Path | None = None, max_bytes: int | None = None):
        base = root if root is not None else cache_root()
        self.folder = base / kind if base is not None else None
        if max_bytes is None:
            try:
                max_bytes = int(os.environ.get("MCUSIM_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))
            except ValueError:
                max_bytes = DEFAULT_MAX_BYTES
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path | None:
        return self.folder / (key + _SUFFIX) if self.folder is not None else None

    def load(self, key: str) -> Any | None:
        """The data stored under ``key``, or None (absent, damaged, or caching off)."""
        path = self.path(key)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head, sep, payload = raw.partition(b"\n")
        if not sep or head != _checksum(payload):
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return data

    def store(self, key: str, data: Any) -> None:
        """Write ``data`` (JSON-ready) under ``key`` atomically, then keep the folder in size."""
        path = self.path(key)
        if path is None:
            return
        import tempfile  # only writers need it (it imports random, shutil, ...)

        payload = json.dumps(data, separators=(",", ":")).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=_SUFFIX)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_checksum(payload) + b"\n" + payload)
            os.replace(tmp, path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return
        self.evict()

    def evict(self) -> None:
        """Remove the least recently used entries until the folder holds at most max_bytes."""
        if self.folder is None:
            return
        entries = []
        try:
            with os.scandir(self.folder) as it:
                for e in it:
                    if not e.name.endswith(_SUFFIX):
                        continue
                    try:
                        st = e.stat()
                    except OSError:
                        continue
                    if not e.name.startswith(".tmp-"):
                        entries.append((st.st_mtime, st.st_size, e.path))
                    elif st.st_mtime < time.time() - 3600:  # left by a writer that died
                        _unlink(e.path)
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, p in sorted(entries):
            if total <= self.max_bytes:
                break
            _unlink(p)
            total -= size


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
