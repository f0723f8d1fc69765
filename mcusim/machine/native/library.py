"""The native fast path's C library: its ctypes structures and calls, and how it is found (L3.5).

``mcusim/_native/fastpath.c`` (with the Thumb decoder ``thumb.c``) is compiled when the package
is installed (a hatchling build hook calls the system C compiler). It counts cycles block by
block and decodes and costs new blocks itself from the core table this module hands it; a block
it cannot cost (an instruction its decoder or the table does not know, alignment checks on) is
decoded and costed here in Python, the same way the pure-Python path does. When the library is
missing, runs use the pure-Python hook with a one-line notice; both give the same counts.
``MCUSIM_NATIVE=0`` forces the Python path.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from pathlib import Path

from mcusim.timing.model import (
    DATA_PROCESSING,
    FP_CLASSES,
    FP_RESULT,
    LOADS_AFTER_STORE,
    PIPELINE_FOLLOWERS,
    SINGLE_LOADS,
)

_DIR = Path(__file__).resolve().parents[2] / "_native"
EVENT = ctypes.CFUNCTYPE(
    ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int64, ctypes.c_int32
)
STEM = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_char_p, ctypes.c_void_p)
OPERAND = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_uint64)
OPERAND_KINDS = {"div": 0, "long_mul": 1, "long_mla": 2}  # fastpath.c OP_*
NO_PREV = (1 << 64) - 1
I64 = ctypes.c_int64

# fastpath.c's FL_* block flags and ST_* mnemonic flags
FL_SELF_LOOP, FL_FP, FL_ALIGN = 1, 2, 4  # (FL_NATIVE, 8, is set and read in C only)
FL_IT_ENDED = 16
ST_CONDITIONAL, ST_MOV_ADD, ST_B, ST_PYTHON = 1, 2, 4, 8
# fp_block_info's order
BLOCK_FIELDS = (
    "address",
    "size",
    "cost_seq",
    "cost_entry",
    "entry_pen",
    "taken_extra",
    "flags",
    "n_insns",
    "extra",
    "count",
    "entries",
    "taken_out",
)
# the K_* kinds of a class: the sets model.py's rules test, by class name
KINDS = (
    (DATA_PROCESSING.__contains__, 1),
    (SINGLE_LOADS.__contains__, 2),
    (PIPELINE_FOLLOWERS.__contains__, 4),
    (FP_RESULT.__contains__, 8),
    (FP_CLASSES.__contains__, 16),
    ("store".__eq__, 32),
    (("fp_load", "fp_store").__contains__, 64),
    ("fp_move".__eq__, 128),
    ("load_literal".__eq__, 256),
    ("fp_mac".__eq__, 512),
    (LOADS_AFTER_STORE.__contains__, 1024),
)
SELECTED = ("alu", "alu_pc", "load", "load_pc", "load_literal", "load_multiple", "pop_pc")


class _State(ctypes.Structure):
    """The public prefix of fp_state in fastpath.c (same order and types)."""

    _fields_ = [
        ("cycles", ctypes.c_uint64),
        ("deadline", ctypes.c_uint64),
        ("block_start", ctypes.c_uint64),
        ("prev", ctypes.c_void_p),
        ("prev_end", ctypes.c_uint64),
        ("current", I64),
        ("error", I64),
        ("executions", ctypes.c_uint64),
        ("it_watch", I64),
        ("it_check", I64),
        ("split_bits", ctypes.c_uint64),
    ]


class _Stem(ctypes.Structure):
    """fp_stem."""

    _fields_ = [
        ("mnemonic", ctypes.c_char * 16),
        ("cls", ctypes.c_int32),
        ("flags", ctypes.c_int32),
        ("mnemonic_cycles", ctypes.c_int32),
        ("used", ctypes.c_int32),
    ]


class _Class(ctypes.Structure):
    """fp_class."""

    _fields_ = [
        (name, ctypes.c_int32)
        for name in (
            "cycles",
            "taken_cycles",
            "per_register_cycles",
            "register_offset_cycles",
            "double_cycles",
            "core_register_cycles",
            "kind",
        )
    ]


class _Rules(ctypes.Structure):
    """fp_rules."""

    _fields_ = [
        (name, ctypes.c_int32)
        for name in (
            "pipelining",
            "pipe_saved",
            "pipe_min",
            "addr_stall",
            "literal_extra",
            "fp_stall",
            "unaligned_target_extra",
            "group_extra",
            "group_min",
            "store_group_min",
            "same_memory",
            "store_load",
            "wb_store_chain",
            "wb_load_pipelines",
            *SELECTED,
        )
    ]


@cache
def library() -> ctypes.CDLL | None:
    """The compiled fast path, or None (see :func:`unavailable_reason`)."""
    if os.environ.get("MCUSIM_NATIVE", "1") == "0":
        return None
    found = sorted(_DIR.glob("_fastpath*.so"))
    if not found:
        return None
    lib = ctypes.CDLL(str(found[0]))
    state = ctypes.POINTER(_State)
    lib.fp_new.restype = state
    lib.fp_new.argtypes = [EVENT]
    lib.fp_free.argtypes = [state]
    lib.fp_register.restype = I64
    lib.fp_register.argtypes = [state, ctypes.c_uint64, ctypes.c_uint32] + [I64] * 6
    lib.fp_set_flags.argtypes = [state, I64, I64]
    lib.fp_set_fp_allowed.argtypes = [state, I64]
    lib.fp_set_costing.argtypes = [state, I64]
    lib.fp_count.restype = I64
    lib.fp_count.argtypes = [state]
    lib.fp_block_info.argtypes = [state, I64, I64, ctypes.c_void_p]
    lib.fp_configure.restype = I64
    lib.fp_configure.argtypes = [state, ctypes.POINTER(_Class), I64, ctypes.POINTER(_Rules), STEM]
    lib.fp_add_region.restype = ctypes.c_void_p
    lib.fp_add_region.argtypes = [state, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p]
    lib.fp_add_region.argtypes += [I64] * 2
    lib.fp_set_timing.argtypes = [ctypes.c_void_p] + [I64] * 4
    lib.fp_invalidate.argtypes = [ctypes.c_void_p, I64, I64]
    lib.fp_set_cache.restype = I64
    lib.fp_set_cache.argtypes = [ctypes.c_void_p] + [I64] * 4
    lib.fp_region_stats.argtypes = [ctypes.c_void_p, ctypes.POINTER(I64)]
    lib.fp_add_operand.restype = ctypes.c_void_p
    lib.fp_add_operand.argtypes = [state, ctypes.c_uint64] + [ctypes.c_int32] * 7
    lib.fp_set_operand_calls.argtypes = [state, ctypes.c_void_p, OPERAND]
    lib.fp_set_xpsr_read.argtypes = [state, ctypes.c_void_p, ctypes.c_int32]
    lib.fp_set_align.restype = I64
    lib.fp_set_align.argtypes = [state, I64, I64, ctypes.c_void_p]
    lib.fp_set_pairs.restype = I64
    lib.fp_set_pairs.argtypes = [state, I64, I64, ctypes.c_void_p]
    lib.fp_set_memory_blocks.restype = I64
    lib.fp_set_memory_blocks.argtypes = [state, I64, ctypes.c_void_p, ctypes.c_void_p]
    lib.fp_set_memory_blocks.argtypes += [ctypes.c_void_p]
    lib.fp_operand_cycles.restype = I64
    lib.fp_operand_cycles.argtypes = [ctypes.c_int32, ctypes.c_int32, ctypes.c_uint32]
    lib.fp_operand_cycles.argtypes += [ctypes.c_uint32, ctypes.c_int32, ctypes.c_int32]
    ptr = ctypes.c_void_p
    lib.fp_paint_words.argtypes = [ptr, ptr, I64, ctypes.c_uint32]
    lib.fp_unpaint_words.restype = I64
    lib.fp_unpaint_words.argtypes = [ptr, ptr, I64, ctypes.c_uint32]
    lib.fp_bytes_changed.restype = I64
    lib.fp_bytes_changed.argtypes = [ptr, ptr, ptr, I64]
    return lib


def unavailable_reason() -> str:
    if os.environ.get("MCUSIM_NATIVE", "1") == "0":
        return "disabled by MCUSIM_NATIVE=0"
    return f"no compiled fast path in {_DIR} (install with a C compiler present)"
