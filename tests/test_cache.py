"""The ELF table cache: a hit gives the same Firmware, damage reads as a miss, writers that run
at once never leave a broken entry, and the folder stays under its size cap."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time

import pytest
from simtest import elf

from mcusim import cache as cache_mod
from mcusim.cache import Cache, cache_root
from mcusim.image import elf as elf_mod
from mcusim.image.elf import Firmware

TFLM = elf("mps2-an386", "tflm_layout")  # C++ TFLM-like image: DWARF, many symbols


def snapshot(fw: Firmware) -> dict:
    """Everything a run and a report read from a Firmware, as comparable plain data."""
    return {
        "entry": fw.entry,
        "segments": [dataclasses.astuple(s) for s in fw.segments],
        "sections": [dataclasses.astuple(s) for s in fw.sections],
        "symbols": list(fw.symbols.items()),
        "sizes": list(fw.symbol_sizes.items()),
        "functions": [dataclasses.astuple(f) for f in fw.functions],
        "symbolized": [fw.symbolize(a) for a in range(0, 0x4000, 6)],
        "sources": [fw.source_file_of(f.address) for f in fw.functions],
    }


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MCUSIM_CACHE_DIR", str(folder))
    monkeypatch.delenv("MCUSIM_NO_CACHE", raising=False)
    return folder


def entry_path(cache_dir, path) -> object:
    files = list((cache_dir / elf_mod.CACHE_KIND).glob("*.json"))
    assert len(files) == 1, files
    return files[0]


def test_a_cache_hit_gives_the_same_firmware_as_reading_the_elf(cache_dir, monkeypatch):
    monkeypatch.setenv("MCUSIM_NO_CACHE", "1")
    uncached = snapshot(Firmware(TFLM))
    assert not cache_dir.exists()
    monkeypatch.delenv("MCUSIM_NO_CACHE")
    first = snapshot(Firmware(TFLM))  # a miss: reads the ELF, stores tables and DWARF files
    assert entry_path(cache_dir, TFLM).stat().st_size > 1000

    def no_reading(*args):
        raise AssertionError("a cache hit must not read the ELF's tables or DWARF again")

    monkeypatch.setattr(elf_mod, "_read_tables", no_reading)
    monkeypatch.setattr(elf_mod, "_dwarf_function_files", no_reading)
    hit = snapshot(Firmware(TFLM))
    assert hit == first == uncached
    assert sum(s is not None for s in hit["sources"]) > 10  # DWARF files came from the cache


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated by a full disk or a killed writer
        lambda b: b[:-40] + b"0" * 40,  # changed bytes: the checksum no longer matches
        lambda b: b"",
        lambda b: b"not json at all\n{",
    ],
)
def test_a_damaged_cache_entry_is_ignored_and_rebuilt(cache_dir, damage):
    expected = snapshot(Firmware(TFLM))
    path = entry_path(cache_dir, TFLM)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert snapshot(Firmware(TFLM)) == expected
    assert Cache(elf_mod.CACHE_KIND).load(path.stem) is not None  # rewritten whole


def test_an_entry_of_another_format_version_is_rebuilt(cache_dir, monkeypatch):
    fw = Firmware(TFLM)
    c = Cache(elf_mod.CACHE_KIND)
    tables = c.load(fw._key)
    c.store(fw._key, {**tables, "version": -1, "symbols": [[], [], []]})
    assert Firmware(TFLM).symbols == fw.symbols


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path):
    script = (
        "import sys\n"
        "from mcusim.cache import Cache\n"
        "c = Cache('k', root=__import__('pathlib').Path(sys.argv[1]))\n"
        "n = int(sys.argv[2])\n"
        "for i in range(150):\n"
        "    c.store('same', {'writer': n, 'data': list(range(2000 + n))})\n"
        "    d = c.load('same')\n"
        "    assert d is not None and len(d['data']) == 2000 + d['writer'], d\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(n)]) for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    d = Cache("k", root=tmp_path).load("same")
    assert len(d["data"]) == 2000 + d["writer"]
    assert [p.name for p in (tmp_path / "k").iterdir()] == ["same.json"]  # no temp files left


def test_the_size_cap_evicts_the_least_recently_used_entries(tmp_path):
    c = Cache("k", root=tmp_path, max_bytes=1_000_000)
    now = time.time()
    for i in range(8):
        c.store(f"e{i}", {"pad": "x" * 2000})
        os.utime(tmp_path / "k" / f"e{i}.json", (now - 100 + i, now - 100 + i))
    assert len(list((tmp_path / "k").iterdir())) == 8
    assert c.load("e0") is not None  # used again: now the most recent
    c.max_bytes = 10_000
    c.store("e8", {"pad": "x" * 2000})
    left = sorted(p.stem for p in (tmp_path / "k").iterdir())
    total = sum(p.stat().st_size for p in (tmp_path / "k").iterdir())
    assert total <= 10_000
    assert left == ["e0", "e6", "e7", "e8"]  # about 2 KB each: the four most recent fit


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("MCUSIM_CACHE_DIR", raising=False)
    monkeypatch.delenv("MCUSIM_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "mcusim"
    monkeypatch.setenv("MCUSIM_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    monkeypatch.setenv("MCUSIM_NO_CACHE", "1")
    assert cache_root() is None
    assert Cache("k").load("x") is None
    Cache("k").store("x", {"a": 1})  # a no-op, not an error
    assert not (tmp_path / "mine").exists()


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("MCUSIM_CACHE_DIR", str(blocker))
    monkeypatch.delenv("MCUSIM_NO_CACHE", raising=False)
    assert Firmware(TFLM).symbols
    assert cache_mod.Cache("k").load("x") is None
