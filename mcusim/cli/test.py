"""``mcusim test``: run firmware test images in parallel, judge, report, gate (L6).

Images, targets, budgets and expectations come from the command line or from the project's
``mcusim.toml`` / ``[tool.mcusim]``; command-line flags override the file.
"""

from __future__ import annotations

import argparse
import glob
import json
import signal
import sys
from pathlib import Path
from typing import Any

from mcusim import __version__
from mcusim.cli.options import EPILOG, number_option, parse_budget
from mcusim.errors import EXIT_FAILURE, InputError

DEFAULT_TIMEOUT_S = 60.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run firmware test images in parallel; JUnit, budgets and baselines for CI",
        description="Run each firmware test IMAGE (paths or globs) on the target, in parallel on "
        "all cores. An image passes when it exits with code 0, prints --expect (if given), "
        "stays within --budget and finishes within --timeout. With no IMAGE, runs what the "
        "project's mcusim.toml or [tool.mcusim] in pyproject.toml declares. Exit code 0 when "
        "all pass, 1 when any fails or regresses against --baseline, 2 when an image or a "
        "file cannot be read.",
    )
    p.add_argument("images", nargs="*", metavar="IMAGE", help="ELF files or globs")
    p.add_argument("--target", "-t", metavar="NAME|FILE.toml", help="target for every image")
    p.add_argument("--expect", metavar="PATTERN", help="text the console must contain to pass")
    p.add_argument("--budget", metavar="KEY=VALUE[,...]", help="limits as in 'mcusim run --budget'")
    p.add_argument(
        "--timeout",
        metavar="SECONDS",
        help=f"host-time limit per image (default {DEFAULT_TIMEOUT_S:g} s)",
    )
    p.add_argument("--max-cycles", metavar="N", help="modelled-cycle limit per image")
    p.add_argument("--jobs", "-j", metavar="N", type=int, help="parallel runs (default: all cores)")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--json", metavar="FILE", help="write every result as JSON")
    p.add_argument("--save-baseline", metavar="FILE", help="record results as a baseline")
    p.add_argument("--baseline", metavar="FILE", help="compare against a saved baseline")
    p.add_argument(
        "--tolerance",
        metavar="KEY=N|N%[,...]",
        help="allowed growth against --baseline (default 0 for every metric); keys: "
        "cycles, energy_uj, stack_bytes, flash_bytes, ram_bytes",
    )
    p.add_argument("--config", metavar="FILE", help="project file (default: nearest mcusim.toml)")
    p.add_argument("--no-config", action="store_true", help="ignore any project file")
    p.add_argument("--semihosting-root", metavar="DIR", help="as in 'mcusim run'")
    p.add_argument(
        "--check-alignment",
        action="store_true",
        default=None,
        help="fail an image on an unaligned access the core would fault on (LDRD/LDM/... on "
        "Armv7-M, LDR/STR with CCR.UNALIGN_TRP; Unicorn performs them otherwise); a little "
        "slower, as in 'mcusim run'",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only failures and totals")
    p.add_argument(
        "--args",
        nargs=argparse.REMAINDER,
        default=None,
        help="arguments passed to every image; everything after --args",
    )
    p.set_defaults(func=cmd_test)


def _project(a: argparse.Namespace):
    from mcusim.config.project import find_project, load_project

    if a.no_config:
        return None
    if a.config:
        path = Path(a.config)
        if not path.is_file():
            raise InputError(f"--config: '{path}' not found")
        return load_project(path)
    found = find_project(Path.cwd())
    return load_project(found) if found else None


def _expand(pattern: str) -> list[str]:
    if any(ch in pattern for ch in "*?["):
        hits = sorted(glob.glob(pattern, recursive=True))
        if not hits:
            raise InputError(f"{pattern}: no file matches")
        return hits
    return [pattern]


def build_cases(a: argparse.Namespace, project) -> list:
    """Test cases from the flags and the project file (flags win)."""
    from mcusim.config.project import ImageSpec, mapping_text
    from mcusim.testing.testrunner import TestCase

    top: dict[str, Any] = dict(project.settings) if project else {}
    if a.images:
        specs = [(ImageSpec(p), False) for p in a.images]
    elif project and project.images:
        specs = [(s, True) for s in project.images]
    else:
        where = f" and {project.path} declares none" if project else " and no mcusim.toml found"
        raise InputError(f"no images given{where} (mcusim test IMAGE... --target NAME)")
    cli = {
        "target": a.target,
        "expect": a.expect,
        "budget": a.budget,
        "timeout": number_option("--timeout", a.timeout),
        "max_cycles": number_option("--max-cycles", a.max_cycles),
        "args": a.args,
        "semihosting_root": a.semihosting_root,
        "check_alignment": a.check_alignment,
    }
    cases = []
    for spec, from_file in specs:
        s = {**top, **spec.settings, **{k: v for k, v in cli.items() if v is not None}}
        if a.target:
            targets = [a.target]
        else:
            targets = [s["target"]] if "target" in spec.settings else s.get("targets") or []
            if not targets and s.get("target"):
                targets = [s["target"]]
        if not targets:
            raise InputError(f"{spec.pattern}: no target (give --target NAME or set target)")
        pattern = project.resolve(spec.pattern) if from_file else spec.pattern
        budget = parse_budget(mapping_text(s.get("budget")) or "")
        root = s.get("semihosting_root")
        if root and from_file and a.semihosting_root is None:
            root = project.resolve(root)
        for image in _expand(pattern):
            for target in targets:
                if target.endswith(".toml") and from_file and a.target is None:
                    target = project.resolve(target)
                cases.append(
                    TestCase(
                        image=image,
                        target=target,
                        expect=s.get("expect"),
                        budget=budget,
                        args=tuple(s.get("args") or ()),
                        timeout_s=float(s.get("timeout") or DEFAULT_TIMEOUT_S),
                        max_cycles=int(s["max_cycles"]) if s.get("max_cycles") else None,
                        semihosting_root=root,
                        check_alignment=bool(s.get("check_alignment")),
                    )
                )
    return cases


def cmd_test(a: argparse.Namespace) -> int:
    from rich.console import Console

    from mcusim.config.project import mapping_text
    from mcusim.report import baseline as bl
    from mcusim.report import junit
    from mcusim.report.outcomes import print_table, short_path
    from mcusim.testing.budget import check_budget
    from mcusim.testing.testrunner import exit_code, run_all

    project = _project(a)
    settings = project.settings if project else {}

    def path_setting(flag: str | None, key: str) -> Path | None:
        if flag:
            return Path(flag)
        return Path(project.resolve(settings[key])) if key in settings else None

    junit_path = path_setting(a.junit, "junit")
    json_path = path_setting(a.json, "json")
    base_path = path_setting(a.baseline, "baseline")
    tolerance = bl.parse_tolerance(a.tolerance or mapping_text(settings.get("tolerance")))
    old = bl.load(base_path) if base_path else None
    if a.semihosting_root and not Path(a.semihosting_root).is_dir():
        raise InputError(f"--semihosting-root: '{a.semihosting_root}' is not a folder")
    cases = build_cases(a, project)
    jobs = a.jobs or settings.get("jobs")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs must be >= 1")

    done = [0]

    def stream(o) -> None:  # one line on stderr per image as it finishes; the table follows
        done[0] += 1
        if a.quiet and o.passed:
            return
        verdict = "PASS" if o.passed else f"FAIL ({o.reason})"
        cycles = f"{o.result['cycles']:,} cycles, " if o.result else ""
        print(
            f"[{done[0]}/{len(cases)}] {verdict} {short_path(o.case.image)}@{o.case.target} "
            f"({cycles}{o.host_seconds:.2f} s)",
            file=sys.stderr,
            flush=True,
        )

    old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        outcomes = run_all(cases, jobs=jobs, check_budget=check_budget, on_done=stream)
    finally:
        signal.signal(signal.SIGTERM, old_term)

    out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
    code = exit_code(outcomes)
    print_table(outcomes, out, quiet=a.quiet)
    records = {o.case.key: bl.record(o.result) for o in outcomes if o.result is not None}
    diffs = []
    if old is not None:
        diffs = bl.compare(old, records, tolerance)
        print_diffs(diffs, out, quiet=a.quiet)
        if any(d.regression for d in diffs) and code == 0:
            code = EXIT_FAILURE
    if a.save_baseline:
        bl.save(Path(a.save_baseline), records, version=__version__)
    if junit_path:
        junit.write(junit_path, outcomes)
    if json_path:
        _write_json(json_path, outcomes, diffs, code)
    passed = sum(o.passed for o in outcomes)
    regressions = sum(d.regression for d in diffs)
    tail = f", {regressions} baseline regression(s)" if old is not None else ""
    print(
        f"mcusim test: {passed} of {len(outcomes)} passed{tail} (exit code {code})",
        file=sys.stderr,
    )
    return code


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def print_diffs(diffs: list, console, *, quiet: bool = False) -> None:
    from rich.table import Table

    t = Table(title="baseline comparison", title_justify="left")
    for col in ("image", "metric", "old", "new", "change", "tolerance", "verdict"):
        t.add_column(col, justify="right" if col in ("old", "new", "change") else "left")
    style = {"REGRESSION": "[red]", "improved": "[green]"}
    for d in diffs:
        if quiet and d.verdict == "same":
            continue
        t.add_row(
            d.image,
            d.metric,
            "-" if d.old is None else f"{d.old:,.6g}",
            "-" if d.new is None else f"{d.new:,.6g}",
            d.change,
            d.tolerance,
            style.get(d.verdict, "") + d.verdict + ("[/]" if d.verdict in style else ""),
        )
    console.print(t)
    improved = sum(d.verdict == "improved" for d in diffs)
    worse = sum(d.regression for d in diffs)
    console.print(f"baseline: {worse} regression(s), {improved} improvement(s)", highlight=False)


def _write_json(path: Path, outcomes: list, diffs: list, code: int) -> None:
    data = {
        "mcusim": __version__,
        "exit_code": code,
        "passed": sum(o.passed for o in outcomes),
        "failed": sum(not o.passed for o in outcomes),
        "images": [o.to_dict() for o in outcomes],
        "baseline": [
            {
                "image": d.image,
                "metric": d.metric,
                "old": d.old,
                "new": d.new,
                "tolerance": d.tolerance,
                "verdict": d.verdict,
            }
            for d in diffs
        ],
    }
    try:
        path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    except OSError as e:
        raise InputError(f"--json: cannot write '{path}': {e.strerror}") from None
