"""Timing options never change what the firmware computes.

The same ELF runs under every timing configuration of its board (flash wait states, prefetch,
caches on and off, another clock, the per-op profiler, the pure-Python path): the console,
once the cycle counts the firmware prints of itself are masked, and the exit code must be
identical. Only the printed cycle counts may differ, and they must differ where the
configuration makes the flash slower.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from simtest import elf

APPS = ["hello", "kws-opt", "anomaly-opt", "systick", "tflm_layout"]
CYCLES = re.compile(r"(cycles\s*[=:]?\s*)\d+")

FLASH = """
schema = 1
extends = "stm32l4r5"
name = "l4r5-{name}"

[[memory]]
name = "flash"
{keys}
"""
BOARDS = {
    "no-cache": "cache = false",
    "zero-wait": "wait_states = 0",
    "no-prefetch": "prefetch = false",
    "ws2-no-cache-no-prefetch": "wait_states = 2\ncache = false\nprefetch = false",
}
# (label, board name or None for the stock target, extra CLI options, environment)
CONFIGS = [
    ("stock", None, [], {}),
    *[(name, name, [], {}) for name in BOARDS],
    ("clock 24 MHz", None, ["--clock-hz", "24e6"], {}),
    ("profile ops", None, ["--profile", "ops"], {}),
    ("python path, no cache", "no-cache", [], {"MCUSIM_NATIVE": "0"}),
]


def _run(app: str, target: str, options: list[str], env: dict) -> tuple[int, str, str]:
    p = subprocess.run(
        [sys.executable, "-m", "mcusim.cli", "run", str(elf("stm32l4r5", app))]
        + ["--target", target, "--format", "json", *options],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | env,
    )
    assert p.returncode in (0, 1), p.stderr  # a firmware fault would show as 1 and differ
    d = json.loads(p.stdout)
    return d["exit_code"], d["exit_reason"], d["console"]


@pytest.mark.parametrize("app", APPS)
def test_console_and_exit_are_the_same_under_every_timing_configuration(app, tmp_path):
    outcomes = {}
    for label, board, options, env in CONFIGS:
        target = "stm32l4r5"
        if board is not None:
            path = tmp_path / f"{board}.toml"
            path.write_text(FLASH.format(name=board, keys=BOARDS[board]))
            target = str(path)
        outcomes[label] = _run(app, target, options, env)
    code, reason, console = outcomes["stock"]
    assert reason == "exit" and code == 0, console
    masked = CYCLES.sub(r"\1N", console)
    for label, (c, r, text) in outcomes.items():
        assert (c, r, CYCLES.sub(r"\1N", text)) == (code, reason, masked), label
    if "cycles" in console:  # the firmware times itself: slower flash shows in its own count
        assert outcomes["no-cache"][2] != console
        assert outcomes["zero-wait"][2] != outcomes["no-cache"][2]
