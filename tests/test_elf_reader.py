"""mcusim's struct reader of ELF headers and symbols gives what pyelftools (the parser of
record) reads from the same files: segments, allocated sections, symbols in table order, and
functions."""

from __future__ import annotations

import io

import pytest
from elftools.elf.elffile import ELFFile
from simtest import ELF

from mcusim.image.elf import Firmware

SAMPLES = sorted(ELF.glob("mps2-an386/*.elf")) + sorted(
    p for p in ELF.glob("*/*.elf") if p.stem in ("tflm_layout", "hello") and "an386" not in str(p)
)


def pyelftools_tables(blob: bytes) -> dict:
    elf = ELFFile(io.BytesIO(blob))
    segments = [
        (s["p_paddr"], s["p_vaddr"], s.data(), s["p_memsz"], s["p_flags"])
        for s in elf.iter_segments()
        if s["p_type"] == "PT_LOAD" and s["p_memsz"]
    ]
    sections, symbols, sizes, funcs = [], {}, {}, []
    for sec in elf.iter_sections():
        if sec["sh_flags"] & 2 and sec["sh_size"]:  # SHF_ALLOC
            sections.append((sec.name, sec["sh_addr"], sec["sh_size"], sec["sh_flags"] & 1 == 1,
                             sec["sh_flags"] & 4 == 4, sec["sh_type"] == "SHT_NOBITS"))  # fmt: skip
        if sec["sh_type"] != "SHT_SYMTAB":
            continue
        for sym in sec.iter_symbols():
            if not sym.name or sym["st_shndx"] == "SHN_UNDEF":
                continue
            kind = sym["st_info"]["type"]
            if kind == "STT_FUNC":
                funcs.append((sym.name, sym["st_value"] & ~1, sym["st_size"]))
            if kind in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE"):
                symbols.setdefault(sym.name, sym["st_value"])
                sizes.setdefault(sym.name, sym["st_size"])
    funcs.sort(key=lambda f: (f[1], -f[2]))
    return {
        "entry": elf.header.e_entry,
        "segments": segments,
        "sections": sections,
        "symbols": list(symbols.items()),
        "sizes": list(sizes.items()),
        "functions": funcs,
    }


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_struct_reader_reads_what_pyelftools_reads(path, monkeypatch):
    monkeypatch.setenv("MCUSIM_NO_CACHE", "1")
    fw = Firmware(path)
    ours = {
        "entry": fw.entry,
        "segments": [(s.paddr, s.vaddr, s.data, s.memsz, s.flags) for s in fw.segments],
        "sections": [
            (s.name, s.addr, s.size, s.writable, s.executable, s.nobits) for s in fw.sections
        ],
        "symbols": list(fw.symbols.items()),
        "sizes": list(fw.symbol_sizes.items()),
        "functions": [(f.name, f.address, f.size) for f in fw.functions],
    }
    assert ours == pyelftools_tables(path.read_bytes())
    assert len(ours["functions"]) > 5
