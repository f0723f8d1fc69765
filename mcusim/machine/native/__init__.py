"""The native fast path: a C block hook doing CycleCounter.on_block's work (L3.5).

``mcusim/_native/fastpath.c`` (with the Thumb decoder ``thumb.c``) is compiled when the package
is installed (a hatchling build hook calls the system C compiler). It counts cycles block by
block and decodes and costs new blocks itself from the core table this module hands it; a block
it cannot cost (an instruction its decoder or the table does not know, alignment checks on) is
decoded and costed here in Python, the same way the pure-Python path does. When the library is
missing, runs use the pure-Python hook with a one-line notice; both give the same counts.
``MCUSIM_NATIVE=0`` forces the Python path.
"""

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
