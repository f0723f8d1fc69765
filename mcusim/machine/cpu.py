"""The Unicorn engine behind a small interface (L3; the only module that imports unicorn).

Cortex-M specifics measured in ../shared/UNICORN_NOTES.md shape this wrapper: the core model is
chosen with ``ctl_set_cpu_model`` before the first map, Thumb mode without UC_MODE_MCLASS, and
no per-instruction hooks except ones scoped to single addresses.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np
import unicorn
from unicorn import arm_const as A

_MODELS = {
    "cortex-m0": A.UC_CPU_ARM_CORTEX_M0,
    "cortex-m3": A.UC_CPU_ARM_CORTEX_M3,
    "cortex-m4": A.UC_CPU_ARM_CORTEX_M4,
}
XPSR_IT_BITS = 0x0600FC00  # EPSR.IT[1:0] (bits 26:25) and IT[7:2] (bits 15:10)
_REGS = {f"r{i}": getattr(A, f"UC_ARM_REG_R{i}") for i in range(13)}
_REGS |= {
    "sp": A.UC_ARM_REG_SP,
    "lr": A.UC_ARM_REG_LR,
    "pc": A.UC_ARM_REG_PC,
    "xpsr": A.UC_ARM_REG_XPSR,
    "ipsr": A.UC_ARM_REG_IPSR,
    "msp": A.UC_ARM_REG_MSP,
    "psp": A.UC_ARM_REG_PSP,
    "control": A.UC_ARM_REG_CONTROL,
    "primask": A.UC_ARM_REG_PRIMASK,
    "basepri": A.UC_ARM_REG_BASEPRI,
    "faultmask": A.UC_ARM_REG_FAULTMASK,
    "fpscr": A.UC_ARM_REG_FPSCR,
}
_REGS |= {f"s{i}": getattr(A, f"UC_ARM_REG_S{i}") for i in range(32)}
_REGS |= {
    "r9": A.UC_ARM_REG_R9,
    "sb": A.UC_ARM_REG_R9,
    "sl": A.UC_ARM_REG_R10,
    "fp": A.UC_ARM_REG_R11,
    "ip": A.UC_ARM_REG_R12,
}

# Why emulation stopped, from Unicorn's error codes.
ERRORS = {
    unicorn.UC_ERR_READ_UNMAPPED: "read_unmapped",
    unicorn.UC_ERR_WRITE_UNMAPPED: "write_unmapped",
    unicorn.UC_ERR_FETCH_UNMAPPED: "fetch_unmapped",
    unicorn.UC_ERR_READ_PROT: "read_prot",
    unicorn.UC_ERR_WRITE_PROT: "write_prot",
    unicorn.UC_ERR_FETCH_PROT: "fetch_prot",
    unicorn.UC_ERR_INSN_INVALID: "insn_invalid",
    unicorn.UC_ERR_READ_UNALIGNED: "unaligned",
    unicorn.UC_ERR_WRITE_UNALIGNED: "unaligned",
    unicorn.UC_ERR_FETCH_UNALIGNED: "unaligned",
    unicorn.UC_ERR_EXCEPTION: "exception",
}
ACCESS_NAMES = {
    unicorn.UC_MEM_READ_UNMAPPED: "read",
    unicorn.UC_MEM_WRITE_UNMAPPED: "write",
    unicorn.UC_MEM_FETCH_UNMAPPED: "fetch",
    unicorn.UC_MEM_READ_PROT: "read",
    unicorn.UC_MEM_WRITE_PROT: "write",
    unicorn.UC_MEM_FETCH_PROT: "fetch",
}


# uc_cb_hookcode_t(uc_engine *, uint64_t address, uint32_t size, void *user_data)
_CODE_HOOK = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p
)


def _perms(access: str) -> int:
    p = 0
    if "r" in access:
        p |= unicorn.UC_PROT_READ
    if "w" in access:
        p |= unicorn.UC_PROT_WRITE
    if "x" in access:
        p |= unicorn.UC_PROT_EXEC
    return p


class Cpu:
    """One emulated Cortex-M core with its memory map."""

    def __init__(self, model: str):
        self.uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB)
        self.uc.ctl_set_cpu_model(_MODELS[model])
        self._keep: list[Any] = []  # buffers and callbacks that must outlive the engine
        self._use_virtual_tlb()
        self._hook_error: BaseException | None = None  # raised in a raw hook, for run()
        # registers are read straight from the C API: the binding's reg_read costs several
        # microseconds a call, and observers read registers at every op boundary
        self._reg_value = ctypes.c_uint32()
        self._reg_ref = ctypes.byref(self._reg_value)
        self._uc_reg_read = _raw()[0].uc_reg_read

    def _use_virtual_tlb(self) -> None:
        """Fill the engine's TLB ourselves, so that guest stores to data pages run at full speed.

        With its own (CPU) TLB fill, Unicorn 2.1 takes the slow store path (``store_helper`` ->
        ``notdirty_write``) on every store to any page the guest's memory map calls executable,
        which on a Cortex-M without MPU is all RAM: its dirty-page bitmap is stubbed out
        (``cpu_physical_memory_is_clean`` is always true) and a page is cleaned only when its TLB
        entry has no execute permission. Filling entries from data accesses as read/write and
        from instruction fetches as read/write/execute keeps the slow path to pages that hold
        code, as QEMU does; measured in README "Speed: the engine". Addresses map one to one,
        as on a Cortex-M. The engine's MPU is never enabled (mcusim's SCS owns the MPU
        registers), so the only check the CPU fill made was Execute Never of the default memory
        map; a fetch from there now fails as unmapped or MMIO memory, and the simulator reports
        it as the core would (``execute_never``).

        A fill inside an IT block must not leave its IT state behind: ``unicorn_fill_tlb``
        first calls ``cpu_restore_pc_only``, which writes the IT state of the access into the
        CPU state, where the translated code never clears it (it keeps the IT state in the
        translation and expects the CPU's copy to be clear; the unicorn-engine/unicorn#2309
        shape). The next block looked up would run as if inside that IT block, its instructions
        conditional on a stale condition: TFLM's ResNet-8 jumped to address 0. A data fill clears
        it again; the access itself is not affected (its code was translated with its IT state).
        A fetch fill (translating the next block) leaves it: then the CPU's IT state is the real
        one, stored by a block that ended inside an IT block, e.g. at a page boundary
        (``tests/cache/it_page.S``).
        """
        self.uc.ctl_set_tlb_mode(unicorn.UC_TLB_VIRTUAL)
        rw, rwx = unicorn.UC_PROT_READ | unicorn.UC_PROT_WRITE, unicorn.UC_PROT_ALL
        fetch = unicorn.UC_MEM_FETCH

        self.tlb_fills = 0

        def fill(uc: Any, vaddr: int, access: int, entry: Any, _: Any) -> bool:
            self.tlb_fills += 1
            if access == fetch:
                # a fill for translating the next block: the CPU's IT state is the real one
                # (a block that ended inside an IT block stored it), never clear it here
                entry.paddr, entry.perms = vaddr, rwx
                return True
            xpsr = self.reg("xpsr")
            if xpsr & XPSR_IT_BITS:
                self.set_reg("xpsr", xpsr & ~XPSR_IT_BITS)
            entry.paddr, entry.perms = vaddr, rw
            return True

        self._keep.append(fill)
        self.uc.hook_add(unicorn.UC_HOOK_TLB_FILL, fill)

    # -- memory ---------------------------------------------------------------------------
    def map_memory(self, base: int, size: int, access: str) -> np.ndarray:
        """Map RAM-like memory backed by a numpy array (zero-copy scans)."""
        buf = np.zeros(size, dtype=np.uint8)
        self.uc.mem_map_ptr(base, size, _perms(access), buf.ctypes.data)
        self._keep.append(buf)
        return buf

    def map_mmio(
        self,
        base: int,
        size: int,
        read: Callable[[int, int], int],
        write: Callable[[int, int, int], None],
    ) -> None:
        def on_read(uc: Any, offset: int, sz: int, _: Any) -> int:
            return read(offset, sz)

        def on_write(uc: Any, offset: int, sz: int, value: int, _: Any) -> None:
            write(offset, sz, value)

        self._keep += [on_read, on_write]
        self.uc.mmio_map(base, size, on_read, None, on_write, None)

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        self.uc.mem_write(address, data)

    def read_u32(self, address: int) -> int:
        return int.from_bytes(self.uc.mem_read(address, 4), "little")

    # -- registers ------------------------------------------------------------------------
    def reg(self, name: str) -> int:
        """A 32-bit core, special or single-precision FP register."""
        err = self._uc_reg_read(self.uc._uch, _REGS[name], self._reg_ref)
        if err != unicorn.UC_ERR_OK:
            raise unicorn.UcError(err)
        return self._reg_value.value

    def set_reg(self, name: str, value: int) -> None:
        self.uc.reg_write(_REGS[name], value & 0xFFFFFFFF)

    def regs(self, names: tuple[str, ...]) -> dict[str, int]:
        return {n: self.reg(n) for n in names}

    # -- hooks ----------------------------------------------------------------------------
    def hook_block(self, callback: Callable[[Any, int, int, Any], None]) -> None:
        """``callback(engine, address, size, data)`` before each translated block runs.

        Registered as a raw ctypes callback (about twice as fast as the binding's wrapper,
        ../shared/UNICORN_NOTES.md); ``callback`` must not raise.
        """
        raw = _CODE_HOOK(callback)
        _hook_add(self, unicorn.UC_HOOK_BLOCK, ctypes.cast(raw, ctypes.c_void_p).value)
        self._keep.append(raw)

    def hook_address(self, address: int, callback: Callable[[], None]) -> None:
        """Call ``callback()`` before the instruction at ``address`` runs (scoped hook), from
        the next time it runs on, also when it is added during the run.

        A raw ctypes callback, as for blocks (observers hook every op boundary, and the
        binding's wrapper adds microseconds to every call). An exception stops the run and
        is raised from :meth:`run`."""

        def cb(_uc: Any, _address: int, _size: int, _data: Any) -> None:
            try:
                callback()
            except BaseException as e:  # noqa: BLE001 - raised again by run()
                if self._hook_error is None:
                    self._hook_error = e
                self.uc.emu_stop()

        raw = _CODE_HOOK(cb)
        _hook_add(self, unicorn.UC_HOOK_CODE, ctypes.cast(raw, ctypes.c_void_p).value, 0, address)
        self._keep.append(raw)
        # Unicorn applies a code hook only to blocks it translates from now on: a hook added
        # during the run at an address whose block already ran would never fire.
        self.flush_code(address, address + 2)

    def hook_interrupt(self, callback: Callable[[int], None]) -> None:
        def cb(uc: Any, intno: int, _: Any) -> None:
            callback(intno)

        self._keep.append(cb)
        self.uc.hook_add(unicorn.UC_HOOK_INTR, cb)

    def hook_bad_access(self, callback: Callable[[str, int, int], None]) -> None:
        """``callback(kind, address, size)`` on an access Unicorn refuses (then it stops).

        Call it after the memory map is complete. The hooks cover only what can be refused:
        the gaps between mapped regions, and the regions that lack a permission. A hook over
        an address keeps Unicorn's stores to it on the slow path (``uc_mem_hook_installed``
        in ``notdirty_write``), so one unbounded hook would slow every store to RAM.
        """

        def cb(uc: Any, access: int, address: int, size: int, value: int, _: Any) -> bool:
            callback(ACCESS_NAMES.get(access, "access"), address, size)
            return False

        self._keep.append(cb)
        self.bad_access_ranges: list[tuple[int, int]] = []  # inclusive, as Unicorn's hooks
        regions = sorted(self.uc.mem_regions())
        start = 0
        for begin, end, perms in [*regions, (1 << 32, 1 << 32, unicorn.UC_PROT_ALL)]:
            if begin > start:  # a gap: nothing mapped in [start, begin)
                self.uc.hook_add(unicorn.UC_HOOK_MEM_UNMAPPED, cb, begin=start, end=begin - 1)
                self.bad_access_ranges.append((start, begin - 1))
            if perms != unicorn.UC_PROT_ALL and end > begin:
                self.uc.hook_add(unicorn.UC_HOOK_MEM_PROT, cb, begin=begin, end=end)
                self.bad_access_ranges.append((begin, end))
            start = max(start, end + 1)

    def hook_reads(self, begin: int, end: int, callback: Callable[[int, int], None]) -> None:
        """``callback(address, size)`` for every data read in ``[begin, end]`` (slows loads)."""

        def cb(uc: Any, access: int, address: int, size: int, value: int, _: Any) -> None:
            callback(address, size)

        self._keep.append(cb)
        self.uc.hook_add(unicorn.UC_HOOK_MEM_READ, cb, begin=begin, end=end)

    def hook_writes(self, begin: int, end: int, callback: Callable[[int, int], None]) -> None:
        """``callback(address, size)`` for every data write in ``[begin, end]``."""

        def cb(uc: Any, access: int, address: int, size: int, value: int, _: Any) -> None:
            callback(address, size)

        self._keep.append(cb)
        self.uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, cb, begin=begin, end=end)

    def flush_code(self, begin: int, end: int) -> None:
        """Drop translated code in ``[begin, end)`` so hooks added since apply to it."""
        self.uc.ctl_remove_cache(begin, end)

    # -- running --------------------------------------------------------------------------
    def run(self, pc: int) -> str | None:
        """Run from ``pc`` until stopped; returns None or the kind of error that stopped it."""
        try:
            self.uc.emu_start(pc | 1, 0xFFFFFFFF)
        except unicorn.UcError as e:
            return ERRORS.get(e.errno, f"unicorn error {e.errno}: {e}")
        finally:
            error, self._hook_error = self._hook_error, None
            if error is not None:
                raise error
        return None

    def stop(self) -> None:
        self.uc.emu_stop()


def execute_never(address: int) -> bool:
    """Whether the default memory map makes ``address`` Execute Never (Armv7-M ARM DDI 0403E
    B3.1 table B3-1, the same regions in Armv6-M DDI 0419E): Peripheral, Device and System."""
    return 0x40000000 <= address < 0x60000000 or address >= 0xA0000000


# -- Unicorn's private details, kept here and checked by tests/test_native.py ------------------
def _raw() -> tuple[Any, Any]:
    """(the binding's loaded C library, the uc_hook handle type); raises on an upgrade that
    moved them."""
    from unicorn.unicorn_py3 import unicorn as binding

    return binding.uclib, binding.uc_hook_h


def reg_id(name: str) -> int:
    """Unicorn's id of a register name (for C code reading registers itself)."""
    return _REGS[name]


def is_register(name: str) -> bool:
    """A register name :func:`reg_id` knows (``r0``, ``sb``, ``lr``, ...)."""
    return name in _REGS


def reg_read_function() -> int:
    """The address of Unicorn's C ``uc_reg_read``."""
    return ctypes.cast(_raw()[0].uc_reg_read, ctypes.c_void_p).value


def _hook_add(
    cpu: Cpu,
    kind: int,
    callback: int,
    user_data: int = 0,
    address: int | None = None,
    end_address: int | None = None,
) -> None:
    """``uc_hook_add`` on the raw engine handle: ``callback`` is a C function address, called
    for every block, instruction or access, or only for those in ``[address, end_address]``
    (``end_address`` defaults to ``address``)."""
    lib, hook_t = _raw()
    handle = hook_t()
    begin, end = (1, 0) if address is None else (address, end_address or address)  # 1>0: all
    err = lib.uc_hook_add(
        cpu.uc._uch,
        ctypes.byref(handle),
        kind,
        ctypes.c_void_p(callback),
        ctypes.c_void_p(user_data or None),
        ctypes.c_uint64(begin),
        ctypes.c_uint64(end),
    )
    if err != unicorn.UC_ERR_OK:
        raise unicorn.UcError(err)
    cpu._keep.append(handle)


def hook_code_native(cpu: Cpu, address: int, callback: int, user_data: int) -> None:
    """Register a C ``UC_HOOK_CODE`` callback (a function address) on one instruction."""
    _hook_add(cpu, unicorn.UC_HOOK_CODE, callback, user_data, address)


def hook_reads_native(cpu: Cpu, begin: int, end: int, callback: int, user_data: int) -> None:
    """Register a C ``UC_HOOK_MEM_READ`` callback for data reads in ``[begin, end]``."""
    _hook_add(cpu, unicorn.UC_HOOK_MEM_READ, callback, user_data, begin, end)


def hook_block_native(cpu: Cpu, callback: int, user_data: int) -> None:
    """Register a C ``UC_HOOK_BLOCK`` callback (a function address) on the raw engine handle."""
    _hook_add(cpu, unicorn.UC_HOOK_BLOCK, callback, user_data)
