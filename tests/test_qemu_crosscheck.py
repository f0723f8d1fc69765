"""The same ELF prints the same UART text in qemu-system-arm (mps2 boards) and in mcusim.

QEMU's MPS2 models put UART0 on stdio with -nographic and semihosting on stderr; mcusim keeps
each console channel apart in ``console_by_source``. Skipped only where QEMU is absent (CI
installs it).
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
        ["qemu-system-arm", "-M", machine, "-nographic", "-semihosting", "-kernel", str(path)],
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize("machine", ["mps2-an386", "mps2-an385"])
@pytest.mark.parametrize("app", ["hello", "exitcode"])
def test_uart_output_and_exit_code_match_qemu(machine, app):
    path = elf(machine, app)
    q = qemu(machine, path)
    r = Simulator(load_target(machine)).run(path)
    assert r.exit_code == q.returncode
    assert r.console_by_source.get("uart0", "") == q.stdout.decode()
    assert r.console_by_source.get("semihosting", "") == q.stderr.decode()
    assert len(q.stdout + q.stderr) > 20


# systick is left out: QEMU has no DWT cycle counter, so the firmware prints 0 there.
# exceptions is left out: under QEMU 7.2's mps2-an386 the "PendSV preempts SysTick" check
# fails in the committed build but passes when the firmware is rebuilt with extra prints (so
# it depends on where QEMU's timer fires); mps2-an385 passes. To be understood; mcusim's own
# result is checked in test_emulation.py.
