"""One figure everywhere: every memory figure of a run is the same in the run summary, the
memory table, the JSON, the HTML page and ``mcusim test``'s table, and no observer (op or
function profiling, traces, the HTML page, stack or alignment checks) changes any of them.

Images: sample ELFs (all of them under ``-m slow``) and the third-party shapes of
tests/shapes/ (semihosted without vector table, reserved stack section, RAM-only board, RTOS
thread on the PSP, exit from inside an op), built here with arm-none-eabi-gcc.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from shapebuild import SHAPES, build, have_toolchain
from simtest import ELF, elf

from mcusim.cli import main

OBSERVERS = {
    "none": [],
    "check-stack": ["--check-stack", "--check-alignment"],
    "profile-ops": ["--profile", "ops", "--html", "{tmp}/r.html"],
    "profile-functions": ["--profile", "functions", "--trace", "{tmp}/t.json", "--html",
                          "{tmp}/r.html", "--speedscope", "{tmp}/s.json"],
}  # fmt: skip
MAX_CYCLES = "3000000"  # long samples stop mid-run: figures must agree then too (an op open)
SAMPLES = [elf("mps2-an386", a) for a in ("hello", "sandbox", "tflm_layout", "kws")]
SAMPLES += [elf("stm32l4r5", "kws-opt"), elf("apollo3", "tflm_layout")]
ALL_SAMPLES = sorted(p for p in ELF.glob("*/*.elf") if p.stem not in ("runner-ref", "runner-opt"))


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def _row(text: str, label: str) -> str:
    """The value cell of the summary/memory table row whose label starts with ``label``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 2 and cells[1].startswith(label):
            return cells[2]
    raise AssertionError(f"no row {label!r} in:\n{text}")


def _html_cells(page: str) -> dict[str, str]:
    cells = re.findall(r'<td class="n ([a-z_]+)">(.*?)</td>', page)
    return {k: html.unescape(re.sub(r"<[^>]+>", "", v)) for k, v in cells}


def run_everywhere(image, target, observer, tmp_path, capsys, monkeypatch) -> dict:
    """Run once through the CLI; every surface's figures, parsed from what it shows."""
    monkeypatch.setenv("COLUMNS", "400")
    args = [a.format(tmp=tmp_path) for a in OBSERVERS[observer]]
    js = tmp_path / "run.json"
    main(["run", str(image), "--target", target, "--max-cycles", MAX_CYCLES, "--json", str(js),
          *args])  # fmt: skip
    out = capsys.readouterr().out
    d = json.loads(js.read_text())
    figures = {"json": d, "summary": out}
    if "--html" in args:
        figures["html"] = _html_cells((tmp_path / "r.html").read_text())
    return figures


def check_one_figure(figs: dict) -> dict:
    """Assert each figure agrees across the surfaces of one run; return the figures."""
    d, out = figs["json"], figs["summary"]
    fp, mem = d["footprint"], d["memory"]
    want = {
        "stack": d["stack_peak_bytes"],
        "image": fp["flash_used_bytes"],
        "image_size": fp["flash_size_bytes"],
        "static": fp["ram_static_bytes"],
        "data": fp["data_bytes"],
        "bss": fp["bss_bytes"],
        "heap": d["heap_peak_bytes"],
    }
    # the JSON's memory report
    assert mem["ram"]["stack_peak_bytes"] == want["stack"]
    assert (mem["flash"]["used_bytes"], mem["flash"]["size_bytes"]) == (
        want["image"],
        want["image_size"],
    )
    assert mem["ram"]["static_bytes"] == want["static"] == want["data"] + want["bss"]
    assert (mem["ram"]["data_bytes"], mem["ram"]["bss_bytes"]) == (want["data"], want["bss"])
    assert mem["ram"]["heap_peak_bytes"] == want["heap"]
    assert mem["flash"]["fits"] is not False  # every image here runs, so it fits
    per_op = mem["ram"]["stack_peak_per_op_bytes"]
    assert per_op is None or per_op <= want["stack"]
    # the run summary
    label = "image in RAM" if fp["image_in_ram"] else "flash used"
    image_row = _row(out, label)
    assert _num(image_row.split(" B")[0]) == want["image"]
    assert f"of {want['image_size']:,} B" in image_row
    static_row = _row(out, "static RAM")
    assert _num(static_row.split(" B")[0]) == want["static"]
    assert f".data {want['data']:,} B, .bss {want['bss']:,} B" in static_row
    assert _num(_row(out, "stack peak").split(" B")[0]) == want["stack"]
    if want["heap"] is not None:
        assert _num(_row(out, "heap peak").split(" B")[0]) == want["heap"]
    if "op_report" in d:  # the memory table printed after the op tables
        table = out[re.search(r"^memory *$", out, re.M).start() :]
        static = _row(table, "static")
        assert static == (
            f"{want['static']:,} B (.data {want['data']:,} B, .bss {want['bss']:,} B)"
        )
        assert _row(table, "stack peak").startswith(f"{want['stack']:,} B whole run; ")
        verdict = _row(table, "image in RAM" if fp["image_in_ram"] else "flash")
        assert f"{want['image']:,} of {want['image_size']:,} B" in verdict
    if "html" in figs:
        h = figs["html"]
        assert _num(h["stack_peak_bytes"]) == want["stack"]
        assert _num(h["static_bytes"]) == want["static"]
        assert (_num(h["data_bytes"]), _num(h["bss_bytes"])) == (want["data"], want["bss"])
        assert f"{want['image']:,} of {want['image_size']:,} B" in h["flash_verdict"]
    return want


def check_observers_change_nothing(image, target, tmp_path, capsys, monkeypatch):
    seen = {}
    for observer in OBSERVERS:
        sub = tmp_path / observer
        sub.mkdir()
        figs = run_everywhere(image, target, observer, sub, capsys, monkeypatch)
        d = figs["json"]
        seen[observer] = (
            check_one_figure(figs),
            d["cycles"],
            d["energy_uj"],
            d["console"],
            d["process_stacks"],
        )
    first = seen["none"]
    for observer, got in seen.items():
        assert got == first, f"{observer} changed a figure of {image} on {target}"
    # `mcusim test`'s table and JSON show the same stack peak
    out_json = tmp_path / "test.json"
    main(["test", str(image), "--target", target, "--max-cycles", MAX_CYCLES, "-j", "1",
          "--json", str(out_json)])  # fmt: skip
    table = capsys.readouterr().out
    rec = json.loads(out_json.read_text())["images"][0]["result"]
    assert rec["stack_peak_bytes"] == first[0]["stack"]
    header = next(line for line in table.splitlines() if "stack peak B" in line)
    column = [c.strip() for c in header.split("┃")].index("stack peak B")
    row = next(line for line in table.splitlines() if image.name in line)
    assert _num([c.strip() for c in row.split("│")][column]) == first[0]["stack"]
    return first


def _target_of(path) -> str:
    return path.parent.name


@pytest.mark.parametrize("image", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sample_figures_agree_everywhere_with_every_observer(image, tmp_path, capsys, monkeypatch):
    figs = check_observers_change_nothing(image, _target_of(image), tmp_path, capsys, monkeypatch)
    assert figs[0]["stack"] > 0 and figs[0]["image"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("image", ALL_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sample_figure_agrees_everywhere(image, tmp_path, capsys, monkeypatch):
    check_observers_change_nothing(image, _target_of(image), tmp_path, capsys, monkeypatch)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict:
    if not have_toolchain():
        pytest.skip("arm-none-eabi-gcc is not installed")
    out = tmp_path_factory.mktemp("shapes")
    return {name: build(name, out) for name in SHAPES}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_third_party_shaped_figures_agree_everywhere_with_every_observer(
    name, shapes, tmp_path, capsys, monkeypatch
):
    target = SHAPES[name][0]
    want, cycles, _, console, process_stacks = check_observers_change_nothing(
        shapes[name], target, tmp_path, capsys, monkeypatch
    )
    assert 3000 < want["stack"] < 3100 or name == "rtos_psp"
    assert want["static"] > 8192  # the 8 KB tensor arena and more
    if name == "rtos_psp":
        assert want["stack"] < 100 and 3000 < process_stacks[0]["peak_bytes"] < 3100
    if name in ("ram_only", "semihosted"):
        assert want["image_size"] == 4 << 20  # MPS2's 4 MB code SSRAM, not "0 B of flash"
