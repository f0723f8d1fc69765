"""The apollo3 target's Ambiq-specific parts: the boot ROM window holding our own helper code at
the entry points AmbiqSuite's HAL calls (targets/apollo3-bootrom.S), MCUCTRL and JEDEC read as an
Apollo3 Blue B0, PWRCTRL power domains that come on with their devices, the CLKGEN clock rule,
the STIMER counter, and a probe program
(tests/apollo3/probe.S, ours) doing the HAL's register sequence. No Ambiq code is used here; the
optional last test runs an AmbiqSuite program built outside the repository (MCUSIM_AMBIQ_ELF)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from simtest import build_bare_m4, run_cli, run_cli_report, unmodelled

from mcusim.config import load_target
from mcusim.config.clocktree import apollo3_core_hz
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.counter import Counter
from mcusim.machine.peripherals.registry import build
from mcusim.machine.peripherals.simple import Registers

ROOT = Path(__file__).resolve().parent.parent
ROM_SOURCE = ROOT / "targets" / "apollo3-bootrom.S"
ROM_IMAGE = ROOT / "targets" / "apollo3-bootrom.bin"
PROBE = Path(__file__).resolve().parent / "apollo3" / "probe.S"
AMBIQ_ELF = os.environ.get("MCUSIM_AMBIQ_ELF")

skip_no_gcc = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("arm-none-eabi-objcopy") is None,
    reason="needs arm-none-eabi-gcc and objcopy to build",
)


def _half(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


def test_the_boot_rom_region_holds_our_helpers_at_the_hal_entry_points():
    t = load_target("apollo3")
    rom = next(r for r in t.memory if r.name == "bootrom")
    assert (rom.kind, rom.base, rom.access) == ("rom", 0x08000000, "rx")
    assert rom.image == ROM_IMAGE.read_bytes() and len(rom.image) == rom.size_bytes
    assert _half(rom.image, 0x74) == 0x6800  # flash_util_read_word: ldr r0, [r0]
    assert _half(rom.image, 0x78) == 0x6001  # flash_util_write_word: str r1, [r0]
    assert _half(rom.image, 0x7C) == 0x2001  # flash_nb_operation_complete: movs r0, #1
    for entry in (0x4C, 0x50, 0x54, 0x58, 0x80, 0x98, 0xA0, 0xA8):  # erase/program: UDF
        assert _half(rom.image, entry) == 0xDEDE, hex(entry)
    # the entry points' names, for reports (the HAL's g_am_hal_flash table order)
    assert rom.function_at(0x08000075) == "flash_util_read_word"
    assert rom.function_at(0x08000052) == "flash_page_erase"
    assert rom.function_at(0x080000B4) == "bootrom_delay_loop"
    assert rom.function_at(0x08000400) is None  # outside the region


@skip_no_gcc
def test_the_committed_rom_image_is_what_its_source_assembles_to(tmp_path):
    obj, out = tmp_path / "rom.o", tmp_path / "rom.bin"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-c", str(ROM_SOURCE), "-o", str(obj)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    subprocess.run(
        ["arm-none-eabi-objcopy", "-O", "binary", "-j", ".text", str(obj), str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert out.read_bytes() == ROM_IMAGE.read_bytes()


def test_a_target_extending_apollo3_keeps_its_rom_image(tmp_path):
    own = tmp_path / "edge.toml"
    own.write_text('schema = 1\nextends = "apollo3"\nname = "edge"\n')
    t = load_target(str(own))
    rom = next(r for r in t.memory if r.name == "bootrom")
    assert rom.image == ROM_IMAGE.read_bytes()
    assert t.clock_tree is not None  # and the firmware still sets its clock
    own.write_text('schema = 1\nextends = "apollo3"\nname = "slow"\nclock_hz = 24000000\n')
    assert load_target(str(own)).clock_tree is None  # its own clock pins it
    copy = tmp_path / "copy.toml"  # a copy of the built-in file elsewhere finds the image
    copy.write_text((ROOT / "targets" / "apollo3.toml").read_text())
    rom = next(r for r in load_target(str(copy)).memory if r.name == "bootrom")
    assert rom.image == ROM_IMAGE.read_bytes()


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ('kind = "flash"\nimage = "rom.bin"', "only for kind = 'rom'"),
        ('kind = "rom"\nimage = "missing.bin"', "cannot be read"),
        ('kind = "rom"\nimage = "big.bin"', "more than size_bytes"),
        ('kind = "rom"\nsymbols = { f = 0 }', "give the region an image"),
        ('kind = "rom"\nimage = "rom.bin"\nsymbols = { f = 4096 }', "'f' must be an offset"),
    ],
)
def test_bad_rom_images_are_one_line_config_errors(tmp_path, region, message):
    (tmp_path / "rom.bin").write_bytes(b"\0" * 16)
    (tmp_path / "big.bin").write_bytes(b"\0" * 2048)
    own = tmp_path / "t.toml"
    own.write_text(
        'schema = 1\nname = "t"\ncore = "cortex-m4"\nclock_hz = 1000000\n'
        '[[memory]]\nname = "code"\nkind = "flash"\nbase = 0\nsize_bytes = 1024\naccess = "rx"\n'
        f'[[memory]]\nname = "rom"\nbase = 0x08000000\nsize_bytes = 1024\naccess = "rx"\n{region}\n'
        "[power]\nsupply_voltage_v = 3.3\nactive_current_ua_per_mhz = 1\n"
    )
    with pytest.raises(ConfigError, match=message) as e:
        load_target(str(own))
    assert "\n" not in str(e.value)


def _peripheral(name: str) -> Registers:
    spec = next(p for p in load_target("apollo3").peripherals if p.name == name)
    params = {k: v for k, v in spec.params.items() if k != "source"}
    return Registers(spec.name, spec.base, spec.size_bytes, where=name, **params)


def test_mcuctrl_reads_an_apollo3_blue_b0_with_1mb_flash_and_384kb_sram():
    m = _peripheral("mcuctrl")
    pn = m.read(0x000, 4)
    assert pn >> 24 == 0x06 and (pn >> 20) & 0xF == 6 and (pn >> 16) & 0xF == 7
    assert m.read(0x00C, 4) == 0x21  # CHIPREV: APOLLO3_B0 in the HAL's terms
    assert m.read(0x010, 4).to_bytes(4, "big") == b"AMBQ"
    m.write(0x00C, 4, 0)  # read-only
    assert m.read(0x00C, 4) == 0x21
    m.write(0x018, 4, 0x1)  # FEATUREENABLE.BLEREQ -> BLEACK, BLEAVAIL stays
    assert m.read(0x018, 4) & 0x7 == 0x7


def test_a_power_domain_comes_on_while_any_of_its_devices_is_enabled():
    p = _peripheral("pwrctrl")
    assert p.read(0x018, 4) == 0x3  # MCUL, MCUH
    p.write(0x008, 4, 1 << 7)  # UART0 -> HCPA
    assert p.read(0x018, 4) == 0x3 | 1 << 2
    p.write(0x008, 4, 1 << 7 | 1 << 2)  # and IOM1 -> HCPB
    assert p.read(0x018, 4) == 0x3 | 1 << 2 | 1 << 3
    p.write(0x008, 4, 1 << 8 | 1 << 2)  # UART1 keeps HCPA on
    assert p.read(0x018, 4) == 0x3 | 1 << 2 | 1 << 3
    p.write(0x008, 4, 0)
    assert p.read(0x018, 4) == 0x3


def test_memory_banks_report_the_power_state_they_were_given():
    # am_hal_pwrctrl_memory_enable writes MEMPWREN and waits for MEMPWRSTATUS to match
    p = _peripheral("pwrctrl")
    assert p.read(0x014, 4) == 0x1FFFF  # every bank on
    p.write(0x010, 4, 0x1 | 1 << 3 | 1 << 13 | 1 << 30)  # DTCM0, SRAM0, FLASH0, CACHEB0
    assert p.read(0x014, 4) == 0x1 | 1 << 3 | 1 << 13 | 1 << 15


def test_the_core_clock_follows_clkgen_hfrc_its_divider_and_burst_mode():
    # DS-A3-0p9p1 Clock Generator: CCTRL (0x018) CORESEL bit 0, FREQCTRL (0x034) BURSTSTATUS
    def regs(cctrl: int, freqctrl: int):
        return lambda offset: {0x018: cctrl, 0x034: freqctrl}.get(offset, 0)

    assert apollo3_core_hz(regs(0, 0)) == 48e6
    assert apollo3_core_hz(regs(1, 0)) == 24e6
    assert apollo3_core_hz(regs(0, 0b111)) == 96e6
    t = load_target("apollo3")
    assert t.clock_tree is not None and t.clock_tree.model == "apollo3"
    clkgen = _peripheral("clkgen")
    assert t.clock_tree.core_hz(lambda o: clkgen.read(o, 4)) == t.clock_hz  # reset state
    clkgen.write(0x034, 4, 1)  # BURSTREQ: acknowledged and granted at once
    assert clkgen.read(0x034, 4) == 0b111
    assert t.clock_tree.core_hz(lambda o: clkgen.read(o, 4)) == 96e6
    # a named clock mode (or --clock-hz) pins the clock: the firmware's writes change nothing
    assert load_target("apollo3", clock_mode="burst").clock_tree is None


class Clock:
    """The simulated time a peripheral sees (System.now and System.seconds: here one cycle is
    one second's worth of ``t``, whatever cycle is asked)."""

    def __init__(self):
        self.t = 0.0

    def now(self):
        return 0

    def seconds(self, cycles):
        return self.t


def _stimer(clock: Clock) -> Counter:
    spec = next(p for p in load_target("apollo3").peripherals if p.name == "stimer")
    return build(spec, clock, where="stimer")


def test_the_system_timer_counts_simulated_time_at_the_selected_clock():
    c = Clock()
    st = _stimer(c)
    assert st.read(0x004, 4) == 0  # NOCLK after reset
    st.write(0x000, 4, 0xC0000000)  # FREEZE | CLEAR, as am_hal_stimer_config
    c.t = 1.0
    assert st.read(0x004, 4) == 0
    st.write(0x000, 4, 3)  # XTAL 32.768 kHz
    c.t = 1.5
    assert st.read(0x004, 4) == 16384
    assert st.read(0x005, 1) == 16384 >> 8  # a byte of the count
    st.write(0x000, 4, 1)  # HFRC/16 = 3 MHz from here, counting on from 16384
    c.t = 1.5 + 1e-3
    assert st.read(0x004, 4) == 16384 + 3000
    st.write(0x000, 4, 1 | 1 << 31)  # FREEZE: holds
    c.t = 3.0
    assert st.read(0x004, 4) == 16384 + 3000
    st.write(0x004, 4, 7)  # a frozen count may be written
    assert st.read(0x004, 4) == 7
    st.write(0x000, 4, 1 << 30 | 3)  # CLEAR: 0 while set
    c.t = 4.0
    assert st.read(0x004, 4) == 0
    st.write(0x010, 4, 0x1234)  # SCMPR0: registers as data
    assert st.read(0x010, 4) == 0x1234


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"count_offset": 2}, "count_offset must be a word offset"),
        ({"clock": {"lsb": 0, "width": 4}}, "clock must be"),
        ({"freeze": 31}, r"freeze must be a table \{ bit = N \}"),
        ({"width_bits": 40}, "width_bits must be 1-32"),
    ],
)
def test_bad_counter_descriptions_are_config_errors(keys, message):
    base = dict(count_offset=4, control_offset=0, clock={"lsb": 0, "width": 4, "hz": [0, 1]})
    with pytest.raises(ConfigError, match=message):
        Counter("t", 0, 0x100, system=Clock(), where="t", **(base | keys))


def _probe(tmp_path: Path, *defines: str) -> Path:
    return build_bare_m4(PROBE, tmp_path / "probe.elf", *defines)


@skip_no_gcc
def test_the_hal_register_sequence_and_the_boot_rom_helpers_work(tmp_path):
    p, j = run_cli_report("run", _probe(tmp_path), "--target", "apollo3", "-q")
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "ok!\n"
    assert j["unknown_mmio"] == [], unmodelled(j)
    rom = {f["name"]: f for f in j["top_functions"] if f["name"].endswith("(ROM)")}
    # 100 and 1000 iterations of SUBS + BNE in our delay loop (and its CBZ and BX each call)
    assert rom["bootrom_delay_loop (ROM)"]["instructions"] == 2 * (2 + 100 + 1000)


@skip_no_gcc
def test_a_boot_rom_flash_helper_mcusim_does_not_model_stops_with_a_fault(tmp_path):
    p = run_cli("run", _probe(tmp_path, "FLASH_ERASE"), "--target", "apollo3", "-q")
    assert p.returncode == 1, p.stderr
    assert "undefined instruction" in p.stderr
    assert "0x08000050 (flash_page_erase in the bootrom image)" in p.stderr


@pytest.mark.skipif(
    not AMBIQ_ELF,
    reason="set MCUSIM_AMBIQ_ELF to an AmbiqSuite hello_world_uart ELF built outside the "
    "repository (README: Vendor start-up code)",
)
def test_an_ambiqsuite_hello_world_uart_boots_and_prints():
    p, j = run_cli_report("run", AMBIQ_ELF, "--target", "apollo3", "-q")
    assert p.returncode == 0, p.stderr
    assert "Hello World!" in p.stdout
    assert "Device type: Apollo3 Blue" in p.stdout
    assert "Revision:    0x00000021 (RevB0)" in p.stdout
    assert "Flash size:  1048576 (1024 KB)" in p.stdout
    assert j["unknown_mmio"] == [], unmodelled(j)
    # entered through its own vector table at 0xC000 (SP and VTOR from the image)
    assert j["stack_peak_bytes"] <= j["stack_size_bytes"]
