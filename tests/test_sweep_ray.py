"""``mcusim sweep --emulate --executor ray``: emulations as Ray tasks on a local Ray cluster
the test starts with 2 CPUs give the same rows as the local process pool, bit for bit; a
failing task is reported on its own row; Ctrl-C cancels what is outstanding."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from simtest import ROOT

from mcusim.sweep.executors import run_local, run_ray
from mcusim.sweep.grid import Energy, make_grid, mark_pareto

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'mcusim[ray]')")

OWN = ROOT / "firmware_samples" / "models"


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster of 2 CPUs for this module (no dashboard)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_tasks_give_the_local_pools_rows_bit_for_bit_and_one_bad_task_its_own_row(
    ray_cluster, tmp_path
):
    broken = tmp_path / "broken.tflite"
    broken.write_bytes((OWN / "sine.tflite").read_bytes()[:200])  # truncated: fails to load
    models = [str(OWN / "sine.tflite"), str(OWN / "anomaly.tflite"), str(broken),
              str(OWN / "vision.tflite")]  # fmt: skip
    grid = make_grid(models, ["apollo3", "efm32wg"], [None], ["reference", "optimized"])
    energy = Energy(period_s=1.0, battery="cr2032")
    local = run_local(grid, energy, jobs=2)
    remote = run_ray(grid, energy)
    mark_pareto(local)
    mark_pareto(remote)
    assert json.dumps(remote, sort_keys=True) == json.dumps(local, sort_keys=True)
    status = [(r["model"], r["target"], r["kernels"], r["status"]) for r in remote]
    assert len(status) == 16
    ok = [s for s in status if s[3] == "ok"]
    # sine everywhere; anomaly and vision on apollo3 (efm32wg's runner is too small for them)
    assert len(ok) == 8
    bad = [r for r in remote if r["model"] == "broken.tflite"]
    assert len(bad) == 4 and all(
        r["status"] == "error" and "broken.tflite" in r["reason"] for r in bad
    )
    assert all(r["status"] == "does not fit" for r in remote
               if r["model"] != "sine.tflite" and r["target"] == "efm32wg"
               and r["model"] != "broken.tflite")  # fmt: skip


def test_a_worker_that_dies_loses_only_its_own_row(ray_cluster, monkeypatch):
    import mcusim.sweep.executors as ex

    real = ex._ray_task

    def dying(combo, data, elf, board, energy):
        if combo.target == "nrf52840":
            os._exit(3)  # the worker process dies: Ray reports the task as failed
        return real(combo, data, elf, board, energy)

    # the workers cannot import this test module: send the replacement by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(ex, "_ray_task", dying)
    grid = make_grid(
        [str(OWN / "sine.tflite")], ["apollo3", "nrf52840", "stm32l4r5"], [None], ["reference"]
    )
    rows = run_ray(grid, Energy())
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert rows[1]["reason"].startswith("Ray task failed")


@pytest.mark.slow
def test_ctrl_c_cancels_outstanding_ray_tasks_and_exits_130(tmp_path):
    env = dict(os.environ, RAY_DISABLE_IMPORT_WARNING="1")
    p = subprocess.Popen(
        [sys.executable, "-m", "mcusim.cli", "sweep", str(OWN / "vision.tflite"),
         str(OWN / "digits.tflite"), "--targets", "apollo3,nrf52840,stm32l4r5,samd51",
         "--clocks", "24e6,48e6,64e6,96e6", "--kernels", "reference", "--emulate",
         "--executor", "ray", "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(15)  # Ray started and the first of 32 tasks (a minute of work) are running
    p.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted" in err
    assert time.monotonic() - t0 < 15  # the outstanding tasks were cancelled, not waited for


def test_the_command_line_with_executor_ray_starts_ray_and_prints_the_local_pools_table(tmp_path):
    from simtest import run_cli

    common = (OWN / "sine.tflite", OWN / "anomaly.tflite", "--targets", "apollo3,nrf52840",
              "--kernels", "reference,optimized", "--emulate", "-j", "2")  # fmt: skip
    out = {}
    for executor in ("local", "ray"):
        path = tmp_path / f"{executor}.json"
        p = run_cli("sweep", *common, "--executor", executor, "--json", path, timeout=300)
        assert p.returncode == 0, p.stderr
        out[executor] = json.loads(path.read_text())["rows"]
    assert out["ray"] == out["local"]
    assert len(out["ray"]) == 8 and all(r["status"] == "ok" for r in out["ray"])
