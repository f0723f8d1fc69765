"""The native fast path: a C block hook doing CycleCounter.on_block's work (L3.5); how it is
built and found is in :mod:`mcusim.machine.native.library`."""

from mcusim.machine.native.counter import NativeBlock, NativeCycleCounter
from mcusim.machine.native.library import (
    OPERAND_KINDS,
    ST_PYTHON,
    _Stem,
    library,
    unavailable_reason,
)

__all__ = [
    "OPERAND_KINDS",
    "ST_PYTHON",
    "NativeBlock",
    "NativeCycleCounter",
    "_Stem",
    "library",
    "unavailable_reason",
]
