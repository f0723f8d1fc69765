"""``mcusim test``: verdicts and their reasons, JUnit, project files, globs, parallel runs and
baselines (deterministic results make a zero tolerance meaningful)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from simtest import ELF, elf, needs_gcc

from mcusim.cli import main
from mcusim.report import baseline as bl
from mcusim.testing.testrunner import TestCase, run_case

T = "mps2-an386"
HERE = Path(__file__).resolve().parent
HELLO = elf(T, "hello")
EXITCODE = elf(T, "exitcode")  # exits with code 3
FAULT = elf(T, "fault")
SPIN = elf(T, "spin")


def outcome(image, **kw):
    from mcusim.testing.budget import check_budget

    return run_case(TestCase(image=str(image), target=T, **kw), check_budget)


def test_a_clean_exit_passes_with_numbers():
    o = outcome(HELLO)
    assert o.passed and o.reason == "" and o.exit_code == 0
    assert o.result["cycles"] > 50_000 and "hello: done" in o.console


def test_each_failure_names_its_reason():
    assert outcome(EXITCODE).reason == "exit code"
    assert outcome(EXITCODE).exit_code == 3
    o = outcome(HELLO, expect="~~~ALL TESTS PASSED~~~")
    assert (o.reason, o.exit_code) == ("missing pattern", 1)
    assert "~~~ALL TESTS PASSED~~~" in o.message
    o = outcome(FAULT)
    assert o.reason == "fault" and "main+0x" in o.message and "0x000002" in o.message
    o = outcome(HELLO, budget={"cycles": 1000})
    assert o.reason == "budget" and "cycles" in o.message and "> budget 1,000" in o.message
    o = outcome(SPIN, max_cycles=100_000)
    assert (o.reason, o.exit_code) == ("time limit", 124)
    o = outcome(SPIN, timeout_s=0.3)
    assert o.reason == "time limit" and "--timeout" in o.message


def test_an_unreadable_image_is_an_input_error(tmp_path):
    bad = tmp_path / "bad.elf"
    bad.write_bytes(b"not an elf")
    o = outcome(bad)
    assert o.input_error and o.reason == "error" and "bad.elf: not an ELF file" in o.message


def test_junit_has_one_case_per_image_with_console_and_reasons(tmp_path, capsys):
    xml = tmp_path / "results.xml"
    code = main(
        ["test", str(HELLO), str(EXITCODE), str(FAULT), "-t", T, "--junit", str(xml), "-j", "1"]
    )
    assert code == 1
    suite = ET.parse(xml).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = {Path(c.get("name")).name: c for c in suite.iter("testcase")}
    assert cases["hello.elf"].find("failure") is None
    assert "hello: done, exit 0" in cases["hello.elf"].find("system-out").text
    assert cases["exitcode.elf"].find("failure").get("type") == "exit code"
    fault = cases["fault.elf"].find("failure")
    assert fault.get("type") == "fault" and "PRECISERR" in fault.get("message")
    assert "PC 0x" in fault.text and "main+0x" in fault.text
    out = capsys.readouterr()
    assert "PASS" in out.out and "FAIL" in out.out and "1 of 3 passed" in out.err


def test_console_bytes_xml_cannot_hold_are_replaced():
    from mcusim.report.junit import to_xml
    from mcusim.testing.testrunner import Outcome

    case = TestCase(image="x.elf", target=T)
    o = Outcome(case, False, "exit code", "bad \x01", 1, None, "a\x00b\x1bc", 0.1)
    root = ET.fromstring(to_xml([o]))
    assert root.find(".//system-out").text == "a\ufffdb\ufffdc"


def test_globs_and_parallel_runs_give_the_serial_results(tmp_path, capsys):
    pattern = str(ELF / T / "[he]*.elf")  # hello, exceptions, exitcode
    j1, j2 = tmp_path / "1.json", tmp_path / "2.json"
    assert main(["test", pattern, "-t", T, "-j", "1", "--json", str(j1)]) == 1
    assert main(["test", pattern, "-t", T, "-j", "2", "--json", str(j2)]) == 1
    a, b = json.loads(j1.read_text()), json.loads(j2.read_text())
    assert len(a["images"]) == 3 and a["passed"] == 2
    assert [(i["key"], i["result"]["cycles"]) for i in a["images"]] == [
        (i["key"], i["result"]["cycles"]) for i in b["images"]
    ]


def test_a_glob_matching_nothing_exits_2(tmp_path, capsys):
    assert main(["test", str(tmp_path / "*.elf"), "-t", T]) == 2
    assert "no file matches" in capsys.readouterr().err


def test_no_images_and_no_project_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["test", "-t", T]) == 2
    assert "no images given" in capsys.readouterr().err


def _project(folder: Path, text: str, name: str = "mcusim.toml") -> Path:
    (folder / "fw").mkdir()
    for app in ("hello", "exitcode"):
        (folder / "fw" / f"{app}.elf").write_bytes(elf(T, app).read_bytes())
    (folder / name).write_text(text)
    return folder


def test_mcusim_test_with_no_arguments_runs_what_mcusim_toml_declares(tmp_path, monkeypatch):
    _project(
        tmp_path,
        f"""
target = "{T}"
junit = "out/results.xml"
budget = {{ stack_bytes = 4096 }}
jobs = 1
[[image]]
path = "fw/hello.elf"
expect = "hello: done"
[[image]]
path = "fw/exitcode.elf"
""",
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # found by walking up
    assert main(["test"]) == 1
    suite = ET.parse(tmp_path / "out" / "results.xml").getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    # a flag overrides the file: a budget the hello image cannot meet
    assert main(["test", "fw/hello.elf", "--budget", "cycles=10", "--no-config", "-t", T]) == 2
    assert main(["test", "--budget", "cycles=10", "--junit", str(tmp_path / "o.xml")]) == 1
    root = ET.parse(tmp_path / "o.xml").getroot()
    types = sorted(f.get("type") for f in root.iter("failure"))
    assert types == ["budget", "exit code"]


def test_pyproject_tool_mcusim_table_is_read(tmp_path, monkeypatch, capsys):
    _project(
        tmp_path,
        f"""
[project]
name = "x"
[tool.mcusim]
images = ["fw/e*.elf"]
targets = ["{T}", "mps2-an385"]
jobs = 1
""",
        name="pyproject.toml",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["test", "--json", "r.json"]) == 1
    data = json.loads((tmp_path / "r.json").read_text())
    assert [i["target"] for i in data["images"]] == [T, "mps2-an385"]
    assert [i["exit_code"] for i in data["images"]] == [3, 3]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("imagez = []", "imagez is not a known key"),
        ("images = [1]", "images[0] must be a string"),
        ("timeout = -1", "timeout must be > 0"),
        ("budget = { cycles = true }", "budget.cycles must be a number"),
        ("[[image]]\nexpect = 'x'", "image[0].path is missing"),
        ("targets = 'apollo3'", "targets must be an array"),
    ],
)
def test_a_malformed_project_file_exits_2_naming_file_and_key(tmp_path, capsys, text, problem):
    (tmp_path / "mcusim.toml").write_text(text)
    assert main(["test", "--config", str(tmp_path / "mcusim.toml")]) == 2
    err = capsys.readouterr().err
    assert "mcusim.toml" in err and problem in err and "Traceback" not in err


# -- baselines ------------------------------------------------------------------------------
def test_zero_tolerance_passes_on_a_rerun_because_results_are_deterministic(tmp_path, capsys):
    base = tmp_path / "base.json"
    args = ["test", str(HELLO), str(elf(T, "systick")), "-t", T, "-j", "1"]
    assert main([*args, "--save-baseline", str(base)]) == 0
    saved = json.loads(base.read_text())["images"]
    assert set(saved[f"{HELLO}@{T}"]) >= {"cycles", "stack_peak_bytes", "flash_used_bytes"}
    assert main([*args, "--baseline", str(base), "--tolerance", "cycles=0,stack_bytes=0"]) == 0
    out = capsys.readouterr().out
    assert "REGRESSION" not in out and "0 regression(s), 0 improvement(s)" in out


def test_growth_beyond_tolerance_fails_and_shrink_is_an_improvement(tmp_path, capsys):
    base = tmp_path / "base.json"
    args = ["test", str(HELLO), "-t", T, "-j", "1"]
    assert main([*args, "--save-baseline", str(base)]) == 0
    data = json.loads(base.read_text())
    rec = data["images"][f"{HELLO}@{T}"]
    cycles = rec["cycles"]
    rec["cycles"] = cycles - 100  # the new run is 100 cycles slower than this baseline
    rec["stack_peak_bytes"] += 8  # and uses 8 bytes less stack
    base.write_text(json.dumps(data))
    assert main([*args, "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "improved" in out and "+100" in out
    # 100 / (cycles - 100) is under 1 %: allowed with a 1 % tolerance, not with 0.1 %
    assert 100 / (cycles - 100) < 0.01
    assert main([*args, "--baseline", str(base), "--tolerance", "cycles=1%"]) == 0
    assert main([*args, "--baseline", str(base), "--tolerance", "cycles=0.1%"]) == 1
    assert main([*args, "--baseline", str(base), "--tolerance", "cycles=100"]) == 0


def test_a_bad_tolerance_or_baseline_exits_2(tmp_path, capsys):
    assert main(["test", str(HELLO), "-t", T, "--tolerance", "speed=1"]) == 2
    (tmp_path / "b.json").write_text("{")
    assert main(["test", str(HELLO), "-t", T, "--baseline", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert "speed=1" in err and "b.json: not valid JSON" in err


def test_per_op_rows_are_recorded_and_compared_when_the_profiler_provides_them():
    result = {
        "cycles": 10,
        "energy_uj": 1.0,
        "stack_peak_bytes": 4,
        "footprint": {"flash_used_bytes": 100, "ram_static_bytes": 8},
        "extensions": {
            "ops": {"ops": [{"op": "CONV_2D", "cycles": 7}, {"op": "SOFTMAX", "cycles": 3}]}
        },
    }
    old = bl.record(result)
    assert old["ops"] == {"0:CONV_2D": {"cycles": 7}, "1:SOFTMAX": {"cycles": 3}}
    result["extensions"]["ops"]["ops"][0]["cycles"] = 8
    result["cycles"] = 11
    diffs = bl.compare({"a": old}, {"a": bl.record(result)}, bl.parse_tolerance(None))
    worse = {d.metric for d in diffs if d.regression}
    assert worse == {"cycles", "op 0:CONV_2D cycles"}
    # without the profiler: no ops, nothing to compare, no error
    assert "ops" not in bl.record({**result, "extensions": {}})
    assert bl.op_rows("not rows") == {}


def test_test_runner_uses_every_core_by_default():
    from mcusim.testing.testrunner import default_jobs

    assert default_jobs() == len(os.sched_getaffinity(0))


def test_results_stream_on_stderr_as_each_image_finishes(capsys):
    code = main(["test", str(HELLO), str(EXITCODE), str(HELLO), "--target", T, "-j", "2"])
    err = capsys.readouterr().err.splitlines()
    lines = [x for x in err if x.startswith("[")]
    assert code == 1 and len(lines) == 3
    assert [x.split()[0] for x in lines] == ["[1/3]", "[2/3]", "[3/3]"]
    assert sum("PASS" in x and "hello.elf@mps2-an386" in x for x in lines) == 2
    from mcusim.config import load_target
    from mcusim.simulator import Simulator

    cycles = Simulator(load_target(T)).run(EXITCODE).cycles  # the line shows the run's count
    assert any("FAIL (exit code)" in x and f"{cycles:,} cycles" in x for x in lines)


def test_a_worker_loads_each_target_once(monkeypatch):
    import mcusim.config
    from mcusim.testing import testrunner

    loads = []
    original = mcusim.config.load_target
    monkeypatch.setattr(mcusim.config, "load_target", lambda n: loads.append(n) or original(n))
    cases = [TestCase(image=str(HELLO), target=T)] * 3
    assert all(o.passed for o in testrunner.run_all(cases, jobs=1))
    assert loads == [T]


@needs_gcc
def test_check_alignment_fails_an_image_the_core_would_fault_on(tmp_path, capsys, monkeypatch):
    """tests/align_probe.c passes when Unicorn performs its unaligned LDRD; with
    --check-alignment (or check_alignment = true in the project file) it fails on the fault,
    and the FAIL line quotes the instruction as the firmware has it (brackets and all)."""
    from simtest import build_bare_m4

    probe = build_bare_m4(HERE / "align_probe.c", tmp_path / "align.elf", flags=("-O1",))
    assert main(["test", str(probe), "-t", T, "--no-config"]) == 0
    capsys.readouterr()
    assert main(["test", str(probe), "-t", T, "--no-config", "--check-alignment"]) == 1
    out = capsys.readouterr().out
    assert "unaligned access (UNALIGNED)" in out
    assert "ldrd r0, r1, [r0] at address 0x20000202, not 4-byte aligned" in out.replace("\n", "")
    (tmp_path / "mcusim.toml").write_text(
        f'target = "{T}"\ncheck_alignment = true\n[[image]]\npath = "align.elf"\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["test"]) == 1
