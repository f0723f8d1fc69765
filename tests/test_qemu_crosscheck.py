"""The same ELF prints the same UART text in qemu-system-arm (mps2 boards) and in mcusim.

QEMU's MPS2 models put UART0 on stdio with -nographic and semihosting on stderr; mcusim keeps
each console channel apart in ``console_by_source``. Skipped only where QEMU is absent (CI
installs it).

QEMU runs with ``-icount shift=0`` (one instruction, one nanosecond of virtual time). Without it
QEMU's SysTick counts host time: in the ``exceptions`` app a second tick then sometimes lands
while the first handler is still being translated, the handler runs twice and the "PendSV
preempts SysTick" check fails (about half the runs of QEMU 7.2 on either board; never with
-icount, and never in mcusim, whose SysTick counts modelled cycles).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from simtest import elf

from mcusim.config import load_target
from mcusim.simulator import Simulator

pytestmark = pytest.mark.skipif(
    shutil.which("qemu-system-arm") is None, reason="qemu-system-arm is not installed"
)


def qemu(machine: str, path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["qemu-system-arm", "-M", machine, "-icount", "shift=0", "-nographic", "-semihosting"]
        + ["-kernel", str(path)],
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize("machine", ["mps2-an386", "mps2-an385"])
@pytest.mark.parametrize("app", ["hello", "exitcode", "exceptions"])
def test_uart_output_and_exit_code_match_qemu(machine, app):
    path = elf(machine, app)
    q = qemu(machine, path)
    r = Simulator(load_target(machine)).run(path)
    assert r.exit_code == q.returncode
    assert r.console_by_source.get("uart0", "") == q.stdout.decode()
    assert r.console_by_source.get("semihosting", "") == q.stderr.decode()
    assert len(q.stdout + q.stderr) > 20


# systick is left out: QEMU has no DWT cycle counter, so the firmware prints 0 there.
