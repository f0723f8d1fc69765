"""Shared test helpers: paths computed from this file, never from the working directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

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


def run_cli_report(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, dict]:
    """``run_cli`` with ``--json`` to a temporary file: the process and the run's JSON report
    ({} when it wrote none). The list of unmodelled MMIO accesses is only there (``unknown_mmio``)
    and in the text report on stdout, which ``-q`` leaves out: never on stderr."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "report.json"
        p = run_cli(*args, "--json", out, timeout=timeout)
        return p, json.loads(out.read_text()) if out.exists() else {}


def unmodelled(report: dict) -> str:
    """A report's unmodelled MMIO accesses (``unknown_mmio``), one line each, for an assertion's
    message: ``assert r["unknown_mmio"] == [], unmodelled(r)``."""
    return "unmodelled MMIO:\n" + "\n".join(
        f"  {m['access']} 0x{m['address']:08x} x{m['count']} at pc 0x{m['pc']:08x} "
        f"{m['pc_symbol']} {m.get('register', '')}".rstrip()
        for m in report["unknown_mmio"]
    )


needs_gcc = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc to build"
)


def build_bare_m4(
    source: Path, out: Path, *defines: str, flags: tuple[str, ...] = (), base: int = 0
) -> Path:
    """Build one of the tests' own bare-metal Cortex-M4 programs (assembly, or C with ``flags``
    such as ``-O1`` or ``-mcpu=cortex-m3``, which comes later and wins) for a map with flash at
    ``base`` (0x0 unless given: 0x08000000 for the STM32s): a two-word vector table (section
    .vectors) at ``base``, code from ``base`` + 0x100, entry ``reset``; ``defines`` are macro
    names (``FORGET_X``)."""
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", *flags, *(f"-D{d}" for d in defines),
         "-nostdlib", "-Wl,--build-id=none", f"-Wl,-Ttext=0x{base + 0x100:x}",
         f"-Wl,--section-start=.vectors=0x{base:x}", "-Wl,-e,reset", "-o", str(out), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out
