"""Misbehaving firmware, reported the way a debugger would show it: our own
firmware_samples/apps/misbehave picks its misdeed from the command line (--args NAME)."""

from __future__ import annotations

from pathlib import Path

import pytest
from simtest import DATA, elf, needs_gcc

import mcusim.cli.run
from mcusim.cli import main
from mcusim.config import load_target
from mcusim.image.elf import Firmware
from mcusim.simulator import RunOptions, Simulator

FLASH_BOARD = DATA / "mps2-an386-flash.toml"  # code in read-only flash, RAM not executable


def run(scenario: str, target: str = "mps2-an386", board: str | None = None, **options):
    fw = Firmware(elf(target, "misbehave"))
    opts = RunOptions(max_cycles=50_000_000, timeout_s=60, args=(scenario,), **options)
    result = Simulator(load_target(board or target), opts).run(fw)
    return fw, result


def assert_fault_at(fw, result, label: str, kind: str, cause: str, after: int = 0) -> None:
    f = result.fault
    assert f is not None, result.message
    assert (result.exit_reason, result.exit_code) == ("fault", 1)
    assert f.kind == kind and cause in f.cause, (f.kind, f.cause)
    assert f.pc == (fw.symbols[label] & ~1) + after, (hex(f.pc), label)


def test_an_endless_loop_without_a_limit_stops_at_the_default_timeout_and_says_so(
    monkeypatch, capsys
):
    monkeypatch.setattr(mcusim.cli.run, "DEFAULT_TIMEOUT_S", 0.5)
    assert main(["run", str(elf("mps2-an386", "spin")), "-t", "mps2-an386", "-q"]) == 124
    err = capsys.readouterr().err
    assert "stopped after 0.5 s of host time" in err
    assert "the default limit: no --timeout or --max-cycles was given" in err


def test_the_default_timeout_is_five_minutes():
    assert mcusim.cli.run.DEFAULT_TIMEOUT_S == 300.0


@pytest.mark.parametrize("target", ["mps2-an386", "mps2-an385", "rp2040"])
def test_stack_overflow_below_the_stack_region_is_reported(target):
    fw, r = run("stack", target, check_stack=True)
    assert r.fault.kind == "StackOverflow" and "below its region" in r.fault.cause
    bottom = fw.symbols["__stack_limit__"]
    assert f"below the stack bottom (__stack_limit__ = 0x{bottom:08x})" in r.fault.detail
    assert r.fault.pc_symbol.startswith("recurse")
    assert bottom - 4096 <= r.fault.address < bottom


def test_without_check_stack_a_full_stack_region_is_a_warning():
    _, r = run("stack")
    assert any("used all" in w and "--check-stack" in w for w in r.warnings)


def test_a_write_to_flash_is_a_precise_bus_fault():
    fw, r = run("flash_write", board=str(FLASH_BOARD))
    assert_fault_at(fw, r, "bad_flash_write", "HardFault", "forced from BusFault")
    assert "PRECISERR" in r.fault.cause and "region 'ssram1' is not writable" in r.fault.detail
    assert r.fault.address == fw.symbols["main"] & ~3


def test_executing_from_non_executable_ram_is_a_memmanage_iaccviol():
    fw, r = run("exec_ram", board=str(FLASH_BOARD))
    assert r.fault.kind == "HardFault" and "MemManage" in r.fault.cause
    assert "IACCVIOL" in r.fault.cause and "region 'ssram23' is not executable" in r.fault.detail
    assert r.fault.pc == fw.symbols["ram_code"]


def test_executing_from_the_peripheral_region_is_execute_never():
    _, r = run("exec_periph")
    assert "IACCVIOL" in r.fault.cause and r.fault.pc == 0x40004000
    assert "Peripheral region (0x40000000-0x5FFFFFFF) is Execute Never" in r.fault.detail


@pytest.mark.parametrize("target", ["mps2-an386", "mps2-an385"])
@pytest.mark.parametrize("scenario", ["ldrd", "ldm"])
def test_unaligned_ldrd_and_ldm_always_fault_on_armv7m(target, scenario):
    fw, r = run(scenario, target, check_alignment=True)
    assert_fault_at(fw, r, f"bad_{scenario}", "HardFault", "forced from UsageFault")
    assert "UNALIGNED" in r.fault.cause and "needs word alignment on Armv7-M" in r.fault.detail
    assert r.fault.address % 4 != 0 and r.fault.address == fw.symbols["words"] + (
        2 if scenario == "ldrd" else 1
    )


def test_an_unaligned_ldr_is_allowed_on_armv7m_without_unalign_trp():
    _, r = run("unaligned", check_alignment=True)
    assert (r.exit_reason, r.exit_code, r.fault) == ("exit", 0, None)
    # words = {1, 2, ...}: bytes 1..4 little-endian are 00 00 00 02
    assert "no fault, value = 0x02000000" in r.console


def test_unalign_trp_makes_an_unaligned_ldr_fault():
    fw, r = run("unaligned_trp", check_alignment=True)
    assert_fault_at(fw, r, "bad_unaligned", "HardFault", "UNALIGNED")
    assert "CCR.UNALIGN_TRP is set" in r.fault.detail


def test_every_unaligned_access_faults_on_cortex_m0plus():
    fw, r = run("unaligned", "rp2040", check_alignment=True)
    assert_fault_at(fw, r, "bad_unaligned", "HardFault", "UNALIGNED")
    assert "Armv6-M faults on every unaligned access" in r.fault.detail


def test_an_unaligned_access_on_cortex_m0plus_is_named_even_without_the_check():
    """Unicorn's Armv6-M core faults the access itself (a data abort): it is reported as the
    alignment fault, with instruction and address, not as an unknown CPU exception."""
    fw, r = run("unaligned", "rp2040")
    assert_fault_at(fw, r, "bad_unaligned", "HardFault", "UNALIGNED")
    assert "Armv6-M faults on every unaligned access" in r.fault.detail
    assert "not 4-byte aligned" in r.fault.detail


@pytest.mark.parametrize("native", ["0", "1"])
def test_alignment_checks_work_on_both_accounting_paths(monkeypatch, native):
    monkeypatch.setenv("MCUSIM_NATIVE", native)
    fw, r = run("ldm", check_alignment=True)
    assert r.fault.pc == fw.symbols["bad_ldm"] & ~1


@needs_gcc
@pytest.mark.parametrize(
    ("define", "text"),
    [((), "ldm r0!, {r1, r2} at address 0x20000201"), (("HALF",), "at address 0x20000301, not 2")],
)
def test_armv6m_faults_unaligned_ldm_and_ldrh_with_or_without_the_check(tmp_path, define, text):
    """Unicorn's Cortex-M0+ faults these itself; mcusim names the fault, and --check-alignment
    adds nothing on Armv6-M (no hooks: it would otherwise hook almost every load and store)."""
    from simtest import build_bare_m4

    src = Path(__file__).resolve().parent / "m0_unaligned_probe.c"
    path = build_bare_m4(src, tmp_path / "m0.elf", *define, flags=("-O1", "-mcpu=cortex-m0plus"))
    fw = Firmware(path)
    board = tmp_path / "m0plus.toml"
    board.write_text(
        'schema = 1\nname = "m0plus-mps2"\nextends = "mps2-an385"\n'
        'core = "cortex-m0plus"\nfpu = false\n'
    )
    label = "bad_half" if define else "bad_ldm"
    for check in (False, True):
        result = Simulator(load_target(board), RunOptions(check_alignment=check)).run(fw)
        assert_fault_at(fw, result, label, "HardFault", "UNALIGNED")
        assert text in result.fault.detail and "Armv6-M" in result.fault.detail


@needs_gcc
@pytest.mark.parametrize("native", [True, False])
def test_a_block_checked_at_entry_faults_the_first_time_its_address_is_misaligned(tmp_path, native):
    """load64() is one block whose LDRD address is its argument: checked at block entry (in C
    on the fast path), it runs 100 times on an aligned word, then faults on the address 2
    bytes further, at the LDRD, with that address."""
    from simtest import build_bare_m4

    src = Path(__file__).resolve().parent / "align_probe.c"
    path = build_bare_m4(src, tmp_path / "align.elf", flags=("-O1",))
    fw = Firmware(path)
    result = Simulator(
        load_target("mps2-an386"), RunOptions(check_alignment=True, native=native)
    ).run(fw)
    assert_fault_at(fw, result, "load64", "HardFault", "UNALIGNED")
    assert "at address 0x20000202, not 4-byte aligned" in result.fault.detail
    plain = Simulator(load_target("mps2-an386"), RunOptions(native=native)).run(fw)
    assert plain.exit_reason == "exit"  # unchecked, Unicorn performs the access


def test_alignment_is_not_checked_unless_asked_for():
    # Unicorn performs the unaligned LDM; the check costs speed, so it is opt-in
    _, r = run("ldm")
    assert r.fault is None or "UNALIGNED" not in r.fault.cause


def test_divide_by_zero_gives_zero_without_div_0_trp():
    _, r = run("div0")
    assert (r.exit_code, r.fault) == (0, None)
    assert "no fault, value = 0x00000000" in r.console


def test_divide_by_zero_with_div_0_trp_escalates_to_hardfault():
    fw, r = run("div0_trp")
    assert_fault_at(fw, r, "bad_div0", "HardFault", "forced from UsageFault: divide by zero")
    assert "DIVBYZERO" in r.fault.cause


def test_divide_by_zero_with_usagefault_enabled_is_a_usagefault():
    fw, r = run("div0_trp_usg")
    assert_fault_at(fw, r, "bad_div0", "UsageFault", "divide by zero (DIVBYZERO)")


def test_an_exception_that_cannot_be_stacked_locks_the_core_up():
    fw, r = run("lockup")
    # the frame would hold the return address: the instruction after the SVC
    assert_fault_at(fw, r, "bad_lockup", "Lockup", "cannot be stacked", after=2)
    assert "0xcffffee0" in r.fault.detail and "HardFault entry would fail too" in r.fault.detail


def test_fpu_use_without_cpacr_is_tested_in_test_emulation():
    # the FPU-off case has its own sample (apps/fpu_off) and test; keep the list complete
    from test_emulation import test_fpu_use_with_cpacr_disabled_faults_at_the_fp_instruction

    assert callable(test_fpu_use_with_cpacr_disabled_faults_at_the_fp_instruction)


def test_the_cli_report_of_a_fault_names_pc_symbol_and_cause(capsys):
    path = str(elf("mps2-an386", "misbehave"))
    assert main(["run", path, "-t", "mps2-an386", "--check-alignment", "--args", "ldrd"]) == 1
    out = capsys.readouterr()
    assert "UNALIGNED" in out.out and "main+0x" in out.out
