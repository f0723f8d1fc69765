"""The stm32f407 target (Embench IoT's reference board) with ST's own code: an STM32CubeF4 HAL
program built outside this repository (MCUSIM_CUBEF4_ELF) that sets 168 MHz from the HSE
(PLLON through the RCC bit-band alias, PWR scale 1, FLASH_ACR latency 5 and the ART), prints on
USART2 and runs one KWS inference with our engine."""

from __future__ import annotations

import json
import os

import pytest
from simtest import run_cli

from mcusim.config import load_target

CUBEF4 = os.environ.get("MCUSIM_CUBEF4_ELF")


def test_the_reset_state_is_the_embench_reference_set_up():
    t = load_target("stm32f407")
    flash = t.region_at(0x08000000, 4)
    assert t.clock_hz == 16e6 and flash.wait_states == 0 and not flash.cache
    assert t.bit_band and t.clock_tree.model == "stm32f4"
    assert t.clock_tree.max_hz(0) == 30e6 and t.clock_tree.max_hz(5) == 168e6


@pytest.mark.skipif(
    not CUBEF4,
    reason="MCUSIM_CUBEF4_ELF not set: the path of an STM32CubeF4 HAL program with a KWS "
    "inference (README: Vendor start-up code; not in this repository)",
)
def test_a_cube_f4_program_sets_168_mhz_prints_and_infers(tmp_path):
    out = tmp_path / "r.json"
    p = run_cli("run", CUBEF4, "--target", "stm32f407", "-q", "--json", out, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "SystemCoreClock=168000000 FLASH_ACR=00000705" in p.stdout
    assert "reference=match" in p.stdout and "inference: output matches tflite-micro" in p.stdout
    r = json.loads(out.read_text())
    assert [hz for _, hz in r["clock_history"]] == [16e6, 168e6]
    assert r["unknown_mmio"] == []
