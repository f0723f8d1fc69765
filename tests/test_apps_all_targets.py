"""Every model application on every target it is built for, run in mcusim: the firmware
compares its output tensor with tflite-micro's (embedded at build time) and exits 0 only on a
byte-for-byte match ("reference=match"), so this is the bit-exactness check of the engine, per
target and kernel flavour, under our own emulator. Short models run by default, the rest with
``pytest -m slow``."""

from __future__ import annotations

import pytest
from simtest import ELF

from mcusim.config import load_target
from mcusim.simulator import RunOptions, Simulator

APPS = ("sine", "anomaly", "digits", "kws", "vision")
FAST = ("sine", "anomaly")


def _cases():
    for path in sorted(ELF.glob("*/*.elf")):
        app = path.stem.removesuffix("-opt")
        if app in APPS:
            marks = () if app in FAST else pytest.mark.slow
            yield pytest.param(
                path.parent.name, path, marks=marks, id=f"{path.parent.name}/{path.stem}"
            )


@pytest.mark.parametrize(("target", "path"), list(_cases()))
def test_model_app_output_equals_tflite_micro_in_mcusim(target, path):
    r = Simulator(load_target(target), RunOptions(timeout_s=600)).run(path)
    assert (r.exit_reason, r.exit_code) == ("exit", 0), r.console + r.message
    assert "reference=match" in r.console
    kernels = "optimized" if path.stem.endswith("-opt") else "reference"
    assert f"kernels={kernels}" in r.console


def test_every_m4f_target_has_both_kernel_flavours_of_kws():
    for target in ("apollo3", "nrf52840", "stm32l4r5", "samd51", "efm32wg", "mps2-an386"):
        assert (ELF / target / "kws.elf").is_file() and (ELF / target / "kws-opt.elf").is_file()
