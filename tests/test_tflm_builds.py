"""TFLM as its own Makefile builds it, run through mcusim: every kernel test passes and the two
benchmarks have every op of every Invoke() attributed, in the model's order.

Nothing of TFLM is in this repository: MCUSIM_TFLM_BUILDS names the ``bin`` folders of builds
you made (README, "TFLM across releases, kernels and cores"), each as ``BIN_DIR@TARGET``
(TARGET a built-in name or a board file), entries separated by os.pathsep, e.g.
``.../gen/cortex_m_qemu_cortex-m4_debug/bin@mps2-an386:.../g21_m0_ref/bin@m0plus.toml``.
Without it these tests skip and say why.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from simtest import run_cli

BUILDS = [
    tuple(entry.rsplit("@", 1))
    for entry in os.environ.get("MCUSIM_TFLM_BUILDS", "").split(os.pathsep)
    if entry
]
needs_builds = pytest.mark.skipif(
    not BUILDS,
    reason="set MCUSIM_TFLM_BUILDS to BIN_DIR@TARGET entries of TFLM builds (see module doc)",
)
# The benchmarks' models (TFLM's keyword_scrambled and person_detect) and their op counts
BENCHMARKS = {"keyword_benchmark": 15, "person_detection_benchmark": 31}


def _id(build) -> str:
    return f"{Path(build[0]).parent.name}@{Path(build[1]).stem}"


@needs_builds
@pytest.mark.parametrize("build", BUILDS, ids=_id)
def test_every_kernel_test_of_a_tflm_build_passes(build, tmp_path):
    bin_dir, target = build
    tests = sorted(Path(bin_dir).glob("kernel_*_test"))
    assert len(tests) >= 50, f"{bin_dir}: expected TFLM's kernel tests there"
    out = tmp_path / "results.json"
    p = run_cli(
        "test", *tests, "--target", target, "--expect", "~~~ALL TESTS PASSED~~~",
        "--json", out, "-q", timeout=1800,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout[-3000:]
    results = json.loads(out.read_text())
    assert results["passed"] == len(tests) and results["failed"] == 0


@needs_builds
@pytest.mark.parametrize("build", BUILDS, ids=_id)
@pytest.mark.parametrize("bench", sorted(BENCHMARKS))
def test_a_tflm_benchmark_has_every_op_of_every_invoke(build, bench, tmp_path):
    bin_dir, target = build
    elf = Path(bin_dir) / bench
    if not elf.is_file():
        pytest.skip(f"{elf}: not built")
    out = tmp_path / "run.json"
    p = run_cli(
        "run", elf, "--target", target, "--profile", "ops", "-q", "--json", out, timeout=600
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    ops = json.loads(out.read_text())["extensions"]["ops"]["ops"]
    per_invoke = BENCHMARKS[bench]
    assert ops and len(ops) % per_invoke == 0, len(ops)
    names = [o["op"] for o in ops]
    assert names == names[:per_invoke] * (len(ops) // per_invoke)  # the same ops each Invoke()
    assert all(o["finished"] and o["cycles"] > 0 for o in ops)
