"""``--html report.html`` rendered in headless Chromium: what a person sees (one bar per op in
the cycle and energy charts, the memory map) carries the same numbers as the JSON, and the page
fetches nothing from the network. Skips only when chromium is not installed (CI installs it)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import pytest
from simtest import ROOT, elf, run_cli

from mcusim.report.html import fmt

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
MODELS = ROOT.parent / "shared" / "models"


def chromium(page, tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            *args,
            page.as_uri(),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )


class Dom(HTMLParser):
    """Elements of the rendered DOM: tag, attributes, own text, and the ids of its ancestors."""

    def __init__(self):
        super().__init__()
        self.elements: list[dict] = []
        self.stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "within": set()}
        for parent in self.stack:
            el["within"] |= {parent["attrs"].get("id")} | parent["within"]
        self.elements.append(el)
        if tag not in ("meta", "br", "img", "input", "link"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1]["text"] += data

    def find(self, tag, cls=None, within=None):
        return [
            e
            for e in self.elements
            if e["tag"] == tag
            and (cls is None or cls in e["attrs"].get("class", "").split())
            and (within is None or within in e["within"])
        ]


def _render(html, tmp_path) -> Dom:
    p = chromium(html, tmp_path, "--dump-dom")
    assert p.returncode == 0, p.stderr[-2000:]
    dom = Dom()
    dom.feed(p.stdout)
    return dom


def _check_page(html, d, tmp_path):
    text = html.read_text()
    # self-contained: no script, no stylesheet/font/image link, no URL anywhere in the page
    assert "<script" not in text and "<link" not in text and "<img" not in text
    assert not re.search(r"https?://|url\(", text)
    dom = _render(html, tmp_path)
    rep, mem = d["op_report"], d["memory"]
    rows = rep["rows"]
    assert rows
    # the charts: one bar per op, in order, the value the JSON has, length proportional
    for chart, key in (("cycles-chart", "cycles"), ("energy-chart", "energy_uj")):
        bars = dom.find("rect", "bar", within=chart)
        assert len(bars) == len(rows), chart
        peak = max(r[key] for r in rows)
        widest = max(float(b["attrs"]["width"]) for b in bars)
        for bar, row in zip(bars, rows, strict=True):
            assert int(bar["attrs"]["data-index"]) == row["index"]
            assert float(bar["attrs"]["data-value"]) == pytest.approx(row[key])
            assert float(bar["attrs"]["width"]) == pytest.approx(
                max(1.0, widest * row[key] / peak), abs=0.02
            )
        labels = [t["text"] for t in dom.find("text", "value", within=chart)]
        spec = "," if key == "cycles" else ",.3f"
        assert labels == [fmt(r[key], spec) for r in rows]
    # the table: every op's numbers as the JSON has them
    trs = dom.find("tr", "op", within="ops")
    assert len(trs) == len(rows)
    cells = dom.find("td", within="ops")
    by_key: dict[str, list[str]] = {}
    for c in cells:
        for k in c["attrs"].get("class", "").split():
            by_key.setdefault(k, []).append(c["text"])
    n = len(rows)
    assert by_key["cycles"][:n] == [fmt(r["cycles"]) for r in rows]
    assert by_key["cycles"][n] == fmt(rep["total"]["cycles"])  # total row
    assert by_key["energy_uj"][:n] == [fmt(r["energy_uj"], ",.3f") for r in rows]
    assert by_key["macs"][:n] == [fmt(r["macs"]) for r in rows]
    assert by_key["stack_peak_bytes"][:n] == [fmt(r["stack_peak_bytes"]) for r in rows]
    # memory: figures and the map
    memtab = {
        k: c["text"]
        for c in dom.find("td", within="memory")
        for k in c["attrs"]["class"].split()
        if k != "n"
    }
    for key in ("code_bytes", "model_bytes", "rodata_other_bytes"):
        assert memtab[key] == fmt(mem["flash"][key])
    assert memtab["stack_peak_bytes"] == fmt(mem["ram"]["stack_peak_bytes"])
    assert memtab["arena_high_water_bytes"] == fmt(mem["ram"]["arena"]["high_water_bytes"])
    verdict = "fits" if mem["flash"]["fits"] else "does not fit"
    assert verdict in "".join(t["text"] for t in dom.find("span", within="memory"))
    regions = dom.find("rect", "region", within="memory-map")
    assert [r["attrs"]["data-region"] for r in regions] == [r["name"] for r in mem["regions"]]
    models = dom.find("rect", "model", within="memory-map")
    assert [int(m["attrs"]["data-size"]) for m in models] == [
        m["size_bytes"] for m in mem["flash"]["model_symbols"]
    ]
    assert dom.find("rect", "stack", within="memory-map")
    assert dom.find("rect", "arena-high-water", within="memory-map")
    # and a screenshot a person can look at
    png = tmp_path / "page.png"
    p = chromium(html, tmp_path, f"--screenshot={png}", "--window-size=1200,2000")
    assert p.returncode == 0 and png.stat().st_size > 20_000, p.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png.read_bytes()[16:24]) == (1200, 2000)


@needs_chromium
def test_html_of_a_profiled_app_run_shows_the_json_numbers_in_chromium(tmp_path):
    html, out = tmp_path / "report.html", tmp_path / "r.json"
    p = run_cli(
        "run", elf("apollo3", "kws"), "--target", "apollo3", "--profile", "ops",
        "--html", html, "--json", out, "-q", timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    assert len(d["op_report"]["rows"]) == 12
    _check_page(html, d, tmp_path)


@needs_chromium
@pytest.mark.skipif(not MODELS.is_dir(), reason="../shared/models not present")
def test_html_of_mcusim_profile_shows_the_json_numbers_in_chromium(tmp_path):
    html, out = tmp_path / "report.html", tmp_path / "r.json"
    p = run_cli(
        "profile", MODELS / "ad01_int8.tflite", "--target", "nrf52840", "--html", html,
        "--json", out, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    assert d["memory"]["flash"]["model_symbols"][0]["name"] == "mce_runner_model"
    _check_page(html, d, tmp_path)
