"""The memory report (flash split by symbol, arena plan and high-water, peaks, fits verdict), the
callgrind export read back by a parser of the format, and wake-up times from the target files."""

from __future__ import annotations

import json
import re

import pytest
from simtest import ROOT, elf, run_cli

from mcusim.config import load_target

SAMPLE_MODELS = ROOT / "firmware_samples" / "models"
SHARED_MODELS = ROOT.parent / "shared" / "models"


def test_kws_app_memory_splits_flash_by_symbol_and_measures_the_arena(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli(
        "run", elf("apollo3", "kws"), "--target", "apollo3", "--profile", "ops", "--json", out,
        timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    mem, fp = d["memory"], d["footprint"]
    flash, ram = mem["flash"], mem["ram"]
    # the model is the embedded .tflite, byte for byte the sample model file
    assert [m["name"] for m in flash["model_symbols"]] == ["mce_app_model"]
    assert flash["model_bytes"] == (SAMPLE_MODELS / "kws.tflite").stat().st_size == 50_824
    # the parts add up to what the ELF stores in flash
    parts = ("code_bytes", "model_bytes", "rodata_other_bytes", "data_init_bytes")
    assert sum(flash[k] for k in parts) == flash["used_bytes"] == fp["flash_used_bytes"]
    assert 10_000 < flash["code_bytes"] < fp["text_bytes"] - flash["model_bytes"]
    # the engine itself reports the arena it needs; the measured high-water is exactly it
    needed = int(re.search(r"arena_needed=(\d+)", d["console"]).group(1))
    arena = ram["arena"]
    assert arena["symbol"] == "mce_app_arena" and arena["size_bytes"] == 25_600
    assert arena["high_water_bytes"] == needed == 24_608
    assert arena["reported_bytes"] == needed  # what the firmware printed, found in its console
    assert arena["planned_bytes"] is None  # mcusim's plan is an estimate, labelled as one
    assert arena["estimate_bytes"] <= needed  # activations only; the engine adds its tables
    assert arena["estimate_by"].startswith("estimate: mcusim's planner")
    # RAM: static + stack peak + heap, against the SRAM, with the headroom said
    assert ram["static_bytes"] == ram["data_bytes"] + ram["bss_bytes"] == fp["ram_static_bytes"]
    assert ram["heap_peak_bytes"] is None
    assert ram["stack_peak_bytes"] == d["stack_peak_bytes"]
    ops = d["op_report"]["rows"]
    assert ram["stack_peak_per_op_bytes"] == max(o["stack_peak_bytes"] for o in ops)
    assert ram["used_bytes"] == ram["static_bytes"] + ram["stack_peak_bytes"]
    assert ram["headroom_bytes"] == 393_216 - ram["used_bytes"]
    assert ram["headroom_pct"] == pytest.approx(100 * ram["headroom_bytes"] / 393_216)
    assert mem["fits"] is True
    # and the text report says the same
    assert f"model {flash['model_bytes']:,} B (mce_app_model" in p.stdout
    assert f"high-water {needed:,} B" in p.stdout and "fits: " in p.stdout


def test_memory_verdict_says_does_not_fit_with_negative_headroom():
    from mcusim.image.elf import Firmware
    from mcusim.report.memmap import memory_report
    from mcusim.simulator import Simulator

    target = load_target("apollo3")
    fw = Firmware(elf("apollo3", "sine"))
    result = Simulator(target).run(fw)
    small = type(target)(**{**target.__dict__, "memory": tuple(
        type(r)(**{**r.__dict__, "size_bytes": 4096}) if r.kind == "flash" else r
        for r in target.memory
    )})  # fmt: skip
    mem = memory_report(fw, small, result)
    f = mem["flash"]
    assert f["fits"] is False and mem["fits"] is False
    assert f["headroom_bytes"] == 4096 - f["used_bytes"] < 0
    assert f["headroom_pct"] == pytest.approx(100 * f["headroom_bytes"] / 4096)


@pytest.mark.skipif(not SHARED_MODELS.is_dir(), reason="../shared/models not present")
def test_profile_counts_the_model_written_into_the_runner_and_the_engines_arena(tmp_path):
    out = tmp_path / "r.json"
    model = SHARED_MODELS / "ad01_int8.tflite"
    p = run_cli("profile", model, "--target", "apollo3", "--json", out, timeout=300)
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    mem = d["memory"]
    m = mem["flash"]["model_symbols"]
    assert [x["name"] for x in m] == ["mce_runner_model"]
    assert m[0]["size_bytes"] == 32 + model.stat().st_size == mem["flash"]["model_bytes"]
    a = mem["ram"]["arena"]
    assert a["planned_bytes"] == d["runner_status"]["arena_needed"] == a["high_water_bytes"]
    assert "only that is counted as used" in p.stdout


def _parse_callgrind(text: str) -> tuple[dict, dict, dict]:
    """A reader of the callgrind format as kcachegrind reads it: header, per-function self
    cost, and per (caller, callee) calls and inclusive cost."""
    header: dict[str, str] = {}
    self_cost: dict[str, int] = {}
    calls: dict[tuple[str, str], list[int]] = {}
    fn = cfn = None
    pending_calls = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep and key in ("ob", "fl", "fi", "fe", "cob", "cfi", "cfl"):
            continue
        if sep and key == "fn":
            fn = value
            self_cost.setdefault(fn, 0)
        elif sep and key == "cfn":
            cfn = value
        elif sep and key == "calls":
            pending_calls = int(value.split()[0])
        elif re.fullmatch(r"\d+ \d+", line):
            _, cost = map(int, line.split())
            if pending_calls is not None:
                e = calls.setdefault((fn, cfn), [0, 0])
                e[0] += pending_calls
                e[1] += cost
                pending_calls = None
            else:
                self_cost[fn] += cost
        else:
            k, _, v = line.partition(": ")
            header[k] = v
    return header, self_cost, calls


def test_callgrind_file_holds_self_and_inclusive_cycles_per_function(tmp_path):
    cg, out = tmp_path / "out.callgrind", tmp_path / "r.json"
    p = run_cli(
        "run", elf("apollo3", "tflm_layout"), "--target", "apollo3", "--callgrind", cg,
        "--json", out, "-q",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    header, self_cost, calls = _parse_callgrind(cg.read_text())
    assert header["events"] == "Cycles" and header["version"] == "1"
    assert int(header["summary"]) == sum(self_cost.values())
    funcs = {f["name"]: f for f in json.loads(out.read_text())["op_report"]["functions_inclusive"]}
    assert set(self_cost) == set(funcs)
    for name, f in funcs.items():
        assert self_cost[name] == f["self_cycles"]
        inclusive = self_cost[name] + sum(c for (a, _), (_, c) in calls.items() if a == name)
        assert inclusive == f["inclusive_cycles"], name  # no recursion in this firmware
    # main calls each of the five TFLM-style Eval kernels (told apart by source file) once
    evals = {b: n for (a, b), (n, _) in calls.items() if a == "main" and b.startswith("Eval [")}
    assert len(evals) == 5 and set(evals.values()) == {1}
    assert sum(n for (a, b), (n, _) in calls.items() if b == "main") == 1


def test_wake_up_times_come_from_the_target_power_table(tmp_path):
    assert load_target("nrf52840").power.sleep_wake_up_us == 3.0
    assert load_target("stm32l4r5").power.deep_sleep_wake_up_us == 8.0
    out = tmp_path / "e.json"
    p = run_cli(
        "energy", elf("nrf52840", "sine"), "--target", "nrf52840", "--rate", "1/s",
        "--sleep", "sleep", "--json", out,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    assert d["wake_s"] == pytest.approx(3e-6)
    # 3 µs drawn at the active power: 52 µA/MHz x 64 MHz x 3.0 V = 9.984 mW
    assert d["wake_energy_uj"] == pytest.approx(9.984 * 3e-6 * 1e3)
    assert "tIDLE2CPU" in p.stdout
