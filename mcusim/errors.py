"""Error types and exit codes shared by every layer (L0, stdlib only).

Each error carries the process exit code the CLI uses, so the mapping lives in one place.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # firmware fault or budget exceeded
EXIT_USAGE = 2  # usage, input or configuration error
EXIT_LIMIT = 124  # --max-cycles or --timeout reached (the code GNU timeout uses)
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM


class McusimError(Exception):
    """Base class: a one-line message for the user and an exit code."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(McusimError):
    """Bad input from the user: a file that is missing, malformed or does not fit (exit 2)."""

    exit_code = EXIT_USAGE


class ConfigError(InputError):
    """A target TOML or cost-model file that is malformed; the message names file and key."""


class ElfError(InputError):
    """An ELF that cannot be loaded: not an ELF, wrong architecture, truncated, misplaced."""
