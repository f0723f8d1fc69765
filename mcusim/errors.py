"""Error types and exit codes shared by every layer (L0, stdlib only).

Each error carries the process exit code the CLI uses, so the mapping lives in one place.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1  # firmware fault or budget exceeded
EXIT_USAGE = 2  # usage, input or configuration error
EXIT_STUCK = 3  # the firmware polls a register nothing models: it can never go on
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


def read_input(path: str | Path, what: str, error: type[McusimError] = InputError) -> bytes:
    """The bytes of a user's input file; a missing or unreadable one is a one-line ``error``
    naming the file (``what`` says what a directory was expected to be, e.g. "an ELF file")."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not {what}") from None
    except OSError as e:
        raise error(f"{path}: cannot be read: {e.strerror}") from None
