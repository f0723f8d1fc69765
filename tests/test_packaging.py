"""The wheel carries the data folders, and the one resolver finds them there."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from simtest import ROOT


def test_wheel_contains_targets_and_cost_models(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("mcusim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for t in (ROOT / "targets").glob("*.toml"):
        assert f"mcusim/_data/targets/{t.name}" in names
    for c in (ROOT / "cost_models" / "cores").glob("*.toml"):
        assert f"mcusim/_data/cost_models/cores/{c.name}" in names
    costs = list((ROOT / "cost_models" / "ops" / "mce_costs").glob("*.toml"))
    assert len(costs) == 15  # mcusim estimate's op cost tables
    for c in costs:
        assert f"mcusim/_data/cost_models/ops/mce_costs/{c.name}" in names
