"""Exceptions, timers, faults, stops and memory reports on real sample firmware."""

from __future__ import annotations

import re
from pathlib import Path

from simtest import elf, needs_gcc

from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator


def run(target: str, app: str, **options):
    return Simulator(load_target(target), RunOptions(**options)).run(elf(target, app))


def test_systick_interrupts_count_against_the_modelled_clock():
    r = run("mps2-an386", "systick")
    assert r.exit_code == 0, r.message
    assert "ticks = 50" in r.console
    assert r.exceptions_taken == {"SysTick": 50}
    # The firmware measures 50 periods of 10,000 cycles with DWT_CYCCNT (reading the modelled
    # counter): between two reads around the wait, a little more than 500,000 cycles.
    dwt = int(re.search(r"dwt cycles = (\d+)", r.console).group(1))
    assert 500_000 <= dwt < 500_200
    assert r.sleep_cycles > 0.9 * 500_000  # it sleeps in WFI between ticks
    assert r.cycles >= dwt


def test_systick_on_cortex_m0plus_uses_the_same_timer_model():
    r = run("rp2040", "systick")
    assert r.exit_code == 0, r.message
    assert "systick cycles = 500000" in r.console
    assert r.exceptions_taken == {"SysTick": 50}


def test_a_bus_fault_is_reported_like_a_debugger_would():
    r = run("mps2-an386", "fault")
    fw = elf("mps2-an386", "fault")
    from mcusim.image.elf import Firmware

    fault_insn = Firmware(fw).symbols["fault_insn"] & ~1
    assert r.exit_reason == "fault" and r.exit_code == 1
    f = r.fault
    assert f.kind == "HardFault"
    assert "forced from BusFault" in f.cause and "PRECISERR" in f.cause
    assert f.pc == fault_insn and f.pc_symbol.startswith("main+")
    assert f.address == 0xCFFFFFF0
    assert f.stacked_frame["pc"] == fault_insn
    assert set(f.registers) >= {"r0", "r12", "sp", "lr", "pc", "xpsr"}


def test_cortex_m0plus_faults_escalate_to_hardfault_without_forced():
    r = run("rp2040", "fault")
    assert r.fault.kind == "HardFault" and "forced" not in r.fault.cause


def test_wfi_with_no_interrupt_source_halts_with_pc_and_symbol():
    r = run("mps2-an386", "idle")
    assert r.exit_reason == "halted" and r.exit_code == 0
    assert re.search(r"WFI at 0x[0-9a-f]{8} \(main\+0x[0-9a-f]+\)", r.message)


def test_unmodelled_mmio_is_counted_and_listed_with_the_pc():
    r = run("mps2-an386", "idle")
    (access,) = [m for m in r.unknown_mmio if m.address == 0x40010000]
    assert access.access == "read" and access.count == 1
    assert access.pc_symbol.startswith("main")


def test_cycle_limit_stops_a_firmware_that_never_exits():
    r = run("mps2-an386", "spin", max_cycles=200_000)
    assert r.exit_reason == "limit" and r.exit_code == 124
    assert 200_000 <= r.cycles < 200_100
    assert "spin: counting forever" in r.console


def test_host_time_limit_stops_a_run():
    r = run("mps2-an386", "spin", timeout_s=0.0, poll_cycles=10_000)
    assert r.exit_reason == "timeout" and r.exit_code == 124
    assert r.cycles >= 10_000


def test_semihosting_exit_code_becomes_the_result():
    r = run("mps2-an386", "exitcode")
    assert r.exit_reason == "exit" and r.exit_code == 3


def test_stack_peak_is_measured_by_painting():
    r = run("mps2-an386", "hello")
    assert 16 <= r.stack_peak_bytes <= 512
    assert r.stack_size_bytes >= 4096


def test_svc_pendsv_preemption_psp_and_fp_context_behave_as_on_silicon():
    for target in ("mps2-an386", "mps2-an385"):
        r = run(target, "exceptions")
        assert r.exit_code == 0, r.console
        assert "FAIL" not in r.console and r.console.count(": ok") >= 7
        assert r.exceptions_taken["SVCall"] >= 2 and r.exceptions_taken["PendSV"] == 2
        assert r.exceptions_taken["SysTick"] == 1
        assert r.exceptions_taken["IRQ0"] == 1
    itm = run("mps2-an386", "exceptions").console_by_source["itm"]
    assert itm == "exceptions: hello over ITM port 0\n"


def test_a_reset_request_ends_the_run():
    r = run("mps2-an386", "reset")
    assert r.exit_reason == "reset" and "SYSRESETREQ" in r.message


def test_fpu_use_with_cpacr_disabled_faults_at_the_fp_instruction():
    from mcusim.image.elf import Firmware

    r = run("mps2-an386", "fpu_off")
    fp_insn = Firmware(elf("mps2-an386", "fpu_off")).symbols["fp_insn"] & ~1
    assert r.exit_reason == "fault" and r.exit_code == 1
    assert r.fault.kind == "HardFault" and "NOCP" in r.fault.cause
    assert r.fault.pc == fp_insn


def test_fp_code_on_a_core_without_fpu_is_a_nocp_fault_at_the_fp_instruction():
    """An M4F build run on the Cortex-M3 target: its first FP instruction (a VPUSH at the start
    of mce_parse_tensors, the first step of the engine's init) is a NOCP UsageFault, escalated to
    HardFault, reported at that instruction."""
    from mcusim.image.elf import Firmware

    path = elf("mps2-an386", "anomaly")
    r = Simulator(load_target("mps2-an385")).run(path)
    assert r.exit_reason == "fault" and r.exit_code == 1
    assert r.fault.kind == "HardFault" and "NOCP" in r.fault.cause
    assert "target has no FPU" in r.fault.detail
    assert r.fault.pc_symbol.startswith("mce_parse_tensors+")
    assert 0 < r.fault.pc - (Firmware(path).symbols["mce_parse_tensors"] & ~1) < 16


FP_RDIMON = r"""
#include <stdint.h>
volatile float g_a = 1.5f;
int main(void)
{
#ifdef ENABLE_FPU
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10, CP11 full access */
    __asm__ volatile("dsb\n isb");
#endif
    return (int)(g_a * 3.0f); /* 4 */
}
"""


@needs_gcc
def test_a_semihosted_hard_float_program_without_cpacr_faults_on_both_paths(tmp_path):
    """A "form 2" image (newlib rdimon start-up, no vector table, entry _mainCRTStartup) built
    for hard float: nothing enables the FPU, so its first FP instruction is a NOCP UsageFault,
    as QEMU's mps2-an386 also shows (it locks up). The C fast path used to start with the FPU
    allowed and ran such code; the Python path faulted."""
    import subprocess

    src = tmp_path / "fp.c"
    src.write_text(FP_RDIMON)
    base = ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16",
            "-mfloat-abi=hard", "-O1", "--specs=rdimon.specs", str(src)]  # fmt: skip
    off, on = tmp_path / "off.elf", tmp_path / "on.elf"
    subprocess.run([*base, "-o", str(off)], check=True, capture_output=True)
    subprocess.run([*base, "-DENABLE_FPU", "-o", str(on)], check=True, capture_output=True)
    for native in (True, False):
        r = Simulator(load_target("mps2-an386"), RunOptions(native=native)).run(off)
        assert r.exit_reason == "fault", (native, r.message)
        assert "NOCP" in r.fault.cause and r.fault.pc_symbol.startswith("main+"), native
        r = Simulator(load_target("mps2-an386"), RunOptions(native=native)).run(on)
        assert r.exit_reason == "exit" and r.exit_code == 4, (native, r.message)


@needs_gcc
def test_the_dwt_cycle_counter_exists_on_armv7m_and_not_on_armv6m(tmp_path):
    """Self-timing firmware reads CYCCNT: on the Cortex-M4 it counts (NUMCOMP 4 here); an
    Armv6-M DWT has no cycle counter, so on the Cortex-M0+ the same code reads zero twice and
    DWT_CTRL shows the two comparators, as on the chip."""
    from simtest import build_bare_m4

    src = Path(__file__).resolve().parent / "dwt_probe.c"
    m4 = build_bare_m4(src, tmp_path / "m4.elf", flags=("-O1",))
    m0 = build_bare_m4(src, tmp_path / "m0.elf", flags=("-O1", "-mcpu=cortex-m0plus"))
    board = tmp_path / "m0plus.toml"
    board.write_text(
        'schema = 1\nname = "m0plus-mps2"\nextends = "mps2-an385"\n'
        'core = "cortex-m0plus"\nfpu = false\n'
    )
    r = Simulator(load_target("mps2-an386")).run(m4)
    assert (r.exit_reason, r.exit_code) == ("exit", 0x41), r.message
    r = Simulator(load_target(board)).run(m0)
    assert (r.exit_reason, r.exit_code) == ("exit", 0x20), r.message
