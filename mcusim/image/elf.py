"""Firmware images: read an ARM ELF into plain data (L2).

The only module that reads ELF files. Headers and the symbol table are read with ``struct``
straight from the file's bytes; DWARF (the source file of each function, for op attribution)
with pyelftools, the only import of it. Everything a run needs (load segments, entry,
sections for the footprint, function symbols for reports) is copied out once and cached by
the file's hash.
"""

from __future__ import annotations

import bisect
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from mcusim.cache import Cache
from mcusim.errors import ElfError, read_input

EM_ARM = 40
PT_LOAD = 1
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHT_SYMTAB, SHT_NOBITS = 2, 8
CACHE_KIND = "elf"
CACHE_VERSION = 2  # bump when the cached tables change shape or meaning


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
    """An ARM ELF image, loaded eagerly into plain Python data.

    The program and section headers and the symbol table are read straight from the file's
    bytes (:func:`_read_tables`); that data, and the DWARF source files once a profile asks
    for them, is cached by the file's SHA-256 (:mod:`mcusim.cache`), so a later run of the
    same image reads one small JSON file instead.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        blob = read_input(path, "an ELF file", ElfError)
        _check_header(self.path, blob)
        self._blob = blob
        self._sources: dict[int, str] | None = None
        self._key = hashlib.sha256(blob).hexdigest()
        self._cache = Cache(CACHE_KIND)
        tables = self._cache.load(self._key)
        if not _valid_entry(tables, self._key):
            try:
                tables = _read_tables(self.path, blob)
            except ElfError:
                raise
            except Exception as e:  # corrupt headers or tables, of any kind
                raise ElfError(
                    f"{path}: corrupt or truncated ELF ({type(e).__name__}: {e})"
                ) from None
            tables["key"] = self._key
            tables["version"] = CACHE_VERSION
            if tables["segments"]:
                self._cache.store(self._key, tables)
        self._tables = tables
        self._load(tables, blob)
        if not self.segments:
            raise ElfError(f"{path}: no loadable (PT_LOAD) segments")

    def _load(self, t: dict, blob: bytes) -> None:
        self.entry: int = t["entry"]
        self.segments: tuple[Segment, ...] = tuple(
            Segment(paddr, vaddr, blob[off : off + filesz], memsz, flags)
            for paddr, vaddr, off, filesz, memsz, flags in t["segments"]
        )
        self.sections: tuple[Section, ...] = tuple(
            Section(name, addr, lma, size, bool(w), bool(x), bool(nb))
            for name, addr, lma, size, w, x, nb in t["sections"]
        )
        names, values, sizes = t["symbols"]
        self.symbols: dict[str, int] = dict(zip(names, values, strict=True))
        # st_size of each symbol in ``symbols`` (capacity of objects)
        self.symbol_sizes: dict[str, int] = dict(zip(names, sizes, strict=True))
        # functions sorted by (address, -size), as three parallel arrays
        self._func_names, self._func_addrs, self._func_sizes = t["functions"]
        self._functions: tuple[Function, ...] | None = None

    @property
    def functions(self) -> tuple[Function, ...]:
        """Every STT_FUNC symbol (Thumb bit cleared), by address then longest first."""
        if self._functions is None:
            self._functions = tuple(
                map(Function, self._func_names, self._func_addrs, self._func_sizes)
            )
        return self._functions

    def source_file_of(self, address: int) -> str | None:
        """The source file (DWARF) that defines the function starting at ``address``, or None.

        Built lazily on first use from the DWARF subprogram entries (``DW_AT_decl_file``
        resolved through the compilation unit's line-program file table), then kept in the
        cache entry of this image; an ELF without debug information gives None for every
        address.
        """
        if self._sources is None:
            cached = self._tables.get("sources")
            if isinstance(cached, dict):
                self._sources = {int(k): v for k, v in cached.items()}
            else:
                try:
                    self._sources = _dwarf_function_files(self._blob)
                except Exception:  # pyelftools raises many types on corrupt DWARF
                    self._sources = {}
                self._tables["sources"] = {str(k): v for k, v in self._sources.items()}
                self._cache.store(self._key, self._tables)
        return self._sources.get(address & ~1)

    def function_at(self, address: int) -> Function | None:
        """The function whose [address, address+size) holds ``address`` (size 0: nearest below)."""
        i = self.function_index(address)
        return None if i < 0 else self.functions[i]

    def function_index(self, address: int) -> int:
        """Index in :attr:`functions` of :meth:`function_at`'s answer, or -1 for none."""
        addrs, sizes = self._func_addrs, self._func_sizes
        i = bisect.bisect_right(addrs, address & ~1) - 1
        while i >= 0:
            start, size = addrs[i], sizes[i]
            if size == 0 or address < start + size:
                return i if size or address - start < 0x1000 else -1
            if address - start > 0x100000:
                return -1
            i -= 1
        return -1

    def function_names_at(self, addresses: list[int]) -> list[str | None]:
        """:meth:`function_at`'s name for each address (None where no function covers it)."""
        names = self._func_names
        return [names[i] if i >= 0 else None for i in map(self.function_index, addresses)]

    def symbolize(self, address: int) -> str:
        """``"main+0x1a"`` for an address, or ``"?"`` when no function covers it."""
        i = self.function_index(address)
        if i < 0:
            return "?"
        name = self._func_names[i]
        off = (address & ~1) - self._func_addrs[i]
        return f"{name}+0x{off:x}" if off else name

    def read(self, address: int, size: int) -> bytes | None:
        """Bytes the image loads at (load) ``address``, or None if not fully inside one segment."""
        for s in self.segments:
            if s.paddr <= address and address + size <= s.paddr + len(s.data):
                start = address - s.paddr
                return s.data[start : start + size]
        return None


def _valid_entry(t: object, key: str) -> bool:
    """A cache entry of this image and format, with every field the loader reads."""
    if not isinstance(t, dict) or t.get("key") != key or t.get("version") != CACHE_VERSION:
        return False
    try:
        names, values, sizes = t["symbols"]
        fnames, faddrs, fsizes = t["functions"]
        return (
            isinstance(t["entry"], int)
            and len(names) == len(values) == len(sizes)
            and len(fnames) == len(faddrs) == len(fsizes)
            and all(len(s) == 6 for s in t["segments"])
            and all(len(s) == 7 for s in t["sections"])
        )
    except (KeyError, TypeError, ValueError):
        return False


# Elf32 header fields after e_ident, program header, section header, symbol (ELF spec, 1-2ff)
_EHDR = struct.Struct("<HHIIIIIHHHHHH")
_PHDR = struct.Struct("<8I")
_SHDR = struct.Struct("<10I")
_SYM = struct.Struct("<IIIBBH")
SHN_XINDEX, PN_XNUM = 0xFFFF, 0xFFFF
STT_NOTYPE, STT_OBJECT, STT_FUNC = 0, 1, 2


def _cstring(blob: bytes, pos: int) -> str:
    """The NUL-terminated string at ``pos`` ('' when none ends before the end of the file)."""
    end = blob.find(b"\0", pos)
    return blob[pos:end].decode("utf-8", "replace") if end >= 0 else ""


def _read_tables(path: str, blob: bytes) -> dict:
    """Segments, sections and symbols of a little-endian ELF32, as JSON-ready lists."""
    (_, _, _, entry, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = (
        _EHDR.unpack_from(blob, 16)
    )
    shdrs: list[tuple[int, ...]] = []
    if phoff and phentsize < _PHDR.size:
        raise ElfError(f"{path}: corrupt ELF: e_phentsize {phentsize} < {_PHDR.size}")
    if shoff and shentsize < _SHDR.size:
        raise ElfError(f"{path}: corrupt ELF: e_shentsize {shentsize} < {_SHDR.size}")

    def shdr(i: int) -> tuple[int, ...]:  # section i's header, wherever its index points
        return _SHDR.unpack_from(blob, shoff + i * shentsize)

    if shoff:
        if shnum == 0:
            shnum = shdr(0)[5]  # sh_size of section 0 holds a large count
        shdrs = [shdr(i) for i in range(shnum)]
    if phnum == PN_XNUM and shdrs:
        phnum = shdrs[0][7]  # sh_info
    segs = []
    for i in range(phnum):
        p_type, off, vaddr, paddr, filesz, memsz, flags, _ = _PHDR.unpack_from(
            blob, phoff + i * phentsize
        )
        if p_type != PT_LOAD or memsz == 0:
            continue
        if off + filesz > len(blob):
            raise ElfError(
                f"{path}: truncated: segment {i} data ends at byte "
                f"{off + filesz}, file has {len(blob)}"
            )
        if filesz > memsz:
            raise ElfError(f"{path}: segment {i} has p_filesz > p_memsz")
        segs.append([paddr, vaddr, off, filesz, memsz, flags])

    def lma(addr: int) -> int:
        for paddr, vaddr, _, _, memsz, _ in segs:
            if vaddr <= addr < vaddr + max(memsz, 1):
                return paddr + (addr - vaddr)
        return addr

    if shstrndx == SHN_XINDEX and shdrs:
        shstrndx = shdrs[0][6]  # sh_link
    names_at = shdr(shstrndx)[4] if shdrs else 0  # the section-name string table's offset
    sections = []
    sym_names: list[str] = []
    sym_values: list[int] = []
    sym_sizes: list[int] = []
    seen: set[str] = set()
    funcs: list[tuple[int, int, str]] = []
    for sh_name, sh_type, flags, addr, offset, size, link, _, _, entsize in shdrs:
        if flags & SHF_ALLOC and size:
            name = _cstring(blob, names_at + sh_name)
            sections.append(
                [name, addr, lma(addr), size, bool(flags & SHF_WRITE),
                 bool(flags & SHF_EXECINSTR), sh_type == SHT_NOBITS]
            )  # fmt: skip
        if sh_type != SHT_SYMTAB:
            continue
        if not entsize or size % entsize:
            raise ElfError(f"{path}: corrupt ELF: symbol table size {size}, entry size {entsize}")
        strtab = shdr(link)[4]
        for i in range(size // entsize):
            st_name, value, st_size, info, _, shndx = _SYM.unpack_from(blob, offset + i * entsize)
            if shndx == 0:  # SHN_UNDEF
                continue
            name = _cstring(blob, strtab + st_name)
            if not name:
                continue
            kind = info & 0xF
            if kind == STT_FUNC:
                funcs.append((value & ~1, -st_size, name))
            if kind in (STT_FUNC, STT_OBJECT, STT_NOTYPE) and name not in seen:
                seen.add(name)
                sym_names.append(name)
                sym_values.append(value)
                sym_sizes.append(st_size)
    funcs.sort(key=lambda f: (f[0], f[1]))
    return {
        "entry": entry,
        "segments": segs,
        "sections": sections,
        "symbols": [sym_names, sym_values, sym_sizes],
        "functions": [[f[2] for f in funcs], [f[0] for f in funcs], [-f[1] for f in funcs]],
    }


def _dwarf_function_files(blob: bytes) -> dict[int, str]:
    """Entry address (Thumb bit clear) -> source path of every DWARF subprogram with code.

    A subprogram that only points to its declaration (``DW_AT_specification``: C++ members) or
    to an abstract instance in another unit (``DW_AT_abstract_origin``: what GCC's link-time
    optimisation emits, the code in an ``<artificial>`` unit, the declaration in the source
    file's own) takes the file from there, through that unit's file table."""
    import io
    import posixpath

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(blob))
    if not elf.has_dwarf_info():
        return {}
    dwarf = elf.get_dwarf_info()
    tables: dict[int, tuple[list[str], int, str]] = {}

    def table(cu) -> tuple[list[str], int, str]:
        """The unit's file names, its line-table version and its own name."""
        if cu.cu_offset not in tables:
            top = cu.get_top_DIE()
            comp_dir = _attr_str(top, "DW_AT_comp_dir")
            lp = dwarf.line_program_for_CU(cu)
            files: list[str] = []
            version = lp.header.version if lp is not None else 0
            if lp is not None:
                dirs = [_as_str(d) for d in lp["include_directory"]]
                for entry in lp["file_entry"]:
                    name = _as_str(entry.name)
                    d = entry.dir_index
                    if version >= 5:
                        base = dirs[d] if d < len(dirs) else ""
                    else:
                        base = dirs[d - 1] if 0 < d <= len(dirs) else comp_dir
                    files.append(posixpath.join(base, name) if base else name)
            tables[cu.cu_offset] = (files, version, _attr_str(top, "DW_AT_name"))
        return tables[cu.cu_offset]

    out: dict[int, str] = {}
    for cu in dwarf.iter_CUs():
        for die in cu.iter_DIEs():
            if die.tag != "DW_TAG_subprogram" or "DW_AT_low_pc" not in die.attributes:
                continue
            low = die.attributes["DW_AT_low_pc"].value & ~1
            origin = die
            for _ in range(4):  # code -> abstract origin -> specification (a short chain)
                if "DW_AT_decl_file" in origin.attributes:
                    break
                ref = next(
                    (a for a in ("DW_AT_abstract_origin", "DW_AT_specification")
                     if a in origin.attributes),
                    None,
                )  # fmt: skip
                if ref is None:
                    break
                origin = origin.get_DIE_from_attribute(ref)
            files, version, path = table(origin.cu)
            decl = origin.attributes.get("DW_AT_decl_file")
            if decl is not None and files:
                index = decl.value if version >= 5 else decl.value - 1
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
