"""Start-up: each command imports only what it uses (a fresh interpreter per check)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from simtest import ROOT, elf

HEAVY = ("numpy", "unicorn", "capstone", "elftools", "rich", "multiprocessing")


def loaded_after(code: str) -> set[str]:
    """The heavy third-party packages a fresh interpreter holds after running ``code``."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split("\n")[-2].split())


def cli(*args: str) -> str:
    return (
        "from mcusim.cli import main\n"
        "try:\n"
        f"    main({list(map(str, args))!r})\n"
        "except SystemExit:\n"
        "    pass\n"
    )


def test_import_mcusim_and_the_cli_import_no_heavy_library():
    assert loaded_after("import mcusim") == set()
    assert loaded_after("import mcusim.cli") == set()


def test_mcusim_help_imports_no_heavy_library():
    assert loaded_after(cli("--help")) == set()
    assert loaded_after(cli("run", "--help")) == set()


def test_mcusim_targets_needs_rich_only():
    assert loaded_after(cli("targets")) == {"rich"}


def test_a_quiet_run_loads_the_engine_but_not_rich_or_pyelftools():
    hello = elf("mps2-an386", "hello")
    loaded = loaded_after(cli("run", hello, "--target", "mps2-an386", "-q"))
    assert loaded == {"numpy", "unicorn", "capstone"}


@pytest.mark.parametrize("name", ["Simulator", "RunOptions", "Firmware", "load_target"])
def test_the_library_api_is_reachable_from_the_package(name):
    import mcusim

    assert getattr(mcusim, name).__name__ == name
