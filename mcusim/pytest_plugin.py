"""The pytest plugin (entry point ``pytest11``): a ``mcusim`` fixture that runs firmware (L6).

``result = mcusim.run("fw.elf", target="apollo3", args=[...])`` returns the
:class:`~mcusim.result.RunResult` for ordinary asserts; when the test fails, the console of
every run it made is added to the failure report as its own section.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

_RUNS_KEY = "_mcusim_runs"


class Mcusim:
    """Runs firmware for one test; keeps each run's console for the failure report."""

    def __init__(self, *, default_timeout_s: float = 60.0):
        self.default_timeout_s = default_timeout_s
        self.runs: list[Any] = []

    def run(
        self,
        firmware: str | Path,
        *,
        target: str,
        args: Iterable[str] = (),
        max_cycles: int | None = None,
        timeout_s: float | None = None,
        semihosting_root: str | Path | None = None,
        clock_hz: float | None = None,
        clock_mode: str | None = None,
        observers: tuple = (),
    ):
        """Run ``firmware`` on ``target`` and return its RunResult.

        Raises:
            mcusim.errors.InputError: the ELF or the target cannot be loaded.
        """
        from mcusim.config import load_target
        from mcusim.simulator import RunOptions, Simulator

        t = load_target(target, clock_hz=clock_hz, clock_mode=clock_mode)
        opts = RunOptions(
            max_cycles=max_cycles,
            timeout_s=self.default_timeout_s if timeout_s is None else timeout_s,
            args=tuple(str(a) for a in args),
            semihosting_root=Path(semihosting_root) if semihosting_root else None,
            observers=tuple(observers),
        )
        result = Simulator(t, opts).run(str(firmware))
        self.runs.append(result)
        return result


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mcusim_timeout", "host-time limit (s) of each mcusim.run in tests", default="60")


@pytest.fixture
def mcusim(request: pytest.FixtureRequest) -> Mcusim:
    """Run firmware under mcusim: ``mcusim.run("fw.elf", target="apollo3")``."""
    m = Mcusim(default_timeout_s=float(request.config.getini("mcusim_timeout")))
    setattr(request.node, _RUNS_KEY, m.runs)
    return m


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    runs = getattr(item, _RUNS_KEY, None)
    if runs and report.failed:
        for r in runs:
            title = f"mcusim console: {Path(r.firmware).name} on {r.target}"
            text = r.console + f"\n[{r.exit_reason}, exit code {r.exit_code}: {r.message}]\n"
            report.sections.append((title, text))
    return report
