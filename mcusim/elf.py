"""Firmware images: read an ARM ELF with pyelftools into plain data (L2).

The only module that imports pyelftools. Everything a run needs (load segments, entry,
sections for the footprint, function symbols for reports) is copied out once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from mcusim.errors import ElfError, read_input

EM_ARM = 40
PT_LOAD = 1
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHT_NOBITS = 8


@dataclass(frozen=True)
class Segment:
    """A PT_LOAD segment: ``data`` goes to ``paddr`` (load address), ``memsz`` bytes in all."""

    paddr: int
    vaddr: int
    data: bytes
    memsz: int
    flags: int

    @property
    def executable(self) -> bool:
        return bool(self.flags & 1)


@dataclass(frozen=True)
class Section:
    """An allocated section with its run (``addr``) and load (``lma``) addresses."""

    name: str
    addr: int
    lma: int
    size: int
    writable: bool
    executable: bool
    nobits: bool


@dataclass(frozen=True)
class Function:
    name: str
    address: int  # Thumb bit cleared
    size: int


class Firmware:
    """An ARM ELF image, loaded eagerly into plain Python data."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        blob = read_input(path, "an ELF file", ElfError)
        _check_header(self.path, blob)
        self._blob = blob
        self._sources: dict[int, str] | None = None
        try:
            self._parse(blob)
        except ElfError:
            raise
        except Exception as e:  # pyelftools raises many types on corrupt input
            raise ElfError(f"{path}: corrupt or truncated ELF ({type(e).__name__}: {e})") from None
        if not self.segments:
            raise ElfError(f"{path}: no loadable (PT_LOAD) segments")

    def _parse(self, blob: bytes) -> None:
        import io

        from elftools.elf.elffile import ELFFile

        elf = ELFFile(io.BytesIO(blob))
        self.entry = elf.header.e_entry
        segs = []
        for i in range(elf.num_segments()):
            seg = elf.get_segment(i)
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            off, filesz, memsz = seg["p_offset"], seg["p_filesz"], seg["p_memsz"]
            if off + filesz > len(blob):
                raise ElfError(
                    f"{self.path}: truncated: segment {i} data ends at byte "
                    f"{off + filesz}, file has {len(blob)}"
                )
            if filesz > memsz:
                raise ElfError(f"{self.path}: segment {i} has p_filesz > p_memsz")
            segs.append(
                Segment(
                    seg["p_paddr"], seg["p_vaddr"], blob[off : off + filesz], memsz, seg["p_flags"]
                )
            )
        self.segments: tuple[Segment, ...] = tuple(segs)
        sections = []
        symbols: dict[str, int] = {}
        sizes: dict[str, int] = {}
        funcs = []
        for sec in elf.iter_sections():
            flags = sec["sh_flags"]
            if flags & SHF_ALLOC and sec["sh_size"]:
                addr = sec["sh_addr"]
                sections.append(
                    Section(
                        sec.name,
                        addr,
                        self._lma(addr),
                        sec["sh_size"],
                        bool(flags & SHF_WRITE),
                        bool(flags & SHF_EXECINSTR),
                        sec["sh_type"] == "SHT_NOBITS",
                    )
                )
            if sec["sh_type"] == "SHT_SYMTAB":
                for sym in sec.iter_symbols():
                    if not sym.name or sym["st_shndx"] == "SHN_UNDEF":
                        continue
                    value = sym["st_value"]
                    kind = sym["st_info"]["type"]
                    if kind == "STT_FUNC":
                        funcs.append(Function(sym.name, value & ~1, sym["st_size"]))
                    if kind in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE"):
                        symbols.setdefault(sym.name, value)
                        sizes.setdefault(sym.name, sym["st_size"])
        self.sections: tuple[Section, ...] = tuple(sections)
        self.symbols = symbols
        self.symbol_sizes = sizes  # st_size of each symbol in ``symbols`` (capacity of objects)
        funcs.sort(key=lambda f: (f.address, -f.size))
        self.functions: tuple[Function, ...] = tuple(funcs)
        self._func_addrs = [f.address for f in self.functions]

    def source_file_of(self, address: int) -> str | None:
        """The source file (DWARF) that defines the function starting at ``address``, or None.

        Built lazily on first use from the DWARF subprogram entries (``DW_AT_decl_file``
        resolved through the compilation unit's line-program file table); an ELF without
        debug information gives None for every address.
        """
        if self._sources is None:
            try:
                self._sources = _dwarf_function_files(self._blob)
            except Exception:  # pyelftools raises many types on corrupt DWARF: no attribution
                self._sources = {}
        return self._sources.get(address & ~1)

    def _lma(self, addr: int) -> int:
        for s in self.segments:
            if s.vaddr <= addr < s.vaddr + max(s.memsz, 1):
                return s.paddr + (addr - s.vaddr)
        return addr

    def function_at(self, address: int) -> Function | None:
        """The function whose [address, address+size) holds ``address`` (size 0: nearest below)."""
        i = bisect.bisect_right(self._func_addrs, address & ~1) - 1
        while i >= 0:
            f = self.functions[i]
            if f.size == 0 or address < f.address + f.size:
                return f if f.size or address - f.address < 0x1000 else None
            if address - f.address > 0x100000:
                return None
            i -= 1
        return None

    def symbolize(self, address: int) -> str:
        """``"main+0x1a"`` for an address, or ``"?"`` when no function covers it."""
        f = self.function_at(address)
        if f is None:
            return "?"
        off = (address & ~1) - f.address
        return f"{f.name}+0x{off:x}" if off else f.name

    def read(self, address: int, size: int) -> bytes | None:
        """Bytes the image loads at (load) ``address``, or None if not fully inside one segment."""
        for s in self.segments:
            if s.paddr <= address and address + size <= s.paddr + len(s.data):
                start = address - s.paddr
                return s.data[start : start + size]
        return None


def _dwarf_function_files(blob: bytes) -> dict[int, str]:
    """Entry address (Thumb bit clear) -> source path of every DWARF subprogram with code."""
    import io
    import posixpath

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(blob))
    if not elf.has_dwarf_info():
        return {}
    dwarf = elf.get_dwarf_info()
    out: dict[int, str] = {}
    for cu in dwarf.iter_CUs():
        top = cu.get_top_DIE()
        comp_dir = _attr_str(top, "DW_AT_comp_dir")
        lp = dwarf.line_program_for_CU(cu)
        files, dirs = [], []
        if lp is not None:
            dirs = [_as_str(d) for d in lp["include_directory"]]
            for entry in lp["file_entry"]:
                name = _as_str(entry.name)
                d = entry.dir_index
                if lp.header.version >= 5:
                    base = dirs[d] if d < len(dirs) else ""
                else:
                    base = dirs[d - 1] if 0 < d <= len(dirs) else comp_dir
                files.append(posixpath.join(base, name) if base else name)
        cu_name = _attr_str(top, "DW_AT_name")
        for die in cu.iter_DIEs():
            if die.tag != "DW_TAG_subprogram" or "DW_AT_low_pc" not in die.attributes:
                continue
            low = die.attributes["DW_AT_low_pc"].value & ~1
            path = cu_name
            decl = die.attributes.get("DW_AT_decl_file")
            if decl is None and "DW_AT_specification" in die.attributes:
                spec = die.get_DIE_from_attribute("DW_AT_specification")
                decl = spec.attributes.get("DW_AT_decl_file")
            if decl is not None and files:
                index = decl.value if lp.header.version >= 5 else decl.value - 1
                if 0 <= index < len(files):
                    path = files[index]
            if path:
                out.setdefault(low, posixpath.normpath(path))
    return out


def _as_str(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _attr_str(die: object, name: str) -> str:
    attr = die.attributes.get(name)  # type: ignore[attr-defined]
    return _as_str(attr.value) if attr is not None else ""


def _check_header(path: str, blob: bytes) -> None:
    if len(blob) < 52 or blob[:4] != b"\x7fELF":
        what = "empty file" if not blob else "not an ELF file"
        if len(blob) >= 4 and blob[:4] == b"\x7fELF":
            what = "truncated ELF header"
        raise ElfError(f"{path}: {what}")
    if blob[4] != 1:
        raise ElfError(f"{path}: 64-bit ELF; Cortex-M firmware is a 32-bit ELF (ELFCLASS32)")
    if blob[5] != 1:
        raise ElfError(f"{path}: big-endian ELF; Cortex-M firmware is little-endian")
    machine = int.from_bytes(blob[18:20], "little")
    if machine != EM_ARM:
        names = {3: "x86", 62: "x86-64", 183: "AArch64", 243: "RISC-V", 8: "MIPS", 94: "Xtensa"}
        raise ElfError(f"{path}: ELF for {names.get(machine, f'machine {machine}')}, not ARM")
