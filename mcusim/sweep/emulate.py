"""One inference of a ``.tflite`` (given as bytes) emulated on the runner firmware (L6).

What ``mcusim profile`` does, reduced to the numbers a sweep, ``estimate --check`` and the
cost-table fitting need: per-op cycles and stack, the engine's arena, the run's power. The
input is the same seeded one as ``mcusim profile`` uses.
"""

from __future__ import annotations

from mcusim.errors import InputError


def emulate_model(
    data: bytes,
    target,
    kernels: str,
    *,
    name: str = "<model>",
    timeout_s: float = 600.0,
    elf: bytes | None = None,
) -> dict:
    """Run ``data`` on ``target`` (a Target) with ``kernels``; a plain dict of results.
    ``elf``: the runner's bytes (as a Ray task receives them), else the installed runner.

    Raises:
        InputError: the model does not fit or the runner fails.
    """
    from mcusim.image.elf import Firmware
    from mcusim.profile.profiler import OpProfiler
    from mcusim.profile.runner import RunnerLoader, check_fit, runner_elf
    from mcusim.simulator import RunOptions, Simulator
    from mcusim.simulator.model_run import input_for
    from mcusim.tflite.model import parse_model

    model = parse_model(data, name)
    fw = Firmware(_elf_file(elf) if elf is not None else runner_elf(target, kernels))
    regions = check_fit(model, len(data), fw, target)
    x, note = input_for(model, None)
    loader = RunnerLoader(data, x.tobytes(), regions)
    opts = RunOptions(timeout_s=timeout_s, observers=(loader, OpProfiler()))
    result = Simulator(target, opts).run(fw)
    error = loader.error(target)
    if error:
        raise InputError(f"{name}: {error}")
    ops = [
        {
            "op": o["op"],
            "cycles": int(o["cycles"]),
            "stack_peak_bytes": o.get("stack_peak_bytes"),
        }
        for o in result.extensions["ops"]["ops"]
    ]
    return {
        "ops": ops,
        "cycles": sum(o["cycles"] for o in ops),
        "run_cycles": result.cycles,
        "clock_hz": result.clock_hz,
        "active_power_mw": result.active_power_mw,
        "arena_needed_bytes": loader.status["arena_needed"],
        "stack_peak_bytes": max((o["stack_peak_bytes"] or 0 for o in ops), default=0),
        "input_note": note,
    }


def _elf_file(elf: bytes):
    """A file holding ``elf`` (named by its hash, so a worker writes each runner once)."""
    import hashlib
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.gettempdir()) / "mcusim-sweep-elf"
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha256(elf).hexdigest()}.elf"
    if not path.exists():
        tmp = path.with_suffix(f".{id(elf)}.tmp")
        tmp.write_bytes(elf)
        tmp.replace(path)
    return path
