"""``mcusim profile MODEL.tflite``: a per-op profile of a model on the runner firmware (L6).

``profile`` runs a user's model on the generic runner firmware for the target (no firmware of
their own), with a per-op report whose MACs come from the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mcusim.cli.options import EPILOG, add_profile_options, number_option, profile_options
from mcusim.errors import EXIT_FAILURE, InputError

if TYPE_CHECKING:  # numpy is imported where an input tensor is made, not at start-up
    import numpy as np


def tflm_output(model_path: str, x: np.ndarray, n_outputs: int = 1) -> bytes | None:
    """The TFLM interpreter's output bytes for ``x``, or None when tflite-micro is missing."""
    import numpy as np

    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        return None
    interp = runtime.Interpreter.from_bytes(Path(model_path).read_bytes())
    interp.set_input(x, 0)
    interp.invoke()
    return b"".join(np.ascontiguousarray(interp.get_output(i)).tobytes() for i in range(n_outputs))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profile",
        epilog=EPILOG,
        help="run a .tflite model on the runner firmware and print a per-op profile",
        description="Run MODEL (a .tflite, int8) on the target with mcusim's runner firmware "
        "(firmware_samples/apps/runner: our own int8 engine), or on your own inference stack "
        "with --runner, and print cycles, time, energy, MACs and memory per op. Refuses a "
        "model that does not fit the target or the runner's buffers.",
    )
    p.add_argument("model", metavar="MODEL.tflite")
    p.add_argument("--target", "-t", required=True, metavar="NAME|FILE.toml")
    p.add_argument("--clock-hz", metavar="HZ", help="override the core clock")
    p.add_argument("--clock-mode", metavar="NAME", help="a named clock mode of the target")
    p.add_argument(
        "--kernels",
        choices=("reference", "optimized"),
        default="reference",
        help="runner built with the reference kernels or the DSP-optimized ones",
    )
    p.add_argument(
        "--runner",
        metavar="RUNNER.elf",
        help="your own runner firmware instead of ours: any ELF that follows the runner "
        "contract (the mce_runner_model/_input/_output/_status symbols of "
        "firmware_samples/apps/runner/mce_runner.h, e.g. a TFLM build of tflm_runner.cc); "
        "--kernels is then ignored (the kernels are the runner's)",
    )
    p.add_argument("--input", metavar="x.npy", help="input tensor (default: seeded random)")
    p.add_argument(
        "--check",
        action="store_true",
        help="compare the output with the tflite-micro interpreter (when installed); exit 1 "
        "on a difference",
    )
    p.add_argument("--json", metavar="FILE", help="write result, per-op report and output")
    p.add_argument("--timeout", metavar="SECONDS", help="host time limit (default 600 s)")
    add_profile_options(p, default="ops")
    p.set_defaults(func=cmd_profile)


def cmd_profile(a: argparse.Namespace) -> int:
    from rich.console import Console

    from mcusim.config import load_target
    from mcusim.report.profile import finish_profile
    from mcusim.simulator.model_run import run_model

    profiling = profile_options(a)
    target = load_target(
        a.target, clock_hz=number_option("--clock-hz", a.clock_hz), clock_mode=a.clock_mode
    )
    timeout = number_option("--timeout", a.timeout)
    run = run_model(
        a.model,
        target,
        kernels=a.kernels,
        input_path=a.input,
        observers=profiling.observers(),
        timeout_s=600.0 if timeout is None else timeout,
        runner=a.runner,
    )
    r = run.result
    console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 150)
    out_hex = run.loader.output.hex()
    m = run.model
    stack = f"runner {run.firmware}" if a.runner else f"{a.kernels} kernels"
    console.print(
        f"mcusim profile: {a.model} on {target.name} ({r.core} @ {r.clock_hz / 1e6:g} MHz), "
        + (stack if a.runner else f"{stack} ({Path(run.firmware).name})")
    )
    console.print(
        f"model: {m.size_bytes:,} B, {len(m.operators)} ops, {m.total_macs:,} MACs, "
        f"arena plan {m.arena_plan()[0]:,} B activations; {'runner' if a.runner else 'engine'} "
        f"arena needed {run.loader.status['arena_needed']:,} B"
    )
    console.print(f"input: {run.input_note}")
    shown = out_hex if len(out_hex) <= 128 else out_hex[:128] + f"... ({len(out_hex) // 2:,} B)"
    console.print(f"output: {shown}")
    check = None
    if a.check:
        ref = tflm_output(a.model, run.input, len(m.outputs))
        if ref is None:
            console.print("[yellow]--check: tflite-micro is not installed; not compared[/]")
        else:
            check = ref == run.loader.output
            diff = sum(x != y for x, y in zip(ref, run.loader.output, strict=False))
            console.print(
                "check: output matches the tflite-micro interpreter bit for bit"
                if check
                else f"[red]check: output differs from tflite-micro in {diff} byte(s): "
                f"tflm {ref.hex()}[/]"
            )
    console.print(
        f"whole run (engine init + inference): {r.cycles:,} cycles, "
        f"{r.time_s * 1e3:.3f} ms, {r.energy_uj:.3f} µJ, "
        f"{r.avg_power_mw:.3f} mW; stack peak {r.stack_peak_bytes:,} B"
    )
    from mcusim.image.elf import Firmware
    from mcusim.profile.runner import HEADER_BYTES
    from mcusim.report.memmap import memory_report
    from mcusim.report.ops import print_memory_report

    mem = memory_report(
        Firmware(run.firmware),
        target,
        r,
        runner_model_bytes=HEADER_BYTES + m.size_bytes,
        arena_planned_bytes=run.loader.status["arena_needed"],
        arena_planned_by="the runner (mce_runner_status.arena_needed) for this model"
        if a.runner
        else "the engine (mce_arena_needed) for this model",
    )
    extra = {"model": a.model, "input_note": run.input_note, "output_hex": out_hex}
    notes = [f"model {a.model}, {stack}", run.input_note]
    rep = finish_profile(profiling, r, target, console, model=m, memory=mem, notes=notes)
    print_memory_report(mem, console)
    if a.json:
        d = r.to_dict()
        d.update(extra)
        d["op_report"] = rep
        d["memory"] = mem
        d["runner_status"] = run.loader.status
        d["check_ok"] = check
        d["model_summary"] = {
            "size_bytes": m.size_bytes,
            "operators": len(m.operators),
            "macs": m.total_macs,
            "arena_plan_bytes": m.arena_plan()[0],
            "weights_bytes": m.weights_bytes,
        }
        try:
            Path(a.json).write_text(json.dumps(d, indent=2))
        except OSError as e:
            raise InputError(f"--json: cannot write '{a.json}': {e.strerror}") from None
    if check is False:
        return EXIT_FAILURE
    print(f"mcusim: {r.message or r.exit_reason}", file=sys.stderr)
    return 0
