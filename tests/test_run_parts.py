"""The run's collaborators (mcusim/simulator/), each on its own with plain values or small
stand-ins: no firmware, no Unicorn."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mcusim.simulator.access import AccessLog
from mcusim.simulator.alignment import align_rules, misaligned
from mcusim.simulator.assemble import energy_of
from mcusim.simulator.boot import find_boot
from mcusim.simulator.clock import Clock
from mcusim.simulator.faults import REG_NAMES, build_fault, describe_error, xn_region
from mcusim.simulator.hooks import Heap
from mcusim.simulator.options import RunOptions

# -- fault decoder ------------------------------------------------------------------------


def regs(**values) -> dict[str, int]:
    out = dict.fromkeys(REG_NAMES, 0)
    out.update(values)
    return out


def test_a_usage_fault_not_enabled_in_shcsr_is_reported_as_forced_hardfault():
    f = build_fault(
        "div0", 0x1000, "sdiv r0, r1, r2 with r2 = 0", None,
        regs(r0=7, r12=12, lr=0x2001, xpsr=0x01000000, pc=0xDEAD),
        shcsr=0, armv6m=False, symbolize=lambda a: f"f_{a:x}",
    )  # fmt: skip
    assert (f.kind, f.cause) == ("HardFault", "forced from UsageFault: divide by zero (DIVBYZERO)")
    assert f.pc == 0x1000 and f.registers["pc"] == 0x1000  # the faulting PC, not the core's
    assert f.stacked_frame == {
        "r0": 7, "r1": 0, "r2": 0, "r3": 0, "r12": 12, "lr": 0x2001, "pc": 0x1000,
        "xpsr": 0x01000000,
    }  # fmt: skip
    assert (f.pc_symbol, f.lr_symbol) == ("f_1000", "f_2001")


def test_an_enabled_usage_fault_keeps_its_name_and_armv6m_never_names_the_escalation():
    enabled = build_fault("div0", 0, "", None, regs(), shcsr=1 << 18, armv6m=False, symbolize=str)
    assert enabled.kind == "UsageFault"
    m0 = build_fault("unaligned", 0, "", 3, regs(), shcsr=1 << 18, armv6m=True, symbolize=str)
    assert (m0.kind, m0.cause, m0.address) == ("HardFault", "unaligned access (UNALIGNED)", 3)


def test_a_refused_write_names_the_region_that_is_not_writable():
    flash = SimpleNamespace(name="flash")
    detail, address = describe_error(
        "write_prot", 0x100, bad_access=("write", 0x2000, 4),
        region_at=lambda a: flash if a < 0x10000 else None, read=None, core="cortex-m4",
    )  # fmt: skip
    assert detail == "write of 4 byte(s) at 0x00002000: region 'flash' is not writable"
    assert address == 0x2000


def test_an_undefined_instruction_is_shown_as_its_first_halfword():
    detail, address = describe_error(
        "insn_invalid", 0x100, bad_access=None, region_at=lambda a: None,
        read=lambda pc, n: bytes([0xFF, 0xDE, 0, 0]), core="cortex-m0plus",
    )  # fmt: skip
    assert (detail, address) == ("undefined or unsupported instruction deff on cortex-m0plus", None)


def test_execute_never_regions_are_named_from_the_default_memory_map():
    assert xn_region(0x40001000) == "the Peripheral region (0x40000000-0x5FFFFFFF)"
    assert xn_region(0xE000E010).startswith("the System region")
    assert xn_region(0x20000000) == "this address"


# -- clock and scheduler ------------------------------------------------------------------


class FakeSysTick:
    def __init__(self, wrap: int | None):
        self.wrap = wrap
        self.times: list[int] = []

    @property
    def interrupting(self) -> bool:
        return self.wrap is not None

    def next_wrap(self, now: int) -> int:
        return self.wrap

    def on_time(self, now: int) -> None:
        self.times.append(now)


class FakeExc:
    def __init__(self, pending=(), fire=()):
        self.pending = set(pending)
        self.fire = set(fire)

    def can_fire(self, n: int) -> bool:
        return n in self.fire


def clock(cycles=1000, wrap=None, pending=(), fire=(), **options):
    counter = SimpleNamespace(cycles=cycles, deadline=-1)
    stops: list[tuple[str, str]] = []
    c = Clock(
        counter,
        FakeSysTick(wrap),
        FakeExc(pending, fire),
        RunOptions(**options),
        lambda reason, msg: stops.append((reason, msg)),
    )
    return c, counter, stops


def test_the_deadline_is_the_earliest_of_host_poll_systick_wrap_and_cycle_limit():
    c, counter, _ = clock(wrap=5000, max_cycles=3000, poll_cycles=1 << 22)
    c.schedule()
    assert counter.deadline == 3000  # min(4,194,304 poll, 5,000 wrap, 3,000 limit)
    c, counter, _ = clock(wrap=5000, poll_cycles=1 << 22)
    c.schedule()
    assert counter.deadline == 5000
    c, counter, _ = clock(poll_cycles=2048)
    c.schedule()
    assert counter.deadline == 2048


def test_a_pending_exception_makes_every_block_a_deadline():
    c, counter, _ = clock(cycles=1234, wrap=5000, pending={16})
    c.schedule()
    assert counter.deadline == 1234


def test_polling_at_the_cycle_limit_stops_the_run_and_advances_systick():
    c, _, stops = clock(max_cycles=3000)
    c.poll(3000)
    assert c.systick.times == [3000]
    assert stops == [("limit", "stopped at the cycle limit (--max-cycles 3,000)")]


def test_the_host_poll_moves_on_by_poll_cycles_and_sees_an_interrupt_signal():
    c, _, stops = clock(poll_cycles=100, timeout_s=None)
    c.interrupted = True
    c.poll(150)
    assert c.next_poll == 250
    assert stops == [("interrupted", "interrupted (Ctrl-C / SIGTERM)")]


def test_a_sleeping_core_wakes_at_the_next_wrap_at_once_for_a_firing_exception_or_never():
    assert clock(wrap=5000)[0].next_wake() == 5000
    assert clock(wrap=5000, max_cycles=3000)[0].next_wake() == 3000
    assert clock(cycles=1000, wrap=5000, pending={16}, fire={16})[0].next_wake() == 1000
    assert clock(wrap=None, pending={16})[0].next_wake() is None  # pending but disabled


# -- alignment rules ----------------------------------------------------------------------


def insn(name, base="r0", *, index="", disp=0, op_str="", writes=(), conditional=False):
    return SimpleNamespace(
        name=name, mem_base=base, mem_index=index, mem_disp=disp, op_str=op_str or f"[{base}]",
        regs_write=set(writes), conditional=conditional, dest=base,
    )  # fmt: skip


def test_ldrd_must_be_aligned_and_is_checked_at_block_entry_when_its_base_is_unchanged():
    rules = align_rules([insn("add", writes={"r3"}), insn("ldrd", "r1", disp=8)], trap=False)
    assert rules == ((1, 4, "r1", "", 0, 8, False),)


def test_an_access_whose_base_the_block_changes_first_needs_a_hook():
    rules = align_rules([insn("adds", writes={"r1"}), insn("ldrd", "r1")], trap=False)
    assert rules[0][6] is True


def test_single_loads_count_only_with_the_trap_and_sp_or_conditional_ones_never():
    block = [insn("ldr", "r2"), insn("ldrd", "sp"), insn("ldrd", "r4", conditional=True)]
    assert align_rules(block, trap=False) == ()
    assert align_rules(block, trap=True) == ((0, 4, "r2", "", 0, 0, False),)


def test_the_address_is_base_plus_shifted_index_plus_displacement():
    values = {"r0": 0x20000000, "r1": 3}
    # 0x20000000 + (3 << 2) + 2 = 0x2000000E, not 4-byte aligned
    assert misaligned(values.__getitem__, 4, "r0", "r1", 2, 2) == 0x2000000E
    assert misaligned(values.__getitem__, 4, "r0", "r1", 2, 0) is None


# -- boot ---------------------------------------------------------------------------------


def boot_target(vector_table=0):
    flash = SimpleNamespace(name="flash", base=0, end=0x10000, access="rx", kind="flash")
    ram = SimpleNamespace(name="ram", base=0x20000000, end=0x20008000, access="rw", kind="ram")

    def region_at(address, size=1):
        return next((r for r in (flash, ram) if r.base <= address < r.end), None)

    return SimpleNamespace(
        name="t", memory=[flash, ram], vector_table=vector_table, region_at=region_at
    )


def test_sp_and_pc_come_from_the_vector_table_when_its_reset_vector_is_thumb():
    fw = SimpleNamespace(
        path="fw.elf", entry=0x200, read=lambda a, n: (0x20008000).to_bytes(4, "little")
        + (0x101).to_bytes(4, "little"),
    )  # fmt: skip
    b = find_boot(fw, boot_target())
    assert (b.sp, b.pc, b.vtor, b.how) == (0x20008000, 0x101, 0, "vector table")


def test_without_a_vector_table_the_elf_entry_runs_with_sp_at_the_top_of_ram():
    fw = SimpleNamespace(path="fw.elf", entry=0x200, read=lambda a, n: None)
    b = find_boot(fw, boot_target())
    assert (b.sp, b.pc, b.how) == (0x20008000, 0x201, "ELF entry point (no vector table)")


def test_an_image_linked_after_a_boot_loader_starts_through_its_own_vector_table():
    # an Apollo3 program at 0xC000: nothing at the chip's table (0x0); the table at the start
    # of the image has SP in RAM and the ELF entry as its reset vector, as the boot loader uses
    table = (0x20004000).to_bytes(4, "little") + (0xC201).to_bytes(4, "little")
    seg = SimpleNamespace(paddr=0xC000, data=table + bytes(8))
    fw = SimpleNamespace(
        path="fw.elf", entry=0xC200, segments=[seg],
        read=lambda a, n: table[:n] if a == 0xC000 else None,
    )  # fmt: skip
    b = find_boot(fw, boot_target())
    assert (b.sp, b.pc, b.vtor) == (0x20004000, 0xC201, 0xC000)
    assert "image's vector table at 0x0000c000" in b.how
    other = SimpleNamespace(path="fw.elf", entry=0xC300, segments=[seg], read=fw.read)
    assert find_boot(other, boot_target()).how == "ELF entry point (no vector table)"


def test_a_start_address_outside_executable_memory_is_an_error_naming_it():
    fw = SimpleNamespace(path="fw.elf", entry=0x20000100, read=lambda a, n: None)
    with pytest.raises(Exception, match="start address 0x20000100 .* is not in executable"):
        find_boot(fw, boot_target())


# -- MMIO accesses, heap, energy ----------------------------------------------------------


def test_a_block_reading_the_same_value_poll_limit_times_is_stuck():
    block = SimpleNamespace(address=0x400, insns=[SimpleNamespace(address=0x404)])
    counter = SimpleNamespace(current=block)
    stops = []
    log = AccessLog(
        counter, {}.get, poll_limit=3, stop=lambda *a: stops.append(a), where=lambda pc: f"{pc:x}"
    )
    for value in (1, 0, 0):
        log.note_read(0x40001000, value, None)
    assert stops == []  # two zeros in a row so far (the first read returned 1)
    log.note_read(0x40001000, 0, None)
    assert stops[0][0] == "stuck"
    assert "polls 0x40001000, a register nothing models at 404: 3 reads" in stops[0][1]
    log.note_read(0xE000E010, 0, None)  # the core's own registers are never watched
    assert len(stops) == 1


def test_the_heap_peak_follows_sbrk_increments_and_releases():
    h = Heap()
    for incr in (100, 50, -120, 30):
        h.grow(incr)
    assert (h.used, h.peak) == (60, 150)


def test_energy_counts_active_cycles_at_active_power_and_sleep_at_sleep_power():
    power = SimpleNamespace(
        active_power_mw=lambda clock, from_sram=False: 2.0 if from_sram else 1.0,
        sleep_power_mw=lambda: 0.1,
        source="datasheet",
    )
    t = SimpleNamespace(clock_hz=1_000_000, power=power, name="t")
    e = energy_of(t, [(1e6, 3000, 2000)], from_ram=500)  # 3,000 cycles at 1 MHz, 2,000 asleep
    # active: (1.0 mW * 500 + 2.0 mW * 500 cycles) / 1 MHz = 1.5 µJ; sleep 0.1 mW * 2 ms = 0.2 µJ
    assert e.active_uj == pytest.approx(1.5)
    assert e.energy_uj == pytest.approx(1.7)
    assert e.active_power_mw == pytest.approx(1.5)  # 1.5 µJ over 1 ms
    assert e.note == "datasheet"


def test_energy_follows_each_clock_the_firmware_selected():
    # run current proportional to the clock (µA/MHz): 1 mW at 1 MHz, 4 mW at 4 MHz
    power = SimpleNamespace(
        active_power_mw=lambda clock, from_sram=False: clock / 1e6,
        sleep_power_mw=lambda: 0.1,
        source="datasheet",
    )
    t = SimpleNamespace(clock_hz=4_000_000, power=power, name="t")
    # 1,000 cycles at 1 MHz (1 ms), then 4,000 at 4 MHz (1 ms) of which 2,000 asleep (0.5 ms)
    e = energy_of(t, [(1e6, 1000, 0), (4e6, 4000, 2000)], from_ram=0)
    # awake: 1 mW x 1 ms + 4 mW x 0.5 ms = 3 µJ (the same energy per cycle at either clock);
    # asleep: 0.1 mW x 0.5 ms = 0.05 µJ
    assert e.active_uj == pytest.approx(3.0)
    assert e.energy_uj == pytest.approx(3.05)
    assert e.active_power_mw == pytest.approx(2.0)  # 3 µJ over 1.5 ms awake


def test_the_core_clock_splits_a_run_at_each_change_and_warns_on_wait_states():
    from mcusim.config.clocktree import ClockTree
    from mcusim.simulator.core_clock import CoreClock

    regs = {0x00: 0x63, 0x08: 0, 0x0C: 0x1000, 0x94: 0x0C000600}  # reset: MSI 4 MHz
    tree = ClockTree("stm32l4", "rcc", 8e6, "flash", (20e6, 40e6))
    periph = SimpleNamespace(name="rcc", read=lambda off, size: regs.get(off, 0))
    periph.write = lambda off, size, value: regs.__setitem__(off, value)
    now, ws = [0], [0]
    clock = CoreClock(SimpleNamespace(clock_tree=tree, clock_hz=120e6), now=lambda: now[0],
                      sleep=lambda: 0, wait_states=lambda: ws[0])  # fmt: skip
    clock.watch([periph])
    assert clock.hz == 4e6 and clock.history() == ()
    now[0] = 4000  # 1 ms at 4 MHz
    periph.write(0x08, 4, 0x5)  # SW = SWS = HSI16: 16 MHz, allowed with 0 wait states
    now[0] = 20000  # 1 ms at 16 MHz
    periph.write(0x08, 4, 0xA)  # HSE 8 MHz
    assert clock.history() == ((0, 4e6), (4000, 16e6), (20000, 8e6))
    assert clock.seconds(28000) == pytest.approx(3e-3)  # + 1 ms at 8 MHz
    assert clock.split(28000, 0) == [(4e6, 4000, 0), (16e6, 16000, 0), (8e6, 8000, 0)]
    assert clock.warnings == []
    regs[0x0C] = 0x11003C01  # PLL: MSI 4 MHz x 60 / 2 = 120 MHz, still 0 wait states
    periph.write(0x08, 4, 0xF)
    (warning,) = clock.warnings
    assert "120 MHz" in warning and "0 flash wait state(s)" in warning and "most 20 MHz" in warning
