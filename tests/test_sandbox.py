"""Semihosting sandbox end to end, on our own newlib rdimon program (apps/sandbox, a "form 2"
image with no vector table): printf, argv, fopen/fread of a host file, malloc (heap peak),
and attempts to reach /etc/passwd, escape with '..', run host commands, remove and rename."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from simtest import elf

from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator

SANDBOX = elf("mps2-an386", "sandbox")


@pytest.fixture
def folders(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "input.txt").write_text("hello from the host")
    (tmp_path / "outside.txt").write_text("secret")
    return root


def run(root=None, args=("input.txt",)):
    opts = RunOptions(timeout_s=60, args=args, semihosting_root=root)
    return Simulator(load_target("mps2-an386"), opts).run(SANDBOX)


def test_by_default_no_host_file_is_reachable(folders):
    r = run()
    assert r.exit_code == 1 and "sandbox: cannot open input.txt" in r.console
    refused = "\n".join(r.semihosting_refused)
    for name in ("'input.txt'", "'/etc/passwd'", "'../outside.txt'"):
        assert f"SYS_OPEN {name}: host files are not enabled" in refused
    assert "sandbox: /etc/passwd refused" in r.console


def test_with_a_root_only_files_inside_it_are_read(folders):
    r = run(folders)
    assert r.exit_code == 0, r.message
    assert "sandbox: argc 2, reading input.txt" in r.console  # argv from SYS_GET_CMDLINE
    assert "sandbox: read 19 bytes: hello from the host" in r.console
    refused = "\n".join(r.semihosting_refused)
    assert "SYS_OPEN '/etc/passwd': absolute paths are refused" in refused
    assert "SYS_OPEN '../outside.txt': '..' components are refused" in refused
    assert "SYS_REMOVE '../outside.txt': '..' components are refused" in refused
    assert "SYS_RENAME '../outside.txt': '..' components are refused" in refused
    assert (folders.parent / "outside.txt").read_text() == "secret"


def test_system_is_refused_and_runs_nothing(folders, tmp_path):
    r = run(folders)
    assert "sandbox: SYS_SYSTEM returned -1" in r.console
    assert any(x.startswith("SYS_SYSTEM 'echo owned") for x in r.semihosting_refused)
    assert not os.path.exists("/tmp/mcusim-owned")


def test_malloc_shows_as_heap_peak_and_the_image_boots_from_its_entry_point(folders):
    r = run(folders)
    assert r.heap_peak_bytes is not None and r.heap_peak_bytes >= 8192
    assert r.exceptions_taken == {} and r.fault is None


def test_a_symlink_out_of_the_root_is_refused(folders):
    (folders / "link.txt").symlink_to(folders.parent / "outside.txt")
    r = run(folders, args=("link.txt",))
    assert r.exit_code == 1 and "cannot open link.txt" in r.console
    assert any("link.txt" in x for x in r.semihosting_refused)


def test_sigterm_ends_a_run_with_the_partial_report_and_exit_130(tmp_path):
    p = subprocess.Popen(
        [sys.executable, "-m", "mcusim.cli", "run", str(elf("mps2-an386", "spin"))]
        + ["-t", "mps2-an386", "--json", str(tmp_path / "r.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = p.stdout.readline()  # the firmware has started
    assert "spin: counting forever" in line
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted (Ctrl-C / SIGTERM)" in err and "Traceback" not in err
    assert "cycles" in out  # the partial report
    import json

    data = json.loads((tmp_path / "r.json").read_text())
    assert data["exit_reason"] == "interrupted" and data["cycles"] > 0
