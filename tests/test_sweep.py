"""``mcusim sweep``: every model x target x clock x kernels in one table with the Pareto front,
energy at a rate and battery life; CSV, JSON and an HTML page (checked in headless Chromium);
bad input; the local process pool's emulations."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest
from simtest import ROOT, run_cli
from test_html_report import Dom, chromium, needs_chromium

from mcusim.report.energy import SECONDS_PER_DAY
from mcusim.sweep.grid import mark_pareto

sys.path.insert(0, str(ROOT / "tests" / "engine"))

OWN = ROOT / "firmware_samples" / "models"
SHARED = ROOT.parent / "shared" / "models"
M4F = "apollo3,nrf52840,stm32l4r5,samd51,efm32wg,mps2-an386"


def sweep_json(tmp_path, *args):
    out = tmp_path / "sweep.json"
    p = run_cli("sweep", *args, "--json", out)
    assert p.returncode == 0, p.stderr
    return json.loads(out.read_text()), p


def test_sweep_estimates_every_combination_in_one_table(tmp_path):
    doc, p = sweep_json(
        tmp_path, OWN / "kws.tflite", OWN / "digits.tflite", "--targets", "apollo3,nrf52840",
        "--kernels", "reference,optimized", "--clocks", "48e6,64e6",
    )  # fmt: skip
    rows = doc["rows"]
    assert len(rows) == 2 * 2 * 2 * 2
    combos = {(r["model"], r["target"], r["clock_hz"], r["kernels"]) for r in rows}
    assert len(combos) == 16
    assert all(r["status"] == "ok" and r["method"] == "estimate" for r in rows)
    # cycles do not depend on the clock; latency does
    by = {(r["model"], r["target"], r["kernels"], r["clock_hz"]): r for r in rows}
    a, b = (
        by[("kws.tflite", "apollo3", "optimized", 48e6)],
        by[("kws.tflite", "apollo3", "optimized", 64e6)],
    )
    assert a["cycles"] == b["cycles"] and a["latency_ms"] == pytest.approx(
        b["latency_ms"] * 64 / 48
    )
    assert "kws.tflite" in p.stdout and "★" in p.stdout


def front(rows):
    """The rows no other eligible row beats: brute force, as the definition says."""
    keys = ("latency_ms", "energy_uj", "ram_bytes")
    ok = [
        r for r in rows
        if r["status"] == "ok" and r["energy_uj"] is not None
        and r["flash_ok"] is not False and r["ram_ok"] is not False
    ]  # fmt: skip
    return [
        r for r in ok
        if not any(all(o[k] <= r[k] for k in keys) and any(o[k] < r[k] for k in keys) for o in ok)
    ]  # fmt: skip


@pytest.mark.parametrize("scope", ["all", "per-model"])
def test_pareto_front_is_the_rows_no_other_row_beats_on_latency_energy_and_ram(tmp_path, scope):
    doc, _ = sweep_json(tmp_path, OWN / "kws.tflite", OWN / "vision.tflite", "--targets", M4F,
                        "--kernels", "reference,optimized", "--pareto", scope)  # fmt: skip
    rows = doc["rows"]
    if scope == "all":
        expected = front(rows)
    else:
        expected = [
            r
            for m in ("kws.tflite", "vision.tflite")
            for r in front([x for x in rows if x["model"] == m])
        ]
    marked = [r for r in rows if r["pareto"]]
    key = lambda r: (r["model"], r["target"], r["kernels"])  # noqa: E731
    assert sorted(map(key, marked)) == sorted(map(key, expected))
    assert 1 <= len(marked) < len(rows)
    # mps2-an386 has no power figure: its energy is unknown, so it is never on the front
    assert all(
        r["energy_uj"] is None and not r["pareto"] for r in rows if r["target"] == "mps2-an386"
    )


def test_mark_pareto_on_hand_made_rows():
    def row(lat, e, ram):
        return {
            "status": "ok",
            "latency_ms": lat,
            "energy_uj": e,
            "ram_bytes": ram,
            "flash_ok": True,
            "ram_ok": True,
            "pareto": False,
        }

    rows = [row(1, 10, 100), row(2, 5, 100), row(2, 10, 100), row(3, 3, 50), row(1, 10, 100),
            row(0.5, 1, 10) | {"ram_ok": False}]  # fmt: skip
    mark_pareto(rows)
    # (2,10,100) is beaten by (1,10,100); the two equal (1,10,100) rows do not beat each other;
    # the best row does not fit the RAM, so it takes no part
    assert [r["pareto"] for r in rows] == [True, True, False, True, True, False]


def test_rate_and_battery_give_average_power_and_days_from_the_energy_code(tmp_path):
    doc, _ = sweep_json(tmp_path, OWN / "kws.tflite", "--targets", "apollo3", "--kernels",
                        "optimized", "--rate", "1/s", "--battery", "cr2032")  # fmt: skip
    r = doc["rows"][0]
    # one period: the inference at active power, deep sleep (3.3 µW on apollo3) for the rest
    lat_s = r["latency_ms"] / 1e3
    avg_mw = (r["energy_uj"] + 3.3e-3 * (1 - lat_s) * 1e3) / 1e3
    assert r["avg_power_mw"] == pytest.approx(avg_mw)
    # CR2032: 235 mAh x 3 V = 2,538 J
    assert r["battery_days"] == pytest.approx(2538 / (avg_mw / 1e3 * SECONDS_PER_DAY))


def test_csv_has_a_header_and_one_line_per_combination(tmp_path):
    out = tmp_path / "s.csv"
    p = run_cli("sweep", OWN / "sine.tflite", OWN / "anomaly.tflite", "--targets",
                "apollo3,rp2040", "--csv", out)  # fmt: skip
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 4
    assert {r["target"] for r in rows} == {"apollo3", "rp2040"}
    assert all(float(r["latency_ms"]) > 0 and r["pareto"] in ("True", "False") for r in rows)


def test_a_model_with_an_unsupported_op_is_a_row_marked_no_cost_table(tmp_path):
    from mce_testlib import TT, ModelBuilder, Op

    mb = ModelBuilder()
    x = mb.tensor([1, 16], TT.INT8, 0.1, 0)
    y = mb.tensor([1, 16], TT.INT8, 1 / 256, -128)
    mb.op(Op.TANH, [x], [y])
    bad = tmp_path / "tanh.tflite"
    bad.write_bytes(mb.build([x], [y]))
    doc, _ = sweep_json(tmp_path, bad, OWN / "sine.tflite", "--targets", "apollo3")
    status = {r["model"]: (r["status"], r["reason"]) for r in doc["rows"]}
    assert status["tanh.tflite"] == (
        "no cost table",
        "op 0 TANH: no cost model for TANH (not fitted for our engine)",
    )
    assert status["sine.tflite"] == ("ok", None)


def test_an_optimized_flavour_on_a_core_without_dsp_is_a_row_not_a_crash(tmp_path):
    doc, _ = sweep_json(tmp_path, OWN / "sine.tflite", "--targets", "rp2040", "--kernels",
                        "reference,optimized")  # fmt: skip
    st = {r["kernels"]: r for r in doc["rows"]}
    assert st["reference"]["status"] == "ok"
    assert st["optimized"]["status"] == "no cost table"
    assert "cortex-m0plus with optimized kernels" in st["optimized"]["reason"]


@pytest.mark.parametrize(
    "args",
    [
        ("--targets", ","),
        ("--targets", "apollo3", "--kernels", ","),
        ("--targets", "apollo3,nosuchboard"),
        ("--targets", "apollo3", "--kernels", "fast"),
        ("--targets", "apollo3", "--clocks", "lots"),
        ("--targets", "apollo3", "--executor", "ray"),
    ],
    ids=[
        "no-target",
        "no-kernels",
        "unknown-target",
        "unknown-kernels",
        "bad-clock",
        "ray-estimate",
    ],
)
def test_empty_grid_or_unknown_target_is_one_line_on_stderr_and_exit_2(args):
    p = run_cli("sweep", OWN / "sine.tflite", *args)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert p.stdout == ""


def test_emulated_sweep_in_the_local_pool_reports_a_model_that_does_not_fit_on_its_row(tmp_path):
    doc, _ = sweep_json(tmp_path, OWN / "sine.tflite", OWN / "vision.tflite", "--targets",
                        "efm32wg", "--emulate", "-j", "2")  # fmt: skip
    st = {r["model"]: r for r in doc["rows"]}
    assert st["sine.tflite"]["status"] == "ok" and st["sine.tflite"]["cycles"] > 0
    assert st["vision.tflite"]["status"] == "does not fit"
    assert "does not fit" in st["vision.tflite"]["reason"]


def test_estimate_and_emulation_agree_within_5_percent_in_a_sweep(tmp_path):
    args = (OWN / "kws.tflite", "--targets", "apollo3,stm32l4r5", "--kernels", "optimized")
    est, _ = sweep_json(tmp_path, *args)
    emu, _ = sweep_json(tmp_path, *args, "--emulate")
    for a, b in zip(est["rows"], emu["rows"], strict=True):
        assert abs(a["cycles"] - b["cycles"]) / b["cycles"] <= 0.05


@needs_chromium
def test_html_page_shows_one_point_per_row_with_the_pareto_front_marked(tmp_path):
    page = tmp_path / "sweep.html"
    doc, _ = sweep_json(tmp_path, OWN / "kws.tflite", OWN / "digits.tflite", "--targets",
                        "apollo3,nrf52840,stm32l4r5", "--kernels", "reference,optimized",
                        "--html", page)  # fmt: skip
    p = chromium(page, tmp_path, "--dump-dom")
    assert p.returncode == 0, p.stderr
    dom = Dom()
    dom.feed(p.stdout)
    points = dom.find("circle", "point", within="scatter")
    rows = doc["rows"]
    assert len(points) == len(rows) == 12
    for pt in points:
        r = rows[int(pt["attrs"]["data-row"])]
        assert float(pt["attrs"]["data-latency-ms"]) == r["latency_ms"]
        assert float(pt["attrs"]["data-energy-uj"]) == r["energy_uj"]
        assert ("pareto" in pt["attrs"]["class"].split()) is r["pareto"]
    table_rows = [e for e in dom.find("tr") if "data-row" in e["attrs"]]
    assert len(table_rows) == 12
    assert sum("pareto" in e["attrs"].get("class", "") for e in table_rows) == sum(
        r["pareto"] for r in rows
    )
    shot = tmp_path / "shot.png"
    p = chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1000,800")
    assert p.returncode == 0 and shot.stat().st_size > 10_000
