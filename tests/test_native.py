"""The native fast path and the pure-Python path give identical results, bit for bit; and the
private Unicorn details the fast path relies on are still where it expects them."""

from __future__ import annotations

import dataclasses

import pytest
from simtest import ELF, elf

from mcusim.config import load_target
from mcusim.machine import native
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
    from mcusim.machine.cpu import Cpu, _raw

    lib, hook_type = _raw()
    assert hasattr(lib, "uc_hook_add") and hasattr(lib, "uc_hook_del")
    assert hook_type is not None
    cpu = Cpu("cortex-m4")
    assert cpu.uc._uch, "Unicorn's binding no longer exposes the raw engine handle as _uch"


# -- the C decoder and costing (fastpath.c + thumb.c) ------------------------------------------
COSTED = [
    ("mps2-an386", "kws-opt"),  # Cortex-M4F, DSP and FP code, no flash wait states
    ("apollo3", "anomaly-opt"),  # Cortex-M4F from a cached flash
    ("mps2-an385", "microbench"),  # Cortex-M3
    ("rp2040", "microbench"),  # Cortex-M0+
    ("stm32f103", "hello"),  # Cortex-M3 from flash with wait states and prefetch
]


def _native_run(target, app, **options):
    from mcusim.image.elf import Firmware
    from mcusim.simulator import _Run

    run = _Run(load_target(target), RunOptions(native=True, **options), Firmware(elf(target, app)))
    return run, run.execute()


@pytest.mark.parametrize(("target", "app"), COSTED)
def test_c_decodes_and_costs_every_block_of_the_samples_as_python_would(target, app):
    """Every block of these runs is costed in C (none fell back to Python), and each block's
    static costs equal what the Python decoder and cost model give for it."""
    from mcusim.timing.accounting import static_costs
    from mcusim.timing.decode import decode

    run, result = _native_run(target, app)
    assert result.exit_reason == "exit"
    blocks = run.counter.all_blocks()
    assert blocks and all(isinstance(b, native.NativeBlock) for b in blocks), [
        f"0x{b.address:08x}" for b in blocks if not isinstance(b, native.NativeBlock)
    ]
    model = run.model
    for b in blocks:
        insns = decode(run.cpu.read(b.address, b.size), b.address, model.names)
        cost = model.cost_block(insns)
        s = static_costs(model, cost, insns, b.address)
        where = f"block 0x{b.address:08x}+{b.size}"
        assert (b.cost_seq, b.cost_entry, b.entry_pen) == (
            s.cost_seq,
            s.cost_entry,
            s.entry_pen,
        ), where
        assert (b.taken_extra, b.self_loop) == (s.taken_extra, s.self_loop), where
        assert (b.n_insns, b.uses_fp) == (len(insns), cost.fp_first is not None), where


def test_alignment_checks_send_new_blocks_to_python_costing():
    run, result = _native_run("mps2-an386", "hello", check_alignment=True)
    assert result.exit_reason == "exit"
    assert not any(isinstance(b, native.NativeBlock) for b in run.counter.all_blocks())


MODEL_APPS = [
    ("mps2-an386", "kws-opt"),
    ("stm32f103", "sine"),
    ("efm32wg", "sine-opt"),
    # every target's own memory timing (wait states, prefetch, caches) on a model app
    *((t.name, "anomaly") for t in sorted(ELF.iterdir()) if (t / "anomaly.elf").is_file()),
]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "app"), MODEL_APPS)
def test_model_apps_report_the_same_on_both_paths(target, app):
    t = load_target(target)
    slow = Simulator(t, RunOptions(native=False)).run(elf(target, app))
    fast = Simulator(t, RunOptions(native=True)).run(elf(target, app))
    assert fast.exit_reason == "exit"
    assert _comparable(fast) == _comparable(slow)


def test_raw_register_reads_match_the_binding():
    """Cpu.reg reads through Unicorn's C API directly (a private detail): every register name
    it knows must read what the binding's own reg_read gives."""
    from mcusim.machine.cpu import _REGS, Cpu

    cpu = Cpu("cortex-m4")
    for i, name in enumerate(sorted(_REGS)):
        if name not in ("xpsr", "ipsr", "control", "primask", "basepri", "faultmask", "fpscr"):
            cpu.set_reg(name, 0x10203040 + 0x01010101 * i)
    for name, reg_id in _REGS.items():
        assert cpu.reg(name) == cpu.uc.reg_read(reg_id), name
    assert cpu.reg("r7") == 0x10203040 + 0x01010101 * sorted(_REGS).index("r7")


def test_an_exception_in_an_address_hook_stops_the_run_and_is_raised():
    from mcusim.machine.cpu import Cpu

    cpu = Cpu("cortex-m4")
    cpu.map_memory(0, 0x1000, "rwx")
    cpu.write(0, bytes.fromhex("00bf00bf00bf00de"))  # nop; nop; nop; udf
    seen = []

    def boom() -> None:
        seen.append(cpu.reg("pc"))
        raise ValueError("from the hook")

    cpu.hook_address(2, boom)
    with pytest.raises(ValueError, match="from the hook"):
        cpu.run(0)
    assert seen == [2]


def test_c_operand_cycles_match_the_model_for_divides_and_long_multiplies():
    """fastpath.c's operand hook charges what CycleModel.operand_cycles says, for edge and
    random source values, signed and unsigned, on the cores whose tables make them vary."""
    import random

    from mcusim.config.core import load_core
    from mcusim.timing.model import CycleModel

    lib = native.library()
    rng = random.Random(5)
    edges = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000]
    edges += [0xFFFFFFFF, 0xFFFFFF80, 0xFFFF8000, 0xFF800000]
    values = edges + [rng.getrandbits(rng.randint(1, 32)) for _ in range(60)]
    checked = 0
    for core in ("cortex-m3", "cortex-m4"):
        model = CycleModel(load_core(core))
        for name, cls in (("sdiv", "div"), ("udiv", "div"), ("smull", "long_mul")) + (
            ("umull", "long_mul"),
            ("smlal", "long_mla"),
            ("umlal", "long_mla"),
        ):
            c = model.core.classes.get(cls)
            if c is None or c.cycles_max is None:
                continue
            lo = c.cycles_min if c.cycles_min is not None else c.cycles
            kind, signed = native.OPERAND_KINDS[cls], name.startswith("s")
            for a in values:
                for b in values:
                    if cls == "div" and b == 0:
                        continue  # left to Python (CCR.DIV_0_TRP)
                    want = model.operand_cycles(cls, name, a, b)
                    got = lib.fp_operand_cycles(kind, signed, a, b, lo, c.cycles_max)
                    assert got == want, (core, name, hex(a), hex(b))
                    checked += 1
    assert checked > 10_000


def test_m3_long_multiplies_and_divides_are_charged_in_c_like_python():
    run, result = _native_run("mps2-an385", "anomaly")
    assert run.counter._operand_fallbacks, "no operand-dependent instruction was hooked in C"
    slow = Simulator(load_target("mps2-an385"), RunOptions(native=False)).run(
        elf("mps2-an385", "anomaly")
    )
    assert _comparable(result) == _comparable(slow)


def test_per_op_profile_is_the_same_on_both_paths():
    """The profiler's stack and arena checks run in C on the native path and in numpy on the
    Python path: the per-op table (cycles, stack and arena figures) must not differ."""
    from mcusim.profile.profiler import OpProfiler

    t = load_target("mps2-an386")
    results = []
    for use_native in (False, True):
        profiler = OpProfiler()
        r = Simulator(t, RunOptions(native=use_native, observers=(profiler,))).run(
            elf("mps2-an386", "kws-opt")
        )
        results.append(r.extensions["ops"])
    slow, fast = results
    assert fast["ops"] and any(op["stack_peak_bytes"] for op in fast["ops"])
    assert any(op["arena_bytes_changed"] for op in fast["ops"])
    assert fast == slow


@pytest.mark.parametrize(("target", "app"), [("apollo3", "kws-opt"), ("stm32f103", "hello")])
def test_a_run_mixing_c_and_python_costed_blocks_reports_the_same(target, app, monkeypatch):
    """Blocks holding an LDR are sent to Python costing (as an instruction the C decoder or
    the table does not know would be), the rest stay in C: the shared records (first fetches
    of cached flash lines, per-block extras) must still give the pure-Python result."""
    stem = native.NativeCycleCounter._stem

    def python_for_ldr(self, mnemonic, entry):
        rc = stem(self, mnemonic, entry)
        if mnemonic.split(b".")[0] == b"ldr":
            native._Stem.from_address(entry).flags |= native.ST_PYTHON
        return rc

    monkeypatch.setattr(native.NativeCycleCounter, "_stem", python_for_ldr)
    run, mixed = _native_run(target, app)
    kinds = {isinstance(b, native.NativeBlock) for b in run.counter.all_blocks()}
    assert kinds == {True, False}
    slow = Simulator(load_target(target), RunOptions(native=False)).run(elf(target, app))
    assert _comparable(mixed) == _comparable(slow)


class _Engine:
    """An observer that keeps the run's engine wrapper, to look at how it was set up."""

    name = "engine"

    def attach(self, probe) -> None:
        self.cpu = probe.cpu

    def finish(self, probe) -> dict:
        return {}


def test_stores_to_ram_can_leave_unicorns_slow_path():
    """Unicorn keeps a page's stores on its slow path while any memory hook covers the page or
    its TLB entry is executable (cpu.Cpu._use_virtual_tlb): our TLB fill must run, and no
    bad-access hook may cover RAM, or every store of a run costs a helper call (README "Speed:
    the engine")."""
    engine = _Engine()
    target = load_target("mps2-an386")
    r = Simulator(target, RunOptions(observers=(engine,))).run(elf("mps2-an386", "kws-opt"))
    assert r.exit_code == 0
    assert engine.cpu.tlb_fills > 0  # the virtual TLB is in use
    ram = [m for m in target.memory if m.kind == "ram"]
    assert ram and engine.cpu.bad_access_ranges
    for lo, hi in engine.cpu.bad_access_ranges:
        assert all(hi < m.base or lo >= m.base + m.size_bytes for m in ram), (hex(lo), hex(hi))
    # the gaps are covered: an access to nothing still faults with its address
    assert any(lo <= 0x10000000 <= hi for lo, hi in engine.cpu.bad_access_ranges)
