"""Micro-benchmarks against cycle counts computed by hand from the Technical Reference Manuals.

firmware_samples/apps/microbench/microbench.c times each sequence with the core's own counter:
DWT_CYCCNT on Cortex-M3/M4, SysTick on Cortex-M0+. A count covers the first timer load
(``ldr r1, [r0]``, an LDR: 2 cycles, TRM table 3-1) and the body; the second timer load is
sampled when it starts. Sources: Cortex-M4 TRM r0p1 (DDI 0439) table 3-1, table 3-2, 3.3.2
"Load/store timings", table 7-1 (FPU); Cortex-M3 TRM r2p1 table 3-1; Cortex-M0+ TRM table 3.1.
Branch refill P is our documented choice within the TRM's 1-3 (cost_models/README.md):
P = 1 for an immediate target, 2 for a register target, +1 for an unaligned 32-bit target.
Where the TRMs are silent the counts follow published cycle-counter measurements of the cores,
each cited in cost_models/cores/*.toml: runs of unaligned 32-bit instructions (M4) and the
load/store pairing rules measured on an STM32F407 and an STM32F103 (M3/M4).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from simtest import DATA, build_bare_m4, elf

from mcusim.config import load_target
from mcusim.config.core import load_core
from mcusim.image.elf import Firmware
from mcusim.simulator import RunOptions, Simulator
from mcusim.timing.model import CycleModel

HERE = Path(__file__).resolve().parent

T0 = 2  # the first timer LDR: 2 cycles, not pipelined (its address register came from an LDR)

COMMON = {
    "alu10": T0 + 10 * 1,  # 10 x ADDS: data processing, 1 cycle each
    "ldm3": T0 + (1 + 3),  # LDM of 3 registers: 1 + N, never pipelined with neighbours
    "push_pop": T0 + (1 + 2) + (1 + 2),  # PUSH and POP of 2 registers: 1 + N each
    "muls": T0 + 1 + 1,  # MUL: 1 cycle (M0+: the single-cycle multiplier option)
}
V7M = {
    **COMMON,
    # LDR;LDR;LDR: each load after a load pipelines and saves one cycle (TRM 3.3.2)
    "ldr3": T0 + 1 + 1 + 1,
    # STR Rx,[Ry,#imm] is one cycle; after an LDR the saving cannot go below 1; the second
    # STR is followed by the closing timer LDR, and a store before a load takes one more cycle
    # (measured, cost_models/cores/cortex-m4.toml), charged to the store: inside the count
    "str2": T0 + 1 + 1 + 1,
    # MOVS 1; 10 x SUBS 1; BNE taken 9 x (1 + P=1), not taken once 1
    "loop10": T0 + 1 + 10 * 1 + 9 * 2 + 1,
    "b_taken": T0 + 2,  # B: 1 + P, P = 1
    "bne_not_taken": T0 + 1 + 1 + 1,  # CMP 1, BNE not taken 1, ADDS 1
    "beq_taken": T0 + 1 + 2,  # CMP 1, BEQ taken 1 + P
    # ADDS r5 then LDR [r5]: address depends on the data-processing result, +1 stall
    "ldr_dep": T0 + 1 + (2 + 1),
    # LDR r3, =imm (a literal from the code memory): 2, not pipelined after the timer LDR (a
    # literal and another access do not pipeline, measured); the TRM's "might add a cycle" of
    # fetch contention is not charged (cost_models/README.md)
    "ldr_literal": T0 + 2,
    # STR with register offset: 2 cycles, minus the pipelining saving after an LDR, plus the
    # store-then-load cycle (the closing timer LDR)
    "str_reg": T0 + (2 - 1) + 1,
    # The measured pairing rules (github.com/jnk0le/random, "pipeline cycle test/doc/
    # cortex_m3m4.md", STM32F407 and STM32F103). "Only within the same memory block": a
    # literal is in the code memory; other pairs are checked at run time from the registers at
    # the block's entry. The timer LDR reads a peripheral through r0, loaded inside the block,
    # so the RAM load after it still pipelines here (ldr3 above), where on silicon it would not.
    # STR 1 (after the timer LDR), +1 before the LDR that follows it, LDR 2
    "str_ldr": T0 + (1 + 1) + 2,
    # STR 1, +1 before the LDM, LDM of 2 registers 1 + N = 3
    "str_ldm": T0 + (1 + 1) + 3,
    # two post-indexed STRs on r6: the second +1; +1 before the closing timer LDR
    "str_wb2": T0 + 1 + (1 + 1) + 1,
    # the same on two base registers (r6, r5): no chaining cycle
    "str_wb_alt": T0 + 1 + 1 + 1,
    # a literal after the timer LDR: 2, not pipelined; a RAM LDR after the literal: 2, likewise
    "lit_data": T0 + 2 + 2,
    # two literals: the second pipelines, 1
    "lit2": T0 + 2 + 1,
    # LDR, then LDR with writeback: pipelined (its base r6 is not the first load's destination)
    "ldr_wb": T0 + 1 + 1,
    # after a branch: a RAM LDR (pipelined after the timer LDR) 1, then an LDR from the code
    # memory (SSRAM1, another memory than the RAM's SSRAM2/3 on the mps2 boards): not
    # pipelined, 2; the same with a second RAM LDR: pipelined, 1
    "ldr_two_mem": T0 + 1 + 2,
    "ldr_one_mem": T0 + 1 + 1,
    "ldrd": T0 + 3,  # LDRD: 1 + N with N = 2, not pipelined
    # UDIV 1000/3: quotient bits q = 10 - 2 + 1 = 9, 2 + ceil(10 * 9 / 32) = 5 (our model)
    "udiv_9bit": T0 + 5,
    "udiv_small": T0 + 2,  # 3/1000: divisor larger than dividend, q = 0: 2 cycles
    "udiv_32bit": T0 + 12,  # 0xFFFFFFFF/1: q = 32: 2 + 10 = 12, the TRM maximum
    # B taken (1 + P=1) to a 32-bit instruction at an address = 2 mod 4: +1, then LDR.W 2
    "b_unaligned_wide": T0 + 2 + 1 + 2,
    "bl_bx": T0 + 2 + 3,  # BL: 1 + P (P = 1); BX LR: 1 + P (P = 2, register target)
    # MOVS 1; B over the alignment padding 1 + P = 2; then 3 passes of a loop of 14 ADDS (1
    # each) + SUBS 1 + BNE (taken twice: 1 + P = 2, then not taken: 1)
    "loop_fits": T0 + 1 + 2 + 3 * (14 + 1) + 2 * 2 + 1,  # = 55
    "loop_big": T0 + 1 + 2 + 3 * (46 + 1) + 2 * 2 + 1,  # the same with 46 ADDS: 151
    # 16 x LDR r5, [r4, #k]: each pipelines after the LDR before it (its address register r4
    # is not the loaded one), so 1 cycle each, the first one after the timer LDR included
    "stream16": T0 + 16 * 1,  # = 18
}
M4 = {
    **V7M,
    # B taken (1 + P=1) to an aligned 16-bit NOP (1), three ADD.W at addresses = 2 mod 4 (1
    # each) and one cycle for the run of three unaligned 32-bit instructions (measured rule,
    # cost_models/cores/cortex-m4.toml); a run of stores pays it from the fourth store on; the
    # last store is followed by the closing timer LDR (+1, store then load)
    "wide_run3": T0 + 2 + 1 + 3 + 1,
    "wide_str3": T0 + 2 + 1 + 3 + 1,
    "wide_str4": T0 + 2 + 1 + 4 + 1 + 1,
    "mla": T0 + 1,  # MLA: 1 (M4)
    "umull_small": T0 + 1,  # UMULL: 1 (M4, table 3-1)
    "umull_large": T0 + 1,
    "smlad": T0 + 1 + 1,  # SMLAD, SXTB16: 1 each (table 3-2)
    "fp_ops": T0 + 1 + 1 + 14,  # VADD.F32 1, VMUL.F32 1, VDIV.F32 14 (table 7-1)
    # VADD then a VADD reading its result: +1 stall (notes after table 7-1)
    "fp_stall": T0 + 1 + (1 + 1),
    "vmla": T0 + 3,  # VMLA.F32: 3
}
M3 = {
    **V7M,
    # the unaligned-wide run rule was measured on a Cortex-M4 only: not charged on the M3
    "wide_run3": T0 + 2 + 1 + 3,
    "wide_str3": T0 + 2 + 1 + 3 + 1,
    "wide_str4": T0 + 2 + 1 + 4 + 1,
    # measured on the STM32F103 only: a load that writes its base back never pipelines
    "ldr_wb": T0 + 1 + 2,
    "mla": T0 + 2,  # MLA: 2 on Cortex-M3 (M3 TRM table 3-1)
    # UMULL 3-5 with early-out: 1000*1000 has 10 significant bits -> 2 bytes -> 1 + 2 = 3
    "umull_small": T0 + 3,
    # 0x12345678 has 29 significant bits -> 4 bytes -> 1 + 4 = 5
    "umull_large": T0 + 5,
}
M0PLUS = {
    **COMMON,
    "ldr3": T0 + 3 * 2,  # LDR 2, no pipelining on M0+
    "str2": T0 + 2 * 2,  # STR 2
    "loop10": T0 + 1 + 10 * 1 + 9 * 2 + 1,  # conditional branch taken 2, not taken 1
    "b_taken": T0 + 2,  # B: 2
    "bne_not_taken": T0 + 1 + 1 + 1,
    "beq_taken": T0 + 1 + 2,
}


def measured(target: str, app_target: str | None = None) -> dict[str, int]:
    t = load_target(target)
    result = Simulator(t).run(elf(app_target or target, "microbench"))
    assert result.exit_code == 0, result.message
    pairs = (line.split() for line in result.console.splitlines() if line.strip())
    return {name: int(value) for name, value in pairs}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("mps2-an386", M4),
        ("mps2-an385", M3),
        (str(DATA / "rp2040-zero-wait.toml"), M0PLUS),
    ],
    ids=["cortex-m4", "cortex-m3", "cortex-m0plus"],
)
def test_micro_benchmarks_match_hand_computed_trm_counts(target, expected):
    app_target = "rp2040" if "rp2040" in target else None
    got = measured(target, app_target)
    assert got == expected


def test_prefetched_flash_charges_wait_states_only_after_taken_branches():
    got = measured(str(DATA / "mps2-an386-prefetch-ws2.toml"), "mps2-an386")
    # 2 wait states per fetch, hidden by prefetch on straight-line code: a taken branch pays
    # them once at its target.
    assert got["alu10"] == M4["alu10"]  # no branch inside the timed region
    assert got["b_taken"] == M4["b_taken"] + 2
    assert got["loop10"] == M4["loop10"] + 9 * 2  # 9 taken BNE, each refetching the loop


def test_rp2040_xip_cache_is_filled_by_literal_loads_too():
    # rp2040: XIP flash behind a unified cache, 50 cycles a miss (targets/rp2040.toml), 8-byte
    # lines. A block's missing lines are charged when the block starts: alu10's timer load and
    # body are one block, so its misses fall before the first timer read.
    got = measured("rp2040")
    assert got["alu10"] == M0PLUS["alu10"]
    # b_taken (microbench.elf for rp2040): the B at 0x100003a0 jumps to 0x100003a4, a block
    # spanning lines 0x100003a0 (fetched with the B) and 0x100003a8. The literal load at
    # 0x1000039c read the timer address at 0x100003ac through the same cache before the timed
    # region, so 0x100003a8 is a hit as well: no miss inside the timed region.
    assert got["b_taken"] == M0PLUS["b_taken"]


WS = 3  # wait states of the code memory in tests/data/mps2-an386-{cache,...}.toml
LOOP_FITS_LINES, LOOP_BIG_LINES = 2, 6  # 32- and 96-byte loops, 16-byte lines, 128-aligned


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_flash_caches_simulated_line_by_line_match_hand_counts(native):
    # Boards: 16-byte lines; a 4-line fully associative LRU instruction cache; a 2-line data
    # cache; no prefetch. Loops are entered by a branch; the block after a loop holds the
    # second timer load, so its line's miss (fall-through, no prefetch) counts: + WS.
    def run(board):
        t = load_target(str(DATA / f"mps2-an386-{board}.toml"))
        r = Simulator(t, RunOptions(native=native)).run(elf("mps2-an386", "microbench"))
        assert r.exit_code == 0 and r.accounting == ("native" if native else "python")
        got = {k: int(v) for k, v in (line.split() for line in r.console.splitlines())}
        return got, r

    cached, r = run("cache")
    # a loop that fits: its 2 lines miss on the first pass only
    assert cached["loop_fits"] == M4["loop_fits"] + LOOP_FITS_LINES * WS + WS  # 64
    # a loop larger than the cache: LRU evicts each line before its next use, so all 6 lines
    # miss on each of the 3 passes
    assert cached["loop_big"] == M4["loop_big"] + 3 * LOOP_BIG_LINES * WS + WS  # 208
    # 16 words streamed from flash through the 2-line data cache: one miss per 16-byte line
    assert cached["stream16"] == M4["stream16"] + 16 // 4 * WS  # 30
    (flash,) = r.memory_stalls
    assert flash["icache"]["misses"] > 0 and flash["dcache"]["misses"] >= 4
    assert flash["data_stall_cycles"] == WS * flash["dcache"]["misses"]

    no_dcache, _ = run("cache-nodcache")  # data reads bypass the cache: every one pays WS
    assert no_dcache["stream16"] == M4["stream16"] + 16 * WS  # 66
    assert no_dcache["loop_fits"] == cached["loop_fits"]

    # prefetch: only the first line reached by a branch pays; sequential misses are hidden
    prefetch, _ = run("cache-prefetch")
    assert prefetch["loop_fits"] == M4["loop_fits"] + WS  # 58
    assert prefetch["loop_big"] == M4["loop_big"] + 3 * WS  # 160

    # a flash of 4-byte words behind the same caches: a 16-byte line is four flash reads, each
    # paid the first time its word is needed. loop_fits' 2 lines are 8 words (cold pass
    # only); the block after the loop (ldr, subs, pop at 0x520-0x525) needs 2 words of its
    # line; loop_big's 6 lines (24 words) miss on each of the 3 passes; each of stream16's
    # reads is a word of its own
    words, r = run("cache-words")
    assert words["loop_fits"] == M4["loop_fits"] + (8 + 2) * WS  # 85
    assert words["loop_big"] == M4["loop_big"] + (3 * 24 + 2) * WS  # 373
    assert words["stream16"] == M4["stream16"] + 16 * WS  # 66
    (flash,) = r.memory_stalls
    assert flash["data_stall_cycles"] == WS * flash["dcache"]["misses"]

    # no cache: every line of every block pays WS at each execution, the data reads too
    uncached, r = run("flash-ws3")
    assert uncached["loop_fits"] == M4["loop_fits"] + 3 * LOOP_FITS_LINES * WS + WS  # 76
    assert uncached["loop_big"] == cached["loop_big"]
    assert uncached["stream16"] == M4["stream16"] + 16 * WS
    (flash,) = r.memory_stalls
    assert flash["icache"] is None and flash["fetch_stall_cycles"] > 0


def test_same_elf_gives_same_cycles_every_run():
    t = load_target("mps2-an386")
    a = Simulator(t).run(elf("mps2-an386", "hello"))
    b = Simulator(t).run(elf("mps2-an386", "hello"))
    assert (a.cycles, a.instructions, a.console) == (b.cycles, b.instructions, b.console)
    assert a.cycles > a.instructions > 10_000


class _Registers:
    """Observer: r4 and r6 when the firmware reaches its symbol ``done``."""

    name = "registers"

    def attach(self, probe) -> None:
        self.probe, self.values = probe, None
        probe.on_address(probe.firmware.symbols["done"], self._done)

    def _done(self) -> None:
        if self.values is None:
            self.values = (self.probe.reg("r4"), self.probe.reg("r6"))

    def finish(self, probe) -> dict:
        return {"r4_r6": self.values}


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_a_firmware_that_turns_the_cache_on_halfway_gets_it_from_then_on(native, tmp_path):
    # tests/cache/halfway.S times the same loop twice, before and after writing FLASH_ACR =
    # LATENCY 3 | ICEN on tests/data/mps2-an386-acr.toml (caches off at start). The loop and
    # the block after it are laid out as in microbench's loop_fits (128-aligned, 16-byte
    # lines), so the counts are the uncached and the cached loop_fits worked out above.
    out = build_bare_m4(HERE / "cache" / "halfway.S", tmp_path / "halfway.elf")
    grab = _Registers()
    t = load_target(str(DATA / "mps2-an386-acr.toml"))
    r = Simulator(t, RunOptions(observers=(grab,), native=native, max_cycles=20_000)).run(out)
    assert r.exit_reason == "halted"
    cache_off, cache_on = r.extensions["registers"]["r4_r6"]
    assert cache_off == M4["loop_fits"] + 3 * LOOP_FITS_LINES * WS + WS  # 76
    assert cache_on == M4["loop_fits"] + LOOP_FITS_LINES * WS + WS  # 64
    (flash,) = r.memory_stalls
    assert flash["icache"]["misses"] == 3  # the second loop's 2 lines and the line after it


class _Passes(_Registers):
    """Observer: r4, r6 and r9 when the firmware reaches its symbol ``done``."""

    def _done(self) -> None:
        if self.values is None:
            self.values = tuple(self.probe.reg(r) for r in ("r4", "r6", "r9"))


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_a_firmware_that_invalidates_its_cache_misses_again(native, tmp_path):
    # tests/cache/invalidate.S times the loop of loop_fits three times on a 16-line cache
    # (nothing is evicted between passes): cold, the loop's 2 lines and the line after it
    # miss (as in the halfway test: 64); warm, nothing misses (55); after writing the
    # Apollo3-style CTRL.INVALIDATE, cold again (64). CTRL reads back CACHE_READY only.
    out = build_bare_m4(HERE / "cache" / "invalidate.S", tmp_path / "invalidate.elf")
    board = tmp_path / "board.toml"
    board.write_text(
        f'schema = 1\nextends = "{DATA}/mps2-an386-cache.toml"\nname = "inv"\n'
        '[[memory]]\nname = "ssram1"\n[memory.icache]\nlines = 16\nline_bytes = 16\nways = 4\n'
        '[[peripheral]]\nname = "ctrl"\nmodel = "flash_control"\nbase = 0x40018008\n'
        'size_bytes = 4\nregion = "ssram1"\nvalue = 4\ninvalidate = { bit = 0 }\n'
        "fixed = { mask = 4, value = 4 }\n"
    )
    grab = _Passes()
    opts = RunOptions(observers=(grab,), native=native, max_cycles=20_000)
    r = Simulator(load_target(str(board)), opts).run(out)
    assert r.exit_reason == "halted"
    cold = M4["loop_fits"] + LOOP_FITS_LINES * WS + WS  # 64
    assert r.extensions["registers"]["r4_r6"] == (cold, M4["loop_fits"], cold)


def test_flash_controller_fields_gate_reset_and_invalidate_the_caches():
    # Apollo3 CACHECFG: ENABLE (bit 0) gates ICACHE_ENABLE/DCACHE_ENABLE; STM32 FLASH_ACR:
    # ICRST empties the instruction cache only while ICEN is clear; CTRL.INVALIDATE is a pulse.
    from mcusim.machine.peripherals.flashctl import FlashControl

    class System:
        def __init__(self):
            self.calls = []

        def memory_region(self, name):
            return load_target("stm32l4r5").memory[0]

        def configure_flash(self, region, **settings):
            self.calls.append(settings)

    sys_ = System()
    cfg = FlashControl(
        "cachecfg", 0x40018000, 4, system=sys_, where="t", region="flash", value=0x351,
        enable={"bit": 0}, icache={"bit": 8}, dcache={"bit": 9},
    )  # fmt: skip
    cfg.write(0, 4, 0x350)  # ENABLE cleared, both cache bits still set
    assert sys_.calls[-1] == {"icache_on": False, "dcache_on": False}
    cfg.write(0, 4, 0x351)
    assert sys_.calls[-1] == {"icache_on": True, "dcache_on": True}
    acr = FlashControl(
        "acr", 0x40022000, 4, system=sys_, where="t", region="flash", value=0x705,
        icache={"bit": 9}, dcache={"bit": 10}, icache_reset={"bit": 11},
    )  # fmt: skip
    acr.write(0, 4, 0x705 | 1 << 11)  # ICRST with ICEN set: not allowed, nothing emptied
    assert "invalidate_icache" not in sys_.calls[-1]
    acr.write(0, 4, 0x505 | 1 << 11)  # ICEN cleared and ICRST set: emptied
    assert sys_.calls[-1]["invalidate_icache"] is True and sys_.calls[-1]["icache_on"] is False
    ctrl = FlashControl(
        "ctrl", 0x40018008, 4, system=sys_, where="t", region="flash", value=4,
        invalidate={"bit": 0}, fixed={"mask": 4, "value": 4},
    )  # fmt: skip
    ctrl.write(0, 4, 1)
    assert sys_.calls[-1] == {"invalidate_icache": True, "invalidate_dcache": True}
    assert ctrl.read(0, 4) == 4  # INVALIDATE reads 0, CACHE_READY 1
    ctrl.write(0, 4, 0)
    assert sys_.calls[-1] == {}


def test_a_flash_controller_reads_the_start_state_its_region_describes(tmp_path):
    # The ACR's fields start as the region says (cache off, 3 wait states, no prefetch), and
    # a board file that turns the cache on changes what the register reads: bits 9 and 10.
    from mcusim.config.target import load_target as load
    from mcusim.simulator import _Run

    board = tmp_path / "on.toml"
    board.write_text(
        f'schema = 1\nextends = "{DATA}/mps2-an386-acr.toml"\nname = "on"\n'
        '[[memory]]\nname = "ssram1"\ncache = true\nprefetch = true\n'
    )
    for path, expected in ((DATA / "mps2-an386-acr.toml", 0x003), (board, 0x703)):
        run = _Run(load(str(path)), RunOptions(), Firmware(elf("mps2-an386", "hello")))
        (acr,) = [p for p in run.mmio.peripherals if p.name == "flash_acr"]
        assert acr.read(0, 4) == expected, path


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
@pytest.mark.parametrize("board", ["mps2-an386", "flash-ws3"])
def test_a_hooked_flash_read_inside_an_it_block_does_not_leak_its_condition(
    board, native, tmp_path
):
    # Unicorn leaves the IT state of a hooked access behind (unicorn-engine/unicorn#2309): on
    # the board whose code memory has wait states (a memory hook on it), the ADDS after the
    # IT block ran as a false conditional, so the firmware computed something else (exit 1).
    out = build_bare_m4(HERE / "cache" / "it_hook.S", tmp_path / "it_hook.elf")
    target = "mps2-an386" if board == "mps2-an386" else str(DATA / f"mps2-an386-{board}.toml")
    r = Simulator(load_target(target), RunOptions(native=native)).run(out)
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_a_tlb_fill_inside_an_it_block_does_not_leak_its_condition(native, tmp_path):
    # A TLB fill (mcusim's hook, on every run) inside an IT block left the IT state of the
    # access behind, as a memory hook does: with no memory hook at all (zero-wait mps2-an386),
    # the ADDS after the IT block ran as a false conditional (exit 1). On TFLM's ResNet-8 this
    # made the interpreter jump to address 0. The fill hook clears it (Cpu._use_virtual_tlb).
    out = build_bare_m4(HERE / "cache" / "it_tlb.S", tmp_path / "it_tlb.elf")
    r = Simulator(load_target("mps2-an386"), RunOptions(native=native)).run(out)
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_an_it_block_cut_by_a_page_keeps_its_state_across_the_fetch_fill(native, tmp_path):
    # The fill for the next page's first fetch happens with the CPU's IT state being the real
    # one (stored by the block that ended inside the IT block): clearing it there, as the data
    # fill must, made MOVNE run unconditionally (exit 1). Seen on the rebuilt sine app.
    out = build_bare_m4(HERE / "cache" / "it_page.S", tmp_path / "it_page.elf")
    r = Simulator(load_target("mps2-an386"), RunOptions(native=native)).run(out)
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.message


def test_it_blocks_end_inside_a_block_unless_it_is_cut_in_the_middle_of_one():
    # The IT-state repair runs only after blocks whose IT blocks all end inside them: a block
    # cut before an instruction that crosses a page (0x57fe here) ends inside its IT block,
    # and the state it leaves is the real one.
    from mcusim.timing.accounting import it_blocks_end_inside
    from mcusim.timing.decode import decode

    model = CycleModel(load_core("cortex-m4"))
    # ittt eq; teqeq.w r0, r2; moveq r0, #0: the third covered instruction is missing
    cut = decode(bytes.fromhex("02bf90ea020f0020"), 0x57FC, model.names)
    # it lt; strlt r4, [r0, #48]; adds r4, #1
    whole = decode(bytes.fromhex("b8bf04630134"), 0x100, model.names)
    assert [i.name for i in whole] == ["it", "str", "add"]
    assert not it_blocks_end_inside(cut) and it_blocks_end_inside(whole)


def test_a_cache_line_is_filled_one_flash_read_at_a_time():
    """STM32L4+-like ART: 32-byte lines, a flash read of 8 bytes, 5 wait states, a unified
    cache: each 8-byte word costs 5 the first time it is needed, then nothing."""
    from mcusim.config.target import CacheGeometry, MemoryRegion
    from mcusim.timing.flash import FlashTiming

    geometry = CacheGeometry(lines=4, line_bytes=32, ways=4, data=True)
    region = MemoryRegion("flash", "flash", 0, 0x1000, "rx", 5, 8, False, True, geometry)
    f = FlashTiming(region)
    assert f.fetch(0x100, 8, sequential=False) == 5  # the line's first word
    assert f.fetch(0x108, 24, sequential=True) == 3 * 5  # the other three: one read each
    assert f.fetch(0x100, 32, sequential=False) == 0  # all four held
    assert f.fetch(0x11C, 8, sequential=False) == 5  # 0x11C-0x123: only 0x120's word misses
    assert f.read(0x124) == 0  # that word was fetched: unified cache
    assert (f.read(0x128), f.read(0x12C)) == (5, 0)  # one read brings 8 bytes
    for line in range(4):  # four other lines evict the least recent one (0x100's)
        f.fetch(0x200 + 32 * line, 2, sequential=False)
    assert f.fetch(0x100, 2, sequential=False) == 5  # reallocated: its words are gone
