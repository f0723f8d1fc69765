"""CMSIS-SVD files (mcusim/config/svd.py): import-svd writes a target whose peripherals are the
SVD's registers as data, and a target's ``svd`` names unmodelled registers in reports.
tests/data/mini.svd is ours: an RCC-style CR with a read-only ready flag set at reset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from simtest import build_bare_m4, run_cli

from mcusim.config import load_target
from mcusim.config.svd import load_svd
from mcusim.errors import ConfigError

HERE = Path(__file__).resolve().parent
SVD = HERE / "data" / "mini.svd"
pytest.importorskip("cmsis_svd", reason="the cmsis-svd package (mcusim[svd]) is not installed")
needs_gcc = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc to build"
)


def test_an_svd_file_gives_peripherals_registers_reset_values_and_read_only_bits():
    d = load_svd(SVD)
    assert (d.name, d.core, d.fpu) == ("MINI", "cortex-m4", True)
    rcc = next(p for p in d.peripherals if p.name == "RCC")
    cr = rcc.registers[0]
    assert (rcc.base, rcc.size_bytes, cr.name, cr.reset) == (0x40021000, 0x400, "CR", 0x83)
    assert cr.read_only == (1 << 1) | (1 << 25)  # HSIRDY, PLLRDY
    gpiob = next(p for p in d.peripherals if p.name == "GPIOB")  # derivedFrom GPIOA
    assert [r.name for r in gpiob.registers] == ["CRL", "MODE_Output/MODE_Input"]
    assert d.register_at(0x40021004) == "RCC.CFGR"
    assert d.register_at(0x40021010) == "RCC+0x10"
    assert d.register_at(0x40021002) == "RCC.CR+2"
    assert d.register_at(0x50000000) is None


def test_a_file_that_is_not_svd_is_one_error_naming_it(tmp_path):
    bad = tmp_path / "bad.svd"
    bad.write_text("<device><name>x</name>")
    with pytest.raises(ConfigError, match=r"bad\.svd: not a readable CMSIS-SVD file"):
        load_svd(bad)
    p = run_cli("targets", "import-svd", str(bad), "--extends", "mps2-an386")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith("mcusim: error:") and "bad.svd" in p.stderr


def test_import_svd_extends_a_target_and_leaves_its_peripherals_to_it(tmp_path):
    out = tmp_path / "mini.toml"
    p = run_cli("targets", "import-svd", str(SVD), "--extends", "mps2-an386", "-o", str(out))
    assert p.returncode == 0, p.stderr
    t = load_target(str(out))
    names = {s.name: s for s in t.peripherals}
    assert {"rcc", "gpioa", "gpiob"} <= set(names) and "uart" not in names
    assert names["uart0"].model == "uart"  # the base target's own UART stays
    assert t.svd == str(SVD.resolve()) and t.memory == load_target("mps2-an386").memory
    rcc = names["rcc"].params["registers"]
    assert rcc[0] == {"offset": 0, "name": "CR", "reset": 0x83, "read_only": 0x02000002}


def test_import_svd_without_a_base_needs_memory_and_clock(tmp_path):
    p = run_cli("targets", "import-svd", str(SVD))
    assert p.returncode == 2 and "--flash BASE:SIZE" in p.stderr
    out = tmp_path / "alone.toml"
    p = run_cli("targets", "import-svd", str(SVD), "--flash", "0x0:1M", "--ram",
                "0x20000000:128K", "--clock-hz", "48e6", "-o", str(out))  # fmt: skip
    assert p.returncode == 0, p.stderr
    t = load_target(str(out))
    assert (t.core, t.fpu, t.clock_hz) == ("cortex-m4", True, 48_000_000)
    assert [(r.base, r.size_bytes) for r in t.memory] == [(0, 1 << 20), (0x20000000, 128 << 10)]


@needs_gcc
def test_registers_from_the_svd_read_their_reset_values(tmp_path):
    # tests/stuck/stuck.S POLL waits for bit 1 of 0x40021000. Unmodelled it reads 0 and the
    # run is stuck (exit 3); imported from the SVD, CR reads its reset value 0x83 (HSIRDY
    # set, as on the chip) and the firmware goes on to its final spin.
    elf = build_bare_m4(HERE / "stuck" / "stuck.S", tmp_path / "poll.elf", "POLL")
    out = tmp_path / "mini.toml"
    run_cli("targets", "import-svd", str(SVD), "--extends", "mps2-an386", "-o", str(out))
    assert run_cli("run", str(elf), "--target", "mps2-an386", "-q").returncode == 3
    p = run_cli("run", str(elf), "--target", str(out), "-q")
    assert p.returncode == 0 and "halted: branch-to-self" in p.stderr, p.stderr


@needs_gcc
def test_a_target_svd_names_the_register_a_stuck_firmware_polls(tmp_path):
    elf = build_bare_m4(HERE / "stuck" / "stuck.S", tmp_path / "poll.elf", "POLL")
    board = tmp_path / "named.toml"
    board.write_text(f'schema = 1\nextends = "mps2-an386"\nname = "named"\nsvd = "{SVD}"\n')
    p = run_cli("run", str(elf), "--target", str(board), "-q", "--poll-limit", "1000")
    assert p.returncode == 3
    assert "polls 0x40021000 (RCC.CR), a register nothing models" in p.stderr
    p = run_cli("run", str(elf), "--target", str(board), "--poll-limit", "0",
                "--max-cycles", "20000", "--format", "json")  # fmt: skip
    (access,) = json.loads(p.stdout)["unknown_mmio"]
    assert (access["address"], access["register"]) == (0x40021000, "RCC.CR")
