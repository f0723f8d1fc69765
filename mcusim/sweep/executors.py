"""Where a sweep's emulations run (L6): inline, a local process pool, or Ray tasks.

All three call :func:`mcusim.sweep.grid.emulate_row` on the same inputs, so their rows are
identical bit for bit. A failing combination comes back as a row with its reason; Ctrl-C
cancels what has not finished and re-raises.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mcusim.errors import InputError
from mcusim.sweep.grid import Combo, Energy, base_row, emulate_row


def _progress(done: int, total: int, row: dict) -> None:
    """One line on stderr per finished emulation, rewritten in place (only on a terminal)."""
    if not sys.stderr.isatty():
        return
    end = "\n" if done == total else ""
    sys.stderr.write(
        f"\r\x1b[K[{done}/{total}] {row['model']} on {row['target']} ({row['kernels']}): "
        f"{row['status']}{end}"
    )
    sys.stderr.flush()


def _local_job(args):
    combo, energy = args
    return emulate_row(combo, Path(combo.model).read_bytes(), energy)


def run_local(combos: list[Combo], energy: Energy, jobs: int | None = None) -> list[dict]:
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(combos) == 1:
        return [_local_job((c, energy)) for c in combos]
    pool = ProcessPoolExecutor(min(jobs, len(combos)))
    futures = [pool.submit(_local_job, (c, energy)) for c in combos]
    try:
        rows = []
        for c, f in zip(combos, futures, strict=True):
            try:
                rows.append(f.result())
            except Exception as e:  # a worker that died: this row only
                row = base_row(c)
                row["method"] = "emulate"
                row["reason"] = f"worker failed: {type(e).__name__}: {e}"
                rows.append(row)
            _progress(len(rows), len(combos), rows[-1])
        pool.shutdown()
        return rows
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _ray():
    try:
        import ray
    except ImportError:
        raise InputError(
            "--executor ray: Ray is not installed (pip install 'mcusim[ray]')"
        ) from None
    return ray


def run_ray(
    combos: list[Combo],
    energy: Energy,
    *,
    address: str | None = None,
    num_cpus: int | None = None,
) -> list[dict]:
    """Each combination as a Ray task; the runner ELFs, the models and board files go to the
    object store once each and every task gets references to them."""
    from mcusim.config import load_target
    from mcusim.profile.runner import runner_elf

    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        kw = {"address": address} if address else {"num_cpus": num_cpus}
        ray.init(
            **kw,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        task = ray.remote(max_retries=0)(_ray_task)
        models, elfs, boards, refs = {}, {}, {}, []
        for c in combos:
            if c.model not in models:
                models[c.model] = ray.put(Path(c.model).read_bytes())
            try:
                target = load_target(c.target)
                key = (target.name, c.kernels)
                if key not in elfs:
                    elfs[key] = ray.put(runner_elf(target, c.kernels).read_bytes())
                elf_ref = elfs[key]
            except InputError:
                elf_ref = None  # the task reports it on its row
            board = None
            if c.target.endswith(".toml"):
                if c.target not in boards:
                    boards[c.target] = ray.put(Path(c.target).read_bytes())
                board = boards[c.target]
            refs.append(task.remote(c, models[c.model], elf_ref, board, energy))
        rows = []
        try:
            for c, ref in zip(combos, refs, strict=True):
                try:
                    rows.append(ray.get(ref))
                except ray.exceptions.RayError as e:  # the task or its worker died
                    row = base_row(c)
                    row["method"] = "emulate"
                    row["reason"] = f"Ray task failed: {type(e).__name__}: {str(e)[:200]}"
                    rows.append(row)
                _progress(len(rows), len(combos), rows[-1])
        except KeyboardInterrupt:
            # A local instance started here goes with its workers at shutdown below; cancelling
            # there too can race a task's completion and crash Ray's driver ("Tried to complete
            # task that was not pending", seen with ray.cancel(force=True)). On a cluster the
            # tasks outlive us unless cancelled.
            if not (started_here and not address):
                for ref in refs:
                    ray.cancel(ref, force=True)
            raise
        return rows
    finally:
        if started_here:
            ray.shutdown()


def _ray_task(combo: Combo, data: bytes, elf: bytes | None, board: bytes | None, energy):
    return emulate_row(combo, data, energy, elf=elf, target_text=board)
