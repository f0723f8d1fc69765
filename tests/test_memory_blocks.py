"""Load pipelining only within one memory block (cost_models/README.md, "Load pipelining"):
the blocks a target declares, the pairs a block's decode leaves to the run, and the cycles the
run charges back, on both accounting paths.

Source of the rule: github.com/jnk0le/random, "pipeline cycle test/doc/cortex_m3m4.md",
measured with DWT_CYCCNT on an STM32F407 (SRAM1 against SRAM2) and an STM32F103.
"""

from __future__ import annotations

import pytest
from simtest import elf

from mcusim.config import load_target
from mcusim.config.core import load_core
from mcusim.errors import ConfigError
from mcusim.simulator import RunOptions, Simulator
from mcusim.timing.accounting import CycleCounter
from mcusim.timing.decode import decode
from mcusim.timing.model import CycleModel

M4 = CycleModel(load_core("cortex-m4"))


def pairs(hex_code: str) -> list:
    insns = decode(bytes.fromhex(hex_code.replace(" ", "")), 0x1000, M4.names)
    return M4.cost_block(insns).pairs


def test_stm32f407_sram1_and_sram2_are_two_memory_blocks():
    blocks = load_target("stm32f407").memory_blocks()
    # RM0090 §2.3.1: SRAM1 112 KB at 0x20000000, SRAM2 16 KB at 0x2001C000; flash; CCM
    assert (0x20000000, 0x2001C000) in blocks and (0x2001C000, 0x20020000) in blocks
    assert (0x08000000, 0x08100000) in blocks and (0x10000000, 0x10010000) in blocks
    assert len(blocks) == 4


def test_bank_sizes_must_add_up_to_the_region(tmp_path):
    board = tmp_path / "banks.toml"
    board.write_text(
        'schema = 1\nextends = "mps2-an386"\n[[memory]]\nname = "ssram23"\n'
        "bank_bytes = [1024, 2048]\n"
    )
    with pytest.raises(ConfigError) as e:
        load_target(str(board))
    assert str(board) in e.value.message
    assert "bank_bytes must be positive sizes that add up" in e.value.message


def test_a_pair_the_entry_registers_locate_is_left_to_the_run():
    # ldr r2, [r0]; ldr r3, [sp, #4]: pipelined (1 cycle saved), both addresses known at entry
    assert pairs("0268 019b") == [(1, 1, ("r0", "", 0, 0), ("sp", "", 0, 4))]
    # push {r4, lr}; sub sp, #8 move SP within the stack: still known
    assert pairs("10b5 82b0 0268 019b") == [(3, 1, ("r0", "", 0, 0), ("sp", "", 0, 4))]
    # post-indexed: the access uses the base as it is
    assert pairs("0268 51f8043b") == [(1, 1, ("r0", "", 0, 0), ("r1", "", 0, 0))]


def test_a_moved_register_leaves_the_other_as_the_pointer():
    # adds r4, #1; ldr r2, [r0]; ldr r3, [r4, r5]: r4 moved, r5 (unscaled) is the pointer
    assert pairs("0134 0268 6359") == [(2, 1, ("r0", "", 0, 0), ("r5", "", 0, 0))]


def test_two_accesses_through_the_same_registers_are_one_memory():
    # ldr r2, [r0]; ldr r3, [r0, #4]: the same object, never checked at run time
    assert pairs("0268 4368") == []


def test_no_pair_when_nothing_locates_an_access():
    # ldr r1, [pc, #4] (a literal) then ldr r2, [r1]: depends on the load, never pipelined
    assert pairs("0149 0a68") == []
    # adds r4, #1; ldr r2, [r0]; ldr.w r3, [r5, r4, lsl #2]: the base r5 is known, the moved
    # scaled index is dropped (an offset within the object r5 points into)
    assert pairs("0134 0268 55f82430") == [(2, 1, ("r0", "", 0, 0), ("r5", "", 0, 0))]
    # adds r5, #1; adds r4, #1; ldr r2, [r0]; ldr.w r3, [r5, r4, lsl #2]: both moved
    assert pairs("0135 0134 0268 55f82430") == []


def _counter(values: dict[str, int]) -> CycleCounter:
    c = CycleCounter(M4, fetch_code=lambda a, n: b"", region_of=lambda a: None,
                     on_event=lambda b, s: False)  # fmt: skip
    c.set_memory_blocks(load_target("stm32f407").memory_blocks(), values.__getitem__)
    return c


@pytest.mark.parametrize(
    ("r0", "r1", "lost"),
    [
        (0x20000100, 0x20000200, 0),  # SRAM1, SRAM1
        (0x20000100, 0x2001C100, 1),  # SRAM1, SRAM2: two slaves of the bus matrix
        (0x08001000, 0x20000100, 1),  # flash, SRAM1
        (0xE0001004, 0x20000100, 0),  # outside every memory block: left pipelined
    ],
)
def test_split_pairs_charge_pairs_across_memory_blocks(r0, r1, lost):
    c = _counter({"r0": r0, "r1": r1})
    pair = (1, 1, ("r0", "", 0, 0), ("r1", "", 0, 0))
    assert c.split_pairs((pair, pair)) == (2 * lost, 0b11 if lost else 0)


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_banks_split_one_region_into_memories_that_do_not_pipeline(tmp_path, native):
    # ldr_one_mem reads g_buf[0] and g_buf[1] (0x20000000, 0x20000004) through two registers
    # (r6, and r4 = r6 + 4 set before the block): one memory on
    # mps2-an386, 4 cycles (tests/test_cycle_model.py); with SSRAM2/3 split after its first
    # word the second load is in another block and does not pipeline: 5. The console and
    # exit are otherwise the same.
    board = tmp_path / "split.toml"
    board.write_text(
        'schema = 1\nextends = "mps2-an386"\n[[memory]]\nname = "ssram23"\n'
        f"bank_bytes = [4, {4 * 1024 * 1024 - 4}]\n"
    )

    def run(target):
        r = Simulator(target, RunOptions(native=native)).run(elf("mps2-an386", "microbench"))
        assert r.exit_code == 0
        return dict(line.split() for line in r.console.splitlines())

    plain, split = run(load_target("mps2-an386")), run(load_target(str(board)))
    assert (plain["ldr_one_mem"], split["ldr_one_mem"]) == ("4", "5")
    assert plain["ldr_two_mem"] == split["ldr_two_mem"] == "5"
    assert {k: v for k, v in plain.items() if k != "ldr_one_mem"} == {
        k: v for k, v in split.items() if k != "ldr_one_mem"
    }


def test_a_block_looping_back_to_itself_keeps_its_last_check():
    # loop: ldr r2, [r0]; ldr r3, [r1]; b loop. r0 in flash, r1 in SRAM1: not pipelined, 1
    # cycle back. Entered by a branch from elsewhere the pair is checked; back from itself the
    # last result is kept (a loop walks its pointers within their objects), so moving r1 into
    # flash between two passes of the loop changes nothing until the loop is entered again.
    code = bytes.fromhex("0268 0b68 fde7")  # at 0x1000: ldr r2,[r0]; ldr r3,[r1]; b 0x1000
    values = {"r0": 0x08000000, "r1": 0x20000000}
    reads = []

    def reg(name):
        reads.append(name)
        return values[name]

    c = CycleCounter(M4, fetch_code=lambda a, n: code[a - 0x1000 : a - 0x1000 + n],
                     region_of=lambda a: None, on_event=lambda b, s: False)  # fmt: skip
    c.set_memory_blocks(load_target("stm32f407").memory_blocks(), reg)
    c.deadline = 1 << 60
    c.on_block(None, 0x1000, 6, None)  # entered from outside: checked
    first = c.cycles
    assert c.blocks[0x1000].split == (1, 0b1) and len(reads) == 2
    values["r1"] = 0x08000100  # both in flash now
    c.on_block(None, 0x1000, 6, None)  # back from itself: kept
    # LDR 2, LDR 1 + 1 (not pipelined), B 1 + P = 2: 6 on both passes
    assert first == 6 and len(reads) == 2 and c.cycles - first == 6
    c.restart(0x2000, sequential=False)
    c.on_block(None, 0x1000, 6, None)  # entered again from elsewhere: checked, now pipelined
    assert len(reads) == 4 and c.blocks[0x1000].split == (0, 0)
