"""The native fast path and the pure-Python path give identical results, bit for bit; and the
private Unicorn details the fast path relies on are still where it expects them."""

from __future__ import annotations

import dataclasses

import pytest
from simtest import ELF, elf

from mcusim import native
from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator

pytestmark = pytest.mark.skipif(native.library() is None, reason=native.unavailable_reason())

CASES = [(t.name, "hello") for t in sorted(ELF.iterdir()) if (t / "hello.elf").is_file()] + [
    ("mps2-an386", "systick"),
    ("rp2040", "systick"),
    ("mps2-an386", "microbench"),
    ("mps2-an385", "microbench"),
    ("rp2040", "microbench"),
    ("mps2-an386", "exceptions"),
    ("mps2-an386", "fault"),
    ("mps2-an386", "idle"),
    ("stm32f103", "hello"),
]


def _comparable(r):
    d = dataclasses.asdict(r)
    for key in ("host_seconds", "accounting"):
        d.pop(key)
    return d


@pytest.mark.parametrize(("target", "app"), CASES)
def test_native_and_python_paths_report_the_same(target, app):
    t = load_target(target)
    slow = Simulator(t, RunOptions(native=False)).run(elf(target, app))
    fast = Simulator(t, RunOptions(native=True)).run(elf(target, app))
    assert (slow.accounting, fast.accounting) == ("python", "native")
    assert _comparable(fast) == _comparable(slow)
    assert fast.cycles > 0


def test_limits_stop_at_the_same_cycle_on_both_paths():
    t = load_target("mps2-an386")
    runs = [
        Simulator(t, RunOptions(native=n, max_cycles=123_457)).run(elf("mps2-an386", "spin"))
        for n in (False, True)
    ]
    assert runs[0].cycles == runs[1].cycles and runs[0].instructions == runs[1].instructions
    assert runs[0].exit_reason == runs[1].exit_reason == "limit"


def test_unicorn_private_details_are_where_the_fast_path_expects_them():
    from mcusim.cpu import Cpu, _raw

    lib, hook_type = _raw()
    assert hasattr(lib, "uc_hook_add") and hasattr(lib, "uc_hook_del")
    assert hook_type is not None
    cpu = Cpu("cortex-m4")
    assert cpu.uc._uch, "Unicorn's binding no longer exposes the raw engine handle as _uch"
