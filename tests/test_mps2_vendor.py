"""The MPS2 targets with Arm's own code: a program built outside this repository from Arm's
CMSIS-Core device start-up (CMSIS_5 ``Device/ARM/ARMCM3``, ``ARMCM4``: ``startup_ARMCMx.c``,
``system_ARMCMx.c``, ``gcc_arm.ld``) and Arm's CMSDK APB UART driver (TF-M's MPS2 platform
``arm_uart_drv.c``), which prints, waits on SysTick and runs one KWS inference with our engine
(README: Vendor start-up code). ``MCUSIM_MPS2_ELFS`` names the AN385 (Cortex-M3) and the AN386
(Cortex-M4F) program, in that order, separated by ``os.pathsep``. Where qemu-system-arm is
installed, its UART text must be the same, apart from the DWT count (QEMU has no DWT: 0)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading

import pytest
from simtest import run_cli

ELFS = os.environ.get("MCUSIM_MPS2_ELFS")
BOARDS = ["mps2-an385", "mps2-an386"]


def _elf(board: str) -> str:
    paths = ELFS.split(os.pathsep)
    assert len(paths) == 2, f"MCUSIM_MPS2_ELFS holds {len(paths)} paths, not 2 (AN385, AN386)"
    return paths[BOARDS.index(board)]


def _qemu_console(board: str, elf: str, timeout: float = 300) -> str:
    """QEMU's UART0 text up to the program's last line (it then sleeps in WFI for ever)."""
    q = subprocess.Popen(
        ["qemu-system-arm", "-M", board, "-nographic", "-kernel", elf],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(timeout, q.kill)
    watchdog.start()
    lines = []
    try:
        for line in q.stdout:
            lines.append(line)
            if line.startswith("inference:"):
                break
    finally:
        watchdog.cancel()
        q.kill()
        q.wait()
    return "".join(lines)


def _no_dwt(text: str) -> str:
    return re.sub(r"dwt_cycles=\d+", "dwt_cycles=N", text)


@pytest.mark.skipif(
    not ELFS,
    reason="MCUSIM_MPS2_ELFS not set: the paths of the CMSIS start-up programs with a KWS "
    "inference for AN385 and AN386 (README: Vendor start-up code; not in this repository)",
)
@pytest.mark.parametrize("board", BOARDS)
def test_a_cmsis_start_up_program_prints_waits_and_infers(board, tmp_path):
    elf = _elf(board)
    out = tmp_path / "r.json"
    p = run_cli("run", elf, "--target", board, "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "SystemCoreClock=25000000 UART0 baud=115200 BAUDDIV=217" in p.stdout
    assert "LOAD=24999, delay of 5 ms done after 5 ticks" in p.stdout
    assert f"kws: target={board} " in p.stdout
    assert "reference=match" in p.stdout and "inference: output matches tflite-micro" in p.stdout
    cycles = int(re.search(r"dwt_cycles=(\d+)", p.stdout).group(1))
    r = json.loads(out.read_text())
    assert r["unknown_mmio"] == []
    assert list(r["console_by_source"]) == ["uart0"]  # the engine's lines too, no semihosting
    assert 0 < cycles < r["cycles"]
    if shutil.which("qemu-system-arm"):
        assert _no_dwt(_qemu_console(board, elf)) == _no_dwt(p.stdout)
