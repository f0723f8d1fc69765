"""Shared test helpers: paths computed from this file, never from the working directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELF = ROOT / "firmware_samples" / "elf"
DATA = Path(__file__).resolve().parent / "data"


def elf(target: str, app: str) -> Path:
    return ELF / target / f"{app}.elf"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the mcusim command line in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "mcusim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
