"""Which function is each TFLM op's entry point, from the op registrations alone (no DWARF).

TFLM names most kernels' entry point ``Eval`` in an anonymous namespace (``conv.cc``,
``fully_connected.cc``, ``depthwise_conv.cc`` ... of the 2021 releases), so in a build without
debug information the symbol does not tell the op. The registration does: each kernel file
defines ``Register_<OP>()`` (``tflite::Register_CONV_2D``, ``tflite::ops::micro::Register_RESHAPE``,
``Register_FULLY_CONNECTED_INT8`` ...), a global function whose code takes the addresses of the
kernel's init, prepare and invoke functions from its literal pool (TFLM of 2021-2022 fills a
``TfLiteRegistration`` in place; newer releases pass them to ``micro::RegisterOp``; TF 2.3 returns
a static registration in .data, one pointer away: there the first evaluating pointer of the
struct, which may be followed by another kernel's). The invoke function is the one among them
whose name says it evaluates (``Eval``/``Invoke``), so ``Register_CONV_2D`` -> that file's
``Eval`` is CONV_2D; a registration naming several is left out.
"""

from __future__ import annotations

import re
import struct

from mcusim.image.elf import Firmware

_MANGLED = re.compile(r"(\d+)Register_")
_PLAIN = re.compile(r"Register_([A-Z][A-Z0-9_]*)")
# Type-specialised registrations of one op (Register_FULLY_CONNECTED_INT8, ..._INT16 ...).
_TYPE_SUFFIX = re.compile(r"_(?:U?INT\d+|FLOAT\d*|INT8REF|INT16REF)$")
_EVAL = re.compile(r"Eval|Invoke")
_STRUCT_WORDS = 8  # a TfLiteRegistration's leading words: init, free, prepare, invoke, ...


def registered_name(symbol: str) -> str | None:
    """``_ZN6tflite16Register_CONV_2DEv`` or ``tflite::Register_CONV_2D()`` -> ``CONV_2D``."""
    m = _MANGLED.search(symbol)
    if m:
        start = m.end(1)
        ident = symbol[start : start + int(m.group(1))]
        return ident[len("Register_") :] or None
    m = _PLAIN.search(symbol)
    return m.group(1) if m else None


def op_of_registration(name: str, ops: set[str]) -> str | None:
    """The op (one of ``ops``) a registration name stands for: itself, or itself less a type
    suffix (``FULLY_CONNECTED_INT8`` -> ``FULLY_CONNECTED``)."""
    if name in ops:
        return name
    base = _TYPE_SUFFIX.sub("", name)
    return base if base in ops else None


def _words(fw: Firmware, address: int, size: int) -> list[int]:
    """The aligned words of [address, address + size) that the image holds (fewer at the end
    of a segment)."""
    address, n = address & ~3, size // 4
    while n and (data := fw.read(address, 4 * n)) is None:
        n //= 2
    return list(struct.unpack(f"<{n}I", data)) if n else []


def registered_invokes(fw: Firmware, ops: set[str]) -> dict[int, str]:
    """Invoke function address -> op, for every ``Register_<OP>`` function of ``fw`` whose op
    is in ``ops`` and whose literal pool (or the static registration it points to) names
    exactly one evaluating function."""
    starts = {f.address: f for f in fw.functions if f.size}
    out: dict[int, str] = {}
    for f in fw.functions:
        reg = registered_name(f.name) if "Register_" in f.name else None
        op = op_of_registration(reg, ops) if reg else None
        if op is None or not f.size:
            continue
        found = set()
        for w in _words(fw, f.address, f.size):
            target = starts.get(w & ~1)
            if target is not None and w & 1:
                found.add(target.address)
            elif target is None and not w & 3:  # a static registration in data: its first
                for v in _words(fw, w, 4 * _STRUCT_WORDS):  # evaluating function pointer
                    if v & 1 and (v & ~1) in starts and _EVAL.search(starts[v & ~1].name):
                        found.add(v & ~1)
                        break
        evals = [a for a in found if _EVAL.search(starts[a].name)]
        if len(evals) == 1:
            out.setdefault(evals[0], op)
    return out
