"""The fast decoder (capstone's light mode plus our operand parsing) agrees with capstone's
detail mode on every instruction of the sample firmware, for everything the cycle model uses.

The reference, tests/_reference_decode.py, is the detail-mode decoder mcusim used before: about
50x slower. Two differences are intended: CBZ/CBNZ are conditional branches (capstone marks
them "always"), and capstone reports the IT instruction itself as conditional.
"""

from __future__ import annotations

import pytest
from _reference_decode import decode as reference_decode
from simtest import ELF

from mcusim.config.core import load_core
from mcusim.image.elf import Firmware
from mcusim.timing.decode import decode
from mcusim.timing.model import CycleModel

GENERAL = {f"r{i}" for i in range(13)} | {f"s{i}" for i in range(32)} | {f"d{i}" for i in range(16)}
CASES = {
    "cortex-m4": [
        "mps2-an386/hello",
        "mps2-an386/microbench",
        "mps2-an386/exceptions",
        "mps2-an386/kws-opt",
        "mps2-an386/vision",
        "mps2-an386/sine",
    ],
    "cortex-m3": ["mps2-an385/hello", "mps2-an385/microbench", "mps2-an385/kws"],
    "cortex-m0plus": ["rp2040/hello", "rp2040/microbench", "rp2040/kws"],
}


def _programs():
    for core, names in CASES.items():
        for name in names:
            path = ELF / f"{name}.elf"
            if path.is_file():
                yield core, path


@pytest.mark.parametrize(
    ("core", "path"),
    list(_programs()),
    ids=lambda v: v if isinstance(v, str) else v.parent.name + "/" + v.stem,
)
def test_fast_decoder_matches_capstone_detail_mode(core, path):
    model = CycleModel(load_core(core))
    checked = 0
    for seg in Firmware(path).segments:
        if not seg.executable:
            continue
        ref = reference_decode(seg.data, seg.paddr)
        fast = decode(seg.data, seg.paddr, model.names)
        assert [(i.address, i.size) for i in fast] == [(i.address, i.size) for i in ref]
        for r, f in zip(ref, fast, strict=True):
            where = f"{r.address:#x} {r.mnemonic} {r.op_str}"
            if r.mnemonic.split(".")[0] != "nop":  # capstone names NOP "hint": both 1 cycle
                assert model.classify(f) == model.classify(r), where
            assert (f.mem_base, f.mem_index) == (r.mem_base, r.mem_index), where
            assert (f.reg_list_words, f.pc_in_list, f.target) == (
                r.reg_list_words,
                r.pc_in_list,
                r.target,
            ), where
            if r.name not in ("cbz", "cbnz", "it"):
                assert f.conditional == r.conditional, where
            if r.name not in ("vpush", "vstmdb"):  # capstone lists the pushed registers
                assert f.regs_write & GENERAL == r.regs_write & GENERAL, where
            checked += 1
    assert checked > 100
