"""The ``mcusim`` command line: the parser and the dispatch to each subcommand's module (L6).

Report on stdout, logs and errors on stderr; exit codes from :mod:`mcusim.errors`: 0 ok (or the
firmware's own exit code), 1 firmware fault or budget exceeded, 2 usage/input/configuration
error, 124 cycle or time limit reached, 130 interrupted. A subcommand is a module with
``register(subparsers)`` that sets ``func``; add it to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from mcusim import __version__
from mcusim.cli import energy, estimate, explore, profile, run, sweep, targets, test
from mcusim.cli.options import EPILOG
from mcusim.errors import EXIT_USAGE, McusimError

COMMANDS = [run, profile, energy, targets, test, estimate, explore]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mcusim",
        epilog=EPILOG,
        description="Emulate Cortex-M firmware and estimate cycles, time, energy and memory.",
    )
    p.add_argument("--version", action="version", version=f"mcusim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    # numpy is used for buffers, not linear algebra: one OpenBLAS thread, so its idle worker
    # threads do not spin beside the emulation (about 0.06 s of CPU a run on 2 cores). Set
    # before numpy is first imported; a user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    a = parser.parse_args(argv)
    if not a.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        if a.command == "run" and sweep.is_sweep(a):
            return sweep.cmd_sweep(a)
        return a.func(a)
    except McusimError as e:
        print(f"mcusim: error: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("mcusim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug in mcusim: one line, details with MCUSIM_DEBUG=1
        if os.environ.get("MCUSIM_DEBUG"):
            traceback.print_exc()
        print(
            f"mcusim: internal error: {type(e).__name__}: {e} (set MCUSIM_DEBUG=1 for the "
            "traceback and please report it)",
            file=sys.stderr,
        )
        return 70
