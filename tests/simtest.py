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


def build_bare_m4(source: Path, out: Path, *defines: str) -> Path:
    """Assemble one of the tests' own bare-metal Cortex-M4 programs for the mps2-an386 map: a
    two-word vector table (section .vectors) at 0x0, code from 0x100, entry ``reset``."""
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", *(f"-D{d}" for d in defines),
         "-nostdlib", "-Wl,--build-id=none", "-Wl,-Ttext=0x100",
         "-Wl,--section-start=.vectors=0x0", "-Wl,-e,reset", "-o", str(out), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out
