"""``mcusim run`` over several images and/or targets: a parallel sweep (L6).

Every (image, target) pair runs in a process pool on all cores; the result is one table and,
with ``--json``, one JSON document. Exit code: 0 when every run exited 0, 2 when an image or
target could not be loaded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mcusim.cli.options import DEFAULT_TIMEOUT_S, number_option, parse_budget


def is_sweep(a: argparse.Namespace) -> bool:
    return len(a.firmware) > 1 or "," in a.target


def cmd_sweep(a: argparse.Namespace) -> int:
    from rich.console import Console

    from mcusim.report.outcomes import print_table
    from mcusim.testing import testrunner
    from mcusim.testing.budget import check_budget

    budget = parse_budget(a.budget) if a.budget else {}
    max_cycles = number_option("--max-cycles", a.max_cycles)
    timeout = number_option("--timeout", a.timeout)
    targets = [t for t in (x.strip() for x in a.target.split(",")) if t]
    cases = [
        testrunner.TestCase(
            image=image,
            target=target,
            budget=budget,
            args=tuple(a.args),
            timeout_s=DEFAULT_TIMEOUT_S if timeout is None else timeout,
            max_cycles=int(max_cycles) if max_cycles else None,
            semihosting_root=a.semihosting_root,
        )
        for image in a.firmware
        for target in targets
    ]
    outcomes = testrunner.run_all(cases, jobs=a.jobs, check_budget=check_budget)
    code = testrunner.exit_code(outcomes)
    doc = {
        "runs": [o.to_dict() for o in outcomes],
        "mcusim_exit_code": code,
    }
    if a.json:
        Path(a.json).write_text(json.dumps(doc, indent=2))
    if a.format == "json":
        print(json.dumps(doc, indent=2))
    else:
        print_table(outcomes, Console(soft_wrap=False), quiet=a.quiet, title="mcusim run (sweep)")
    ok = sum(o.passed for o in outcomes)
    print(f"mcusim: {ok} of {len(outcomes)} runs exited 0 (exit code {code})", file=sys.stderr)
    return code
