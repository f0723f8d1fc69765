"""TFLM's own MicroProfiler output, read from a firmware's console and put next to mcusim's op
rows (mcusim.report.micro_profiler): both of its print formats, alignment with the rows, and
the cases where nothing can be compared."""

from __future__ import annotations

from mcusim.report.micro_profiler import attach, parse, report_lines

LOG = """InitializeKeywordRunner took 0 ticks (0 ms).
CONV_2D took 1381388 ticks (55 ms).
DEPTHWISE_CONV_2D took 660942 ticks (26 ms).
SOFTMAX took 3774 ticks (0 ms).
mce-runner: ok kernels=cmsis_nn
"""
CSV = """"Event","Tag","Ticks"
0,CONV_2D,1381388
1,DEPTHWISE_CONV_2D,660942
2,SOFTMAX,3774
not a csv line 3,X,4
"""


def rep(*ops_cycles):
    return {"rows": [{"op": op, "cycles": c} for op, c in ops_cycles]}


def test_both_print_formats_give_tags_and_ticks_in_order():
    want = [("CONV_2D", 1381388), ("DEPTHWISE_CONV_2D", 660942), ("SOFTMAX", 3774)]
    assert parse(LOG) == [("InitializeKeywordRunner", 0), *want]
    assert parse(CSV) == want
    # a benchmark's own timing lines are not op events: their tags hold parentheses
    assert parse("KeywordRunNIerations(1) took 0 ticks (0 ms)\n") == []


def test_the_2020_releases_cycles_lines_are_read_too():
    # TFLM of TensorFlow 2.3/2.4: MicroProfiler::EndEvent reports "<tag> took N cycles" at once
    legacy = "CONV_2D took 1381388 cycles\nSOFTMAX took 3774 cycles\nInvoke num: 0\n"
    assert parse(legacy) == [("CONV_2D", 1381388), ("SOFTMAX", 3774)]
    assert parse("CONV_2D took 5 cycles (9 ms)\n") == []  # neither format


def test_ticks_go_next_to_the_rows_they_measure():
    r = rep(("CONV_2D", 1381244), ("DEPTHWISE_CONV_2D", 660798), ("SOFTMAX", 3630))
    mp = attach(r, LOG)
    assert (mp["events"], mp["op_events"], mp["matched"], mp["all_zero"]) == (4, 3, 3, False)
    assert [row["fw_ticks"] for row in r["rows"]] == [1381388, 660942, 3774]
    assert r["micro_profiler"] is mp
    lines = report_lines(r)
    assert "3 matched to the op rows" in lines[0]
    assert lines[2].split() == ["0", "CONV_2D", "1,381,244", "1,381,388", "+144"]
    assert len(lines) == 5


def test_events_of_one_of_several_invokes_are_not_matched_to_a_guessed_one():
    # TFLM's keyword_benchmark logs its first Invoke() and runs 10 more: which rows the
    # events belong to is not in the log (without the cycles the console lines were printed at)
    r = rep(("CONV_2D", 10), ("SOFTMAX", 1), ("CONV_2D", 11), ("SOFTMAX", 2))
    mp = attach(r, "CONV_2D took 20 ticks (0 ms).\nSOFTMAX took 3 ticks (0 ms).\n")
    assert (mp["op_events"], mp["matched"]) == (2, 0)
    assert [row["fw_ticks"] for row in r["rows"]] == [None] * 4


def test_with_line_cycles_the_log_goes_to_the_invoke_that_ended_before_it_was_printed():
    # two Invoke()s at cycles 0-30 and 100-130; the log is printed at cycle 140 (line 1, after a
    # first line printed at cycle 50): the second Invoke() is the one logged
    def row(op, c, start):
        return {"op": op, "cycles": c, "start_cycle": start, "end_cycle": start + c}

    r = {"rows": [row("CONV_2D", 20, 0), row("SOFTMAX", 10, 20)]}
    r["rows"] += [row("CONV_2D", 21, 100), row("SOFTMAX", 9, 121)]
    console = "between\nCONV_2D took 25 ticks (0 ms).\nSOFTMAX took 13 ticks (0 ms).\n"
    mp = attach(r, console, (50, 140, 140))
    assert (mp["matched"], mp["first_rows"]) == (2, [2])
    assert [row["fw_ticks"] for row in r["rows"]] == [None, None, 25, 13]
    assert "logs from row 2: the Invoke() each follows" in report_lines(r)[0]
    # printed at cycle 60 instead: the first Invoke()
    mp = attach(r, console, (50, 60, 60))
    assert mp["first_rows"] == [0]
    assert [row["fw_ticks"] for row in r["rows"]] == [25, 13, None, None]
    # a third Invoke() at 200-230, logs printed after the first and the third: each is matched
    # to the Invoke() it follows
    r["rows"] += [row("CONV_2D", 22, 200), row("SOFTMAX", 8, 222)]
    two = "CONV_2D took 25 ticks (0 ms).\nSOFTMAX took 13 ticks (0 ms).\nnext\n" * 2
    mp = attach(r, two, (40, 40, 40, 240, 240, 240))
    assert mp["first_rows"] == [0, 4]
    assert [row["fw_ticks"] for row in r["rows"]] == [25, 13, None, None, 25, 13]
    # printed before any Invoke() ended: nothing is matched
    assert attach(r, console, (5, 6, 6))["matched"] == 0


def test_the_run_records_the_cycle_each_console_line_began_at():
    from simtest import elf

    from mcusim.config import load_target
    from mcusim.simulator import Simulator

    r = Simulator(load_target("mps2-an386")).run(elf("mps2-an386", "systick"))
    lines = r.console.split("\n")
    assert len(r.console_line_cycles) == len(lines) - (lines[-1] == "")
    assert list(r.console_line_cycles) == sorted(r.console_line_cycles)
    assert r.console_line_cycles[-1] <= r.cycles
    # the program prints only after waiting 50 SysTick periods of 10,000 cycles
    assert 500_000 < r.console_line_cycles[0] < r.console_line_cycles[-1]


def test_events_in_another_order_are_not_matched_and_zero_ticks_are_explained():
    r = rep(("CONV_2D", 10), ("SOFTMAX", 1))
    mp = attach(r, "SOFTMAX took 3 ticks (0 ms).\nCONV_2D took 20 ticks (0 ms).\n")
    assert mp["matched"] == 0 and all(row["fw_ticks"] is None for row in r["rows"])
    assert "not compared" in report_lines(r)[0]
    r = rep(("CONV_2D", 10))
    attach(r, "CONV_2D took 0 ticks (0 ms).\n")
    assert "has no timer" in report_lines(r)[1]


def test_a_console_without_events_changes_nothing():
    r = rep(("CONV_2D", 10))
    assert attach(r, "hello\n") is None
    assert r == rep(("CONV_2D", 10)) and report_lines(r) == []
