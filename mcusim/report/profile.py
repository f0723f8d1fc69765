"""The end of a profiled run: the per-op report, its exports (trace, speedscope, callgrind,
HTML) and its table (L6)."""

from __future__ import annotations

from pathlib import Path

from mcusim.profile.options import ProfileOptions


def finish_profile(
    a: ProfileOptions, result, target, console, *, model=None, memory=None, notes=()
):
    """Build the per-op report, write the exports, print the tables; return the report."""
    from mcusim.report.ops import op_report, print_op_report
    from mcusim.report.traces import callgrind, chrome_trace, speedscope, write_json, write_text

    rep = op_report(result, result.active_power_mw, model)
    from mcusim.report.micro_profiler import attach
    from mcusim.report.micro_profiler import print_report as print_micro_profiler

    attach(rep, result.console, result.console_line_cycles)  # TFLM MicroProfiler ticks, if printed
    from_file = model is not None and model.path.endswith(".tflite")  # else embedded in the ELF
    label = Path(model.path).name if from_file else Path(result.firmware).name
    if a.trace:
        write_json(a.trace, chrome_trace(rep, name=label), "--trace")
    if a.speedscope:
        write_json(a.speedscope, speedscope(rep, name=label), "--speedscope")
    if a.callgrind:
        write_text(a.callgrind, callgrind(rep, name=label), "--callgrind")
    if a.html:
        from mcusim.report.html import html_report, write_html

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
