"""Op attribution and the per-op report on firmware we built: the TFLM-like layout (identical
``Eval`` names in different source files, called through function pointers) and the runner."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from simtest import elf, needs_gcc, run_cli

from mcusim.config import load_target
from mcusim.image.elf import Firmware
from mcusim.profile.profiler import OpProfiler
from mcusim.simulator import RunOptions, Simulator

LAYOUT = elf("apollo3", "tflm_layout")
EXPECTED = [
    ("CONV_2D", "tensorflow/lite/micro/kernels/conv.c"),
    ("CONV_2D", "tensorflow/lite/micro/kernels/cmsis_nn/conv.c"),
    ("DEPTHWISE_CONV_2D", "tensorflow/lite/micro/kernels/depthwise_conv.c"),
    ("FULLY_CONNECTED", "tensorflow/lite/micro/kernels/fully_connected.c"),
    ("SOFTMAX", "tensorflow/lite/micro/kernels/softmax.c"),
]


def _run(path=LAYOUT, target="apollo3", **kw):
    prof = OpProfiler(**kw)
    result = Simulator(load_target(target), RunOptions(observers=(prof,))).run(path)
    return result, result.extensions["ops"]


def test_the_eval_functions_share_one_name_so_only_dwarf_tells_them_apart():
    fw = Firmware(LAYOUT)
    evals = [f for f in fw.functions if f.name == "Eval"]
    assert len(evals) == 5
    files = {fw.source_file_of(f.address).split("tflm_layout/")[1] for f in evals}
    assert files == {path for _, path in EXPECTED}


def test_dwarf_source_files_attribute_each_eval_to_its_op_in_execution_order():
    result, ext = _run()
    assert result.exit_code == 0
    ops = ext["ops"]
    assert [(o["op"], o["source_file"].split("tflm_layout/")[1]) for o in ops] == EXPECTED
    assert all(o["kernel"] == "Eval" and o["engine"] == "tflm" and o["finished"] for o in ops)


def test_op_cycles_agree_with_what_the_firmware_measures_with_dwt_cyccnt():
    result, ext = _run()
    dwt = [int(c) for c in re.findall(r"cycles=(\d+)", result.console)]
    assert len(dwt) == 5
    for measured, op in zip(dwt, ext["ops"], strict=True):
        # the firmware's window also holds the CYCCNT load, the pointer load and the BLX
        assert 0 <= measured - op["cycles"] <= 16, (measured, op)


def test_a_cmsis_nn_call_inside_an_eval_counts_toward_that_op_not_as_a_new_one():
    _, ext = _run(functions=True)
    assert len(ext["ops"]) == 5  # arm_convolve_s8 matches cmsis_nn.toml but is nested
    inner = next(f for f in ext["functions"] if f["name"] == "arm_convolve_s8")
    op = ext["ops"][1]
    assert op["cycles"] > inner["inclusive_cycles"] > 0.9 * op["cycles"]


def test_stack_peak_per_op_sees_the_softmax_scratch_and_keeps_the_run_peak_right():
    plain = Simulator(load_target("apollo3")).run(LAYOUT)
    result, ext = _run()
    peaks = [o["stack_peak_bytes"] for o in ext["ops"]]
    assert peaks[4] >= 256 + 16 and max(peaks[:4]) < 256  # softmax's 256-byte local buffer
    assert result.stack_peak_bytes == plain.stack_peak_bytes == max(peaks)
    assert result.cycles == plain.cycles  # observing does not change the modelled time


def test_functions_profile_gives_unique_names_and_nested_inclusive_times():
    _, ext = _run(functions=True)
    by_name = {f["name"]: f for f in ext["functions"]}
    assert "Eval [kernels/conv.c]" in by_name and "Eval [cmsis_nn/conv.c]" in by_name
    main = by_name["main"]
    assert main["inclusive_cycles"] > sum(o["cycles"] for o in ext["ops"])
    assert by_name["Reset_Handler"]["inclusive_cycles"] >= main["inclusive_cycles"]


def test_run_profile_exports_trace_and_speedscope_matching_the_op_rows(tmp_path):
    trace, ss, js = tmp_path / "t.json", tmp_path / "s.json", tmp_path / "r.json"
    p = run_cli(
        "run", LAYOUT, "--target", "apollo3", "--profile", "functions",
        "--trace", trace, "--speedscope", ss, "--json", js,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "per-op profile" in p.stdout and "DEPTHWISE_CONV_2D" in p.stdout
    assert "functions, inclusive" in p.stdout
    rows = json.loads(js.read_text())["op_report"]["rows"]
    assert len(rows) == 5
    events = json.loads(trace.read_text())["traceEvents"]
    op_slices = [e for e in events if e.get("cat") == "op"]
    assert [e["name"] for e in op_slices] == [r["op"] for r in rows]
    for e, r in zip(op_slices, rows, strict=True):
        assert e["ph"] == "X" and e["args"]["cycles"] == r["cycles"]
        assert e["ts"] == pytest.approx(r["start_cycle"] / 48.0)  # µs at 48 MHz
        assert e["dur"] == pytest.approx(r["cycles"] / 48.0)
    funcs = [e for e in events if e.get("cat") == "function"]
    assert any(e["name"] == "arm_convolve_s8" for e in funcs)
    doc = json.loads(ss.read_text())
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    ops_profile = doc["profiles"][0]
    opens = [e for e in ops_profile["events"] if e["type"] == "O"]
    assert [doc["shared"]["frames"][e["frame"]]["name"] for e in opens] == [
        f"{r['index']} {r['op']}" for r in rows
    ]
    for prof in doc["profiles"]:  # events nest: every close matches the innermost open
        stack = []
        for e in prof["events"]:
            if e["type"] == "O":
                stack.append(e["frame"])
            else:
                assert stack.pop() == e["frame"]
        assert stack == []


def test_firmware_without_matching_functions_says_so():
    p = run_cli("run", elf("apollo3", "hello"), "--target", "apollo3", "--profile", "ops")
    assert p.returncode == 0
    assert "no op was recognised" in p.stdout


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_an_op_whose_return_address_already_ran_unattributed_still_closes(native):
    # No rule for CONV_2D: the interpreter's return address runs (and Unicorn translates it)
    # twice before the first matched op opens and hooks it. A hook added to code already
    # translated never fired, so DEPTHWISE_CONV_2D stayed open and swallowed the rest of the
    # run ("unfinished"); ops mode must agree with functions mode.
    from mcusim.config.oprules import load_rules

    rules = [r for r in load_rules(["tflm"]) if r.op != "CONV_2D"]
    by_mode = {}
    for functions in (False, True):
        prof = OpProfiler(rules=rules, functions=functions)
        opts = RunOptions(observers=(prof,), native=native)
        result = Simulator(load_target("apollo3"), opts).run(LAYOUT)
        ops = result.extensions["ops"]["ops"]
        by_mode[functions] = [(o["op"], o["cycles"], o["finished"]) for o in ops]
    assert [op for op, _, _ in by_mode[False]] == [
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
        "SOFTMAX",
    ]
    assert all(finished for _, _, finished in by_mode[False])
    assert by_mode[False] == by_mode[True]


def test_tflm_rules_know_both_cmsis_nn_kernel_folders():
    # kernels/cmsis-nn/ up to TFLM 2.4 (the MLPerf Tiny v0.5 reference), kernels/cmsis_nn/ since
    from mcusim.config.oprules import load_rules

    rules = load_rules(["tflm"])
    for folder in ("cmsis-nn", "cmsis_nn"):
        path = f"/x/tensorflow/lite/micro/kernels/{folder}/fully_connected.cc"
        assert [r.op for r in rules if r.matches("Eval", path)] == ["FULLY_CONNECTED"]


@needs_gcc
def test_without_dwarf_the_registrations_tell_which_eval_is_which_op(tmp_path):
    """The same image stripped of its debug information (symbols only): every ``Eval`` is
    still attributed, through the ``Register_<OP>`` function whose static registration points
    at it. The CMSIS-style file registers as ``Register_CONV_2D_CMSIS``, no op name, so that op
    is found by its inner ``arm_convolve_s8`` (a symbol rule) instead."""

    stripped = tmp_path / "stripped.elf"
    subprocess.run(
        ["arm-none-eabi-objcopy", "--strip-debug", str(LAYOUT), str(stripped)], check=True
    )
    assert Firmware(stripped).source_file_of(Firmware(stripped).symbols["main"]) is None
    result, ext = _run(stripped)
    _, full = _run()
    assert [(o["op"], o["kernel"]) for o in ext["ops"]] == [
        ("CONV_2D", "Eval"),
        ("CONV_2D", "arm_convolve_s8"),
        ("DEPTHWISE_CONV_2D", "Eval"),
        ("FULLY_CONNECTED", "Eval"),
        ("SOFTMAX", "Eval"),
    ]
    for i in (0, 2, 3, 4):  # the same calls, so the same cycles as with DWARF
        assert ext["ops"][i]["cycles"] == full["ops"][i]["cycles"]


def test_registration_names_give_the_op_mangled_or_not_with_type_suffixes():
    from mcusim.profile.registrations import op_of_registration, registered_name

    assert registered_name("_ZN6tflite16Register_CONV_2DEv") == "CONV_2D"
    assert registered_name("_ZN6tflite3ops5micro16Register_RESHAPEEv") == "RESHAPE"
    assert registered_name("tflite::Register_FULLY_CONNECTED_INT8()") == "FULLY_CONNECTED_INT8"
    assert registered_name("Register_SOFTMAX") == "SOFTMAX"
    assert registered_name("RegisterDebugLogCallback") is None
    ops = {"ADD", "FULLY_CONNECTED", "CONV_2D"}
    assert op_of_registration("FULLY_CONNECTED_INT8", ops) == "FULLY_CONNECTED"
    assert op_of_registration("CONV_2D", ops) == "CONV_2D"
    assert op_of_registration("ADD_N", ops) is None  # another op, not ADD
    assert op_of_registration("DEPTHWISE_CONV_2D", ops) is None


@needs_gcc
@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_a_link_time_optimised_build_is_attributed_from_its_abstract_origins(tmp_path):
    """With -flto GCC renames each static Eval (Eval.lto_priv.N), inlines the registrations
    and puts the code's DWARF in an <artificial> unit that points back (DW_AT_abstract_origin)
    to the declaration in the kernel file's own unit: the op still comes from that file."""
    firmware = Path(__file__).resolve().parent.parent / "firmware_samples"
    out = tmp_path / "elf" / "apollo3" / "tflm_layout.elf"
    subprocess.run(
        ["make", "-s", "-C", str(firmware), f"OUT={tmp_path / 'elf'}", f"OBJ={tmp_path / 'obj'}",
         "EXTRA_CFLAGS=-flto", str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert any(".lto_priv." in f.name for f in Firmware(out).functions)
    result, ext = _run(out)
    assert result.exit_code == 0
    assert [(o["op"], o["source_file"].split("tflm_layout/")[1]) for o in ext["ops"]] == EXPECTED
    dwt = [int(c) for c in re.findall(r"cycles=(\d+)", result.console)]
    for measured, op in zip(dwt, ext["ops"], strict=True):
        assert 0 <= measured - op["cycles"] <= 16, (measured, op)
