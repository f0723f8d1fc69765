"""``mcusim profile MODEL.tflite`` and the ``--profile``/``--trace``/``--speedscope``
options that ``mcusim run`` shares (L6).

``profile`` runs a user's model on the generic runner firmware for the target (no firmware of
their own), with a per-op report whose MACs come from the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mcusim.cli_common import EPILOG, number_option
from mcusim.errors import EXIT_FAILURE, InputError, McusimError

if TYPE_CHECKING:  # numpy is imported where an input tensor is made, not at start-up
    import numpy as np

INPUT_SEED = 0
NP_TYPES = ("int8", "uint8", "int16", "int32", "float32")  # tensor types numpy names alike


def add_profile_options(p: argparse.ArgumentParser, *, default: str | None = None) -> None:
    p.add_argument(
        "--profile",
        choices=("ops", "functions"),
        default=default,
        help="per-op report (ops: kernel functions matched by cost_models/ops rules); "
        "functions adds flat and inclusive per-function tables",
    )
    p.add_argument("--trace", metavar="FILE", help="Chrome trace-event JSON (Perfetto)")
    p.add_argument("--speedscope", metavar="FILE", help="speedscope JSON profile")
    p.add_argument(
        "--callgrind",
        metavar="FILE",
        help="callgrind profile for kcachegrind/qcachegrind (per-function self and inclusive "
        "cycles; hooks every function, as --profile functions)",
    )
    p.add_argument(
        "--html",
        metavar="FILE",
        help="one self-contained HTML page: per-op table, cycle and energy charts, memory map",
    )
    p.add_argument(
        "--op-rules",
        metavar="NAME|FILE.toml",
        action="append",
        help="op rule set(s) to use (default: all of cost_models/ops: mce, tflm, cmsis_nn)",
    )


def wants_profile(a: argparse.Namespace) -> bool:
    return bool(a.profile or a.trace or a.speedscope or a.callgrind or a.html)


def observers_for(a: argparse.Namespace) -> tuple:
    if not wants_profile(a):
        return ()
    from mcusim.config.oprules import load_rules
    from mcusim.profiler import OpProfiler

    rules = load_rules(a.op_rules) if a.op_rules else None
    functions = a.profile == "functions" or bool(a.callgrind)
    return (OpProfiler(rules=rules, functions=functions),)


def finish_profile(
    a: argparse.Namespace, result, target, console, *, model=None, memory=None, notes=()
):
    """Build the per-op report, write the exports, print the tables; return the report."""
    from mcusim.opreport import op_report, print_op_report
    from mcusim.traces import callgrind, chrome_trace, speedscope, write_json, write_text

    rep = op_report(result, result.active_power_mw, model)
    from mcusim.micro_profiler import attach
    from mcusim.micro_profiler import print_report as print_micro_profiler

    attach(rep, result.console)  # TFLM's own MicroProfiler ticks, when the firmware prints them
    from_file = model is not None and model.path.endswith(".tflite")  # else embedded in the ELF
    label = Path(model.path).name if from_file else Path(result.firmware).name
    if a.trace:
        write_json(a.trace, chrome_trace(rep, name=label), "--trace")
    if a.speedscope:
        write_json(a.speedscope, speedscope(rep, name=label), "--speedscope")
    if a.callgrind:
        write_text(a.callgrind, callgrind(rep, name=label), "--callgrind")
    if a.html:
        from mcusim.htmlreport import html_report, write_html

        summary = {
            "title": f"mcusim: {label} on {result.target}",
            "firmware": result.firmware,
            "target": result.target,
            "core": result.core,
            "clock_hz": result.clock_hz,
            "cycles": result.cycles,
            "time_ms": result.time_s * 1e3,
            "energy_uj": result.energy_uj,
            "avg_power_mw": result.avg_power_mw,
            "notes": list(notes),
        }
        write_html(a.html, html_report(rep, memory, summary))
    if console is not None:
        print_op_report(rep, console)
        print_micro_profiler(rep, console)
    return rep


def embedded_model(fw):
    """The .tflite an application embeds (found by its bytes), parsed; None when there is
    none or it does not parse (the report then has no MACs)."""
    from mcusim.errors import McusimError
    from mcusim.memmap import embedded_model_bytes
    from mcusim.tflite.model import parse_model

    data = embedded_model_bytes(fw)
    if data is None:
        return None
    try:
        return parse_model(data, f"{fw.path}:embedded model")
    except (McusimError, ValueError, IndexError, KeyError):
        return None


@dataclass
class ModelRun:
    result: object
    model: object
    loader: object
    input: np.ndarray
    input_note: str
    firmware: str


def input_for(model, path: str | None) -> tuple[np.ndarray, str]:
    """The input tensor: from ``--input x.npy`` or seeded random values (said in the note)."""
    if len(model.inputs) != 1:
        raise InputError(f"{model.path}: models with {len(model.inputs)} inputs are not supported")
    import numpy as np

    t = model.tensors[model.inputs[0]]
    dtype = np.dtype(t.type).type if t.type in NP_TYPES else None
    if dtype is None:
        raise InputError(f"{model.path}: input tensor type {t.type} is not supported")
    if path:
        try:
            x = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise InputError(f"--input: cannot read '{path}' as .npy: {e}") from None
        if x.size != int(np.prod(t.shape)):
            raise InputError(
                f"--input: '{path}' has {x.size} values, the model's input "
                f"{t.name} {list(t.shape)} takes {int(np.prod(t.shape))}"
            )
        if x.dtype != dtype:
            raise InputError(f"--input: '{path}' is {x.dtype}, the model's input is {t.type}")
        return x.reshape(t.shape), f"input from {path}"
    rng = np.random.default_rng(INPUT_SEED)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, size=t.shape, endpoint=True, dtype=dtype)
    else:
        x = rng.standard_normal(t.shape).astype(dtype)
    return x, f"seeded random input (numpy default_rng({INPUT_SEED}), {t.type} {list(t.shape)})"


def run_model(
    model_path: str,
    target,
    *,
    kernels: str = "reference",
    input_path: str | None = None,
    observers: tuple = (),
    timeout_s: float | None = 600.0,
    runner: str | None = None,
) -> ModelRun:
    """Run a .tflite on the runner firmware for ``target`` (or the user's ``runner`` ELF, see
    :mod:`mcusim.runner_contract`); refuse what does not fit."""
    from mcusim.elf import Firmware
    from mcusim.runner import RunnerLoader, check_fit, runner_elf
    from mcusim.simulator import RunOptions, Simulator
    from mcusim.tflite.model import load_model

    model = load_model(model_path)
    data = Path(model_path).read_bytes()
    if runner:
        from mcusim.runner_contract import check_fit_runner, failure

        fw = Firmware(runner)
        regions = check_fit_runner(model, len(data), fw, target)
    else:
        fw = Firmware(runner_elf(target, kernels))
        regions = check_fit(model, len(data), fw, target)
    x, note = input_for(model, input_path)
    loader = RunnerLoader(data, x.tobytes(), regions)
    opts = RunOptions(timeout_s=timeout_s, observers=(loader, *observers), handle_signals=True)
    result = Simulator(target, opts).run(fw)
    error = loader.error(target)
    if error and runner:
        stop = result.message or result.exit_reason
        why = failure(model_path, fw, loader.status, result.console, stop)
        # the runner refused the model (an op it lacks, sizes): bad input; else it failed
        raise InputError(why) if loader.status.get("status") else McusimError(why)
    if error and "arena does not fit" in error:
        raise InputError(f"{model_path}: {error}")
    if error:
        raise InputError(f"{model_path}: the runner failed: {error}; console: {result.console}")
    return ModelRun(result, model, loader, x, note, fw.path)


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

    target = load_target(
        a.target, clock_hz=number_option("--clock-hz", a.clock_hz), clock_mode=a.clock_mode
    )
    timeout = number_option("--timeout", a.timeout)
    run = run_model(
        a.model,
        target,
        kernels=a.kernels,
        input_path=a.input,
        observers=observers_for(a),
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
        f"arena needed "
        f"{run.loader.status['arena_needed']:,} B"
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
    from mcusim.elf import Firmware
    from mcusim.memmap import memory_report
    from mcusim.opreport import print_memory_report
    from mcusim.runner import HEADER_BYTES

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
    rep = finish_profile(a, r, target, console, model=m, memory=mem, notes=notes)
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
