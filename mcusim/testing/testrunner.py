"""Run many firmware test images in parallel and judge each one (L5, beside the simulator).

A test case passes when the run ends with exit code 0, prints the expected console pattern
(when one is given), stays within its budget and does not reach its time limit. Runs happen in
a process pool (one warm process per core: it imports the simulator once, as it starts, and
loads each target once); each worker returns plain data, so the parent never holds an engine,
and each outcome is handed to ``on_done`` as soon as it is known.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcusim.errors import EXIT_FAILURE, McusimError

# The reasons a test case fails, as the JUnit report names them.
REASONS = ("exit code", "missing pattern", "fault", "budget", "time limit", "error")


@dataclass(frozen=True)
class TestCase:
    """One image on one target with what it must satisfy."""

    __test__ = False  # not a pytest class, despite the name

    image: str
    target: str
    expect: str | None = None
    budget: dict[str, float] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    timeout_s: float = 60.0
    max_cycles: int | None = None
    semihosting_root: str | None = None
    check_alignment: bool = False

    @property
    def key(self) -> str:
        """The name of the case in reports and baselines: ``"<image>@<target>"``."""
        return f"{self.image}@{self.target}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one test case."""

    case: TestCase
    passed: bool
    reason: str  # "" when passed; one of REASONS otherwise
    message: str  # one line: why it failed, or the run's own message
    exit_code: int
    result: dict[str, Any] | None  # RunResult.to_dict(); None when the run could not start
    console: str
    host_seconds: float
    input_error: bool = False
    budget_failures: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The outcome as JSON-ready data (result is RunResult.to_dict(), or None)."""
        return {
            "key": self.case.key,
            "image": self.case.image,
            "target": self.case.target,
            "passed": self.passed,
            "reason": self.reason,
            "message": self.message,
            "exit_code": self.exit_code,
            "host_seconds": self.host_seconds,
            "result": self.result,
        }


def judge(
    case: TestCase,
    result: dict[str, Any],
    budget_failures: list[str],
    host_seconds: float,
) -> Outcome:
    """Turn a run's result into a verdict, the most telling reason first."""
    code = result["exit_code"]
    console = result["console"]
    reason, message = "", result["message"]
    fault = result.get("fault")
    if result["exit_reason"] in ("limit", "timeout"):
        reason = "time limit"
    elif fault:
        reason = "fault"
        message = (
            f"{fault['kind']}: {fault['cause']} at 0x{fault['pc']:08x} ({fault['pc_symbol']}): "
            f"{fault['detail']}"
        )
    elif code != 0:
        reason = "exit code"
        message = f"exit code {code}: {result['message']}"
    elif case.expect is not None and case.expect not in console:
        reason = "missing pattern"
        message = f"the console does not contain {case.expect!r}"
    elif budget_failures:
        reason = "budget"
        message = "budget exceeded: " + "; ".join(budget_failures)
    if reason and code == 0:
        code = EXIT_FAILURE
    return Outcome(
        case=case,
        passed=not reason,
        reason=reason,
        message=message,
        exit_code=code,
        result=result,
        console=console,
        host_seconds=host_seconds,
        budget_failures=tuple(budget_failures),
    )


# Targets this process has loaded, by the name or path a case gives: a target is frozen data,
# and a worker lives for one run_all (run_all clears it for its in-process runs).
_targets: dict[str, Any] = {}


def _target(name: str) -> Any:
    from mcusim.config import load_target

    if name not in _targets:
        _targets[name] = load_target(name)
    return _targets[name]


def warm_up() -> None:
    """Import what a run needs, so a pool worker pays for it once, as it starts."""
    import mcusim.image.elf  # noqa: F401
    import mcusim.simulator  # noqa: F401


def run_case(
    case: TestCase, check_budget: Callable[[dict, dict], list[str]] | None = None
) -> Outcome:
    """Run one case in this process (a pool worker calls this)."""
    from mcusim.image.elf import Firmware
    from mcusim.simulator import RunOptions, Simulator

    t0 = time.monotonic()
    try:
        target = _target(case.target)
        fw = Firmware(case.image)
        root = Path(case.semihosting_root) if case.semihosting_root else None
        opts = RunOptions(
            max_cycles=case.max_cycles,
            timeout_s=case.timeout_s,
            args=case.args,
            semihosting_root=root,
            check_alignment=case.check_alignment,
        )
        result = Simulator(target, opts).run(fw).to_dict()
    except McusimError as e:
        return Outcome(
            case, False, "error", e.message, e.exit_code, None, "", time.monotonic() - t0, True
        )
    failures = check_budget(result, case.budget) if check_budget and case.budget else []
    return judge(case, result, failures, time.monotonic() - t0)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_all(
    cases: list[TestCase],
    *,
    jobs: int | None = None,
    check_budget: Callable[[dict, dict], list[str]] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every case, ``jobs`` at a time (default: all cores); outcomes in the cases' order."""
    jobs = min(jobs or default_jobs(), len(cases)) or 1
    _targets.clear()
    if jobs == 1:
        out = []
        for case in cases:
            out.append(run_case(case, check_budget))
            if on_done:
                on_done(out[-1])
        return out
    # spawn: a fresh interpreter per worker (no engine or lock inherited through fork)
    ctx = multiprocessing.get_context("spawn")
    results: dict[int, Outcome] = {}
    pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=warm_up)
    try:
        futures = {pool.submit(run_case, c, check_budget): i for i, c in enumerate(cases)}
        for fut in cf.as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as e:  # a worker died (out of memory, killed): report, go on
                results[i] = Outcome(
                    cases[i],
                    False,
                    "error",
                    f"worker failed: {type(e).__name__}: {e}",
                    EXIT_FAILURE,
                    None,
                    "",
                    0.0,
                )
            if on_done:
                on_done(results[i])
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        raise
    pool.shutdown()
    return [results[i] for i in range(len(cases))]


def exit_code(outcomes: list[Outcome]) -> int:
    """0 all passed, 2 an image could not be loaded, 1 any other failure."""
    if any(o.input_error for o in outcomes):
        return 2
    if all(o.passed for o in outcomes):
        return 0
    return EXIT_FAILURE
