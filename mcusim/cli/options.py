"""What the ``mcusim`` commands share: the exit-code epilog, number and budget parsing, and the
profile option group, turned into the typed option objects the layers below take (L6).

Commands import from here, never from one another; nothing below the CLI sees argparse.
"""

from __future__ import annotations

import argparse

from mcusim.errors import InputError
from mcusim.profile.options import ProfileOptions
from mcusim.testing.budget import BUDGET_KEYS
from mcusim.units import parse_number

DEFAULT_TIMEOUT_S = 300.0  # host seconds: a firmware that never ends still ends

EPILOG = """exit codes: 0 success (or the firmware's own exit code), 1 firmware fault or budget
exceeded, 2 usage/input/configuration error, 124 --max-cycles or --timeout reached,
130 interrupted (Ctrl-C)."""


def number_option(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_number(text)
    except ValueError:
        raise InputError(f"{option}: '{text}' is not a number") from None


def parse_budget(text: str) -> dict[str, float]:
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or key not in BUDGET_KEYS:
            raise InputError(
                f"--budget: '{item}' is not KEY=VALUE with KEY one of " + ", ".join(BUDGET_KEYS)
            )
        try:
            out[key] = parse_number(value)
        except ValueError:
            raise InputError(f"--budget: '{value}' is not a number (in '{item}')") from None
    return out


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


def profile_options(a: argparse.Namespace) -> ProfileOptions:
    """The profile option group of ``run``/``profile`` as the typed object the layers below
    take."""
    return ProfileOptions(
        profile=a.profile,
        trace=a.trace,
        speedscope=a.speedscope,
        callgrind=a.callgrind,
        html=a.html,
        op_rules=tuple(a.op_rules) if a.op_rules else (),
    )
