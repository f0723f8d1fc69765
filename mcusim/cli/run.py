"""``mcusim run``: run one firmware ELF and report (L6)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from mcusim.cli.options import (
    DEFAULT_TIMEOUT_S,
    EPILOG,
    add_profile_options,
    number_option,
    parse_budget,
    profile_options,
)
from mcusim.errors import EXIT_FAILURE, InputError
from mcusim.profile.roi import StopAt, parse_roi
from mcusim.testing.budget import BUDGET_KEYS, check_budget


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "run",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run a firmware ELF and report cycles, time, energy and memory",
        description="Run FIRMWARE (an ARM ELF) on a target board model. The firmware's console "
        "(semihosting, the target's UART, ITM port 0) streams to stdout as it runs; a report "
        "follows. The run ends when the firmware exits through semihosting, halts (WFI or a "
        "branch-to-self with no interrupt left), faults, or reaches a limit.",
    )
    run.add_argument(
        "firmware",
        metavar="FIRMWARE.elf",
        nargs="+",
        help="ARM ELF image to run; several images (or several targets) run as a parallel "
        "sweep on all cores with one combined table and JSON",
    )
    run.add_argument(
        "--target",
        "-t",
        required=True,
        metavar="NAME|FILE.toml[,...]",
        help="built-in target name (see 'mcusim targets') or a board TOML file; a comma-"
        "separated list runs every image on every target",
    )
    run.add_argument(
        "--check-stack",
        action="store_true",
        help="stop at the first write below the stack region while SP is below it (stack "
        "overflow); slower, off by default (a stack that fills its region is still warned of)",
    )
    run.add_argument(
        "--check-alignment",
        action="store_true",
        help="fault on unaligned accesses the core does not allow (LDRD/LDM/STM on Armv7-M, "
        "any with CCR.UNALIGN_TRP, all on Armv6-M); slower, off by default",
    )
    run.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="parallel runs in a sweep (default: all cores)"
    )
    run.add_argument("--clock-hz", metavar="HZ", help="override the core clock, e.g. 96e6 or 96M")
    run.add_argument(
        "--clock-mode",
        metavar="NAME",
        help="use a named clock mode of the target (e.g. 'burst' on apollo3)",
    )
    run.add_argument(
        "--max-cycles",
        metavar="N",
        help="stop after N modelled cycles (exit code 124, partial report)",
    )
    run.add_argument(
        "--timeout",
        metavar="SECONDS",
        default=None,
        help="stop after this much host time (default 300 s; exit code 124)",
    )
    run.add_argument(
        "--args",
        nargs=argparse.REMAINDER,
        default=[],
        help="arguments passed to the firmware (semihosting SYS_GET_CMDLINE); "
        "everything after --args",
    )
    run.add_argument(
        "--semihosting-root",
        metavar="DIR",
        help="folder the firmware may open files in through semihosting "
        "(default: no host file access at all)",
    )
    run.add_argument(
        "--budget",
        metavar="KEY=VALUE[,...]",
        help="fail (exit 1) when a result exceeds a limit; keys: " + ", ".join(BUDGET_KEYS),
    )
    run.add_argument("--json", metavar="FILE", help="also write the full result as JSON to FILE")
    run.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="report format on stdout (json: the console goes to stderr)",
    )
    run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the firmware console and the exit line",
    )
    run.add_argument(
        "--poll-limit",
        metavar="N",
        type=int,
        default=100_000,
        help="stop with exit code 3 ('stuck') once one block has read the same peripheral "
        "register N times in a row with the same value: a wait on a ready bit nothing will "
        "set (default 100000; 0: never)",
    )
    run.add_argument(
        "--roi",
        metavar="START,STOP",
        help="also report the cycles and instructions from the first entry of function START "
        "to the first entry of STOP after it (e.g. Embench's start_trigger,stop_trigger)",
    )
    run.add_argument(
        "--stop-at",
        metavar="SYMBOL",
        help="end the run (exit code 0) when execution reaches function SYMBOL, as a "
        "debugger breakpoint followed by quit: for firmware that never exits, e.g. a "
        "start-up whose main() returns into a loop",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")
    add_profile_options(run)

    run.set_defaults(func=cmd_run)


def cmd_run(a: argparse.Namespace) -> int:
    # rich, the report and the memory map are imported only when the output needs them:
    # ``run -q`` pays for the simulator alone
    from mcusim.config import load_target
    from mcusim.image.elf import Firmware
    from mcusim.simulator import RunOptions, Simulator

    budget = parse_budget(a.budget) if a.budget else {}
    profiling = profile_options(a)
    target = load_target(
        a.target, clock_hz=number_option("--clock-hz", a.clock_hz), clock_mode=a.clock_mode
    )
    fw = Firmware(a.firmware[0])
    root = None
    if a.semihosting_root:
        root = Path(a.semihosting_root)
        if not root.is_dir():
            raise InputError(f"--semihosting-root: '{root}' is not a folder")
    max_cycles = number_option("--max-cycles", a.max_cycles)
    timeout = number_option("--timeout", a.timeout)
    out = sys.stdout if a.format == "text" else sys.stderr
    progress = _Progress(max_cycles) if sys.stderr.isatty() and not a.quiet else None

    def stream(data: bytes, source: str) -> None:
        if progress:
            progress.pause()
        out.write(data.decode("utf-8", "replace"))
        out.flush()

    opts = RunOptions(
        max_cycles=int(max_cycles) if max_cycles else None,
        timeout_s=DEFAULT_TIMEOUT_S if timeout is None else timeout,
        default_timeout=timeout is None and not max_cycles,
        args=tuple(a.args),
        semihosting_root=root,
        console=stream,
        progress=progress.update if progress else None,
        handle_signals=True,
        check_alignment=a.check_alignment,
        check_stack=a.check_stack,
        poll_limit=a.poll_limit or None,
        observers=profiling.observers()
        + ((parse_roi(a.roi),) if a.roi else ())
        + ((StopAt(a.stop_at),) if a.stop_at else ()),
    )
    if a.verbose:
        print(
            f"mcusim: {fw.path} on {target.name} ({target.path}), {target.clock_hz / 1e6:g} MHz",
            file=sys.stderr,
        )
    result = Simulator(target, opts).run(fw)
    if result.accounting == "python" and os.environ.get("MCUSIM_NATIVE", "1") != "0":
        from mcusim.machine.native import unavailable_reason

        print(
            f"mcusim: note: native fast path unavailable ({unavailable_reason()}); "
            "using the slower pure-Python block hook",
            file=sys.stderr,
        )
    if progress:
        progress.close()
    failures = check_budget(result.to_dict(), budget) if budget else []
    result = dataclasses.replace(result, budget_failures=tuple(failures))
    code = process_exit_code(result.exit_code)
    if failures and code == 0:
        code = EXIT_FAILURE
    extra = {"budget": budget, "budget_ok": not failures, "mcusim_exit_code": code}
    show = False
    if a.json or a.format == "json" or profiling.wanted:  # the memory table's users
        from mcusim.report.memmap import embedded_model, memory_report

        model = embedded_model(fw) if profiling.wanted else None
        plan = model.arena_plan()[0] if model else None
        extra["memory"] = memory_report(
            fw, target, result, arena_estimate_bytes=plan, arena_estimate_by=model and
            "estimate: mcusim's planner (mcusim.tflite) for the embedded model's activations, "
            "not this firmware's allocator (which adds its own tables and alignment)",
        )  # fmt: skip
    if profiling.wanted:
        show = a.format == "text" and not a.quiet and a.profile
        from mcusim.report.profile import finish_profile

        extra["op_report"] = finish_profile(
            profiling, result, target, None, model=model, memory=extra["memory"]
        )
    from mcusim.report.summary import exit_line

    if a.json:
        from mcusim.report.summary import to_json

        try:
            Path(a.json).write_text(to_json(result, extra))
        except OSError as e:
            raise InputError(f"--json: cannot write '{a.json}': {e.strerror}") from None
    if a.format == "json":
        from mcusim.report.summary import to_json

        print(to_json(result, extra))
    elif a.quiet:
        if result.fault:
            from rich.console import Console

            from mcusim.report.summary import print_fault

            print_fault(result, Console(stderr=True))
        for f in failures:
            print(f"mcusim: budget exceeded: {f}", file=sys.stderr)
    else:
        from rich.console import Console

        from mcusim.report.summary import print_report

        print()
        print_report(result, Console(soft_wrap=False))
        if show:
            from mcusim.report.ops import print_op_report

            wide = None if sys.stdout.isatty() else 150
            from mcusim.report.ops import print_memory_report

            console = Console(soft_wrap=False, width=wide)
            print_op_report(extra["op_report"], console)
            from mcusim.report.micro_profiler import print_report as print_micro_profiler

            print_micro_profiler(extra["op_report"], console)  # TFLM's own ticks, if printed
            print_memory_report(extra["memory"], console)
    line = exit_line(dataclasses.replace(result, exit_code=code))
    if code != result.exit_code and not failures:
        line += f"; the firmware's exit code {result.exit_code} does not fit a process's 0-255"
    print(line, file=sys.stderr)
    return code


def process_exit_code(code: int) -> int:
    """What the process returns for the firmware's exit ``code``: its low byte, as a shell
    would see it, except that a non-zero code whose low byte is 0 (256, a bit mask of failures
    above bit 7) returns 1 (EXIT_FAILURE): it must never read as success."""
    low = code & 0xFF
    return EXIT_FAILURE if code and not low else low


class _Progress:
    """A cycles-simulated progress bar on stderr, shown once a run lasts over a second."""

    def __init__(self, max_cycles: float | None):
        self.total = max_cycles
        self.t0 = time.monotonic()
        self.bar = None
        self.task = None

    def update(self, cycles: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.t0 < 1.0:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("simulating"),
                BarColumn(),
                TextColumn("{task.completed:,.0f} cycles"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("run", total=self.total)
            self.bar.start()
        self.bar.update(self.task, completed=cycles)

    def pause(self) -> None:
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
