"""Pieces the ``mcusim`` subcommands share: exit-code epilog and number parsing (L6)."""

from __future__ import annotations

from mcusim.errors import InputError
from mcusim.units import parse_number

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
