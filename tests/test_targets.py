"""Every built-in target loads, cites its sources, and boots the hello sample."""

from __future__ import annotations

import tomllib

import pytest
from simtest import ROOT, elf

from mcusim.config import list_targets, load_target
from mcusim.errors import ConfigError, InputError
from mcusim.simulator import Simulator

TARGETS = sorted(p.stem for p in (ROOT / "targets").glob("*.toml"))


def test_the_nine_required_targets_are_built_in():
    assert set(TARGETS) >= {
        "apollo3",
        "nrf52840",
        "stm32l4r5",
        "samd51",
        "efm32wg",
        "rp2040",
        "stm32f103",
        "mps2-an386",
        "mps2-an385",
    }
    assert list_targets() == TARGETS


@pytest.mark.parametrize("name", TARGETS)
def test_every_table_with_numbers_cites_a_source(name):
    data = tomllib.loads((ROOT / "targets" / f"{name}.toml").read_text())
    assert data.get("source"), "top-level keys need a source"
    for table in [
        *data.get("memory", []),
        *data.get("peripheral", []),
        data.get("power", {}),
        *data.get("clock_modes", {}).values(),
    ]:
        assert table.get("source"), f"{name}: a table without a source: {table}"


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_boots_the_hello_sample(name):
    t = load_target(name)
    r = Simulator(t).run(elf(name, "hello"))
    assert r.exit_reason == "exit" and r.exit_code == 0, r.message
    assert f"hello from the UART on {name}" in r.console
    assert f"hello from semihosting on {name}" in r.console_by_source["semihosting"]
    assert 'crc32("123456789") = 0xcbf43926' in r.console
    assert r.cycles >= r.instructions > 10_000
    assert r.time_s == pytest.approx(r.cycles / t.clock_hz)
    if t.power.active_current_ua_per_mhz:
        expected_mw = (
            t.power.supply_voltage_v * t.power.active_current_ua_per_mhz * t.clock_hz / 1e6 / 1000
        )
        assert r.avg_power_mw == pytest.approx(expected_mw)
        assert r.energy_uj == pytest.approx(expected_mw * r.time_s * 1000)
    assert 0 < r.stack_peak_bytes < r.stack_size_bytes
    assert r.footprint.flash_used_bytes >= r.footprint.text_bytes > 0


def test_apollo3_burst_mode_and_clock_override_change_time_not_cycles():
    base = load_target("apollo3")
    burst = load_target("apollo3", clock_mode="burst")
    assert (base.clock_hz, burst.clock_hz) == (48_000_000, 96_000_000)
    assert load_target("apollo3", clock_hz=24e6).clock_hz == 24_000_000


def test_a_user_board_extends_a_built_in_target(tmp_path):
    board = tmp_path / "myboard.toml"
    board.write_text(
        'schema = 1\nextends = "apollo3"\nname = "myboard"\nclock_hz = 24000000\n'
        '[[memory]]\nname = "flash"\nwait_states = 3\n'
    )
    t = load_target(str(board))
    assert t.name == "myboard" and t.core == "cortex-m4" and t.clock_hz == 24_000_000
    flash = next(r for r in t.memory if r.name == "flash")
    assert (flash.base, flash.size_bytes, flash.wait_states) == (0, 1 << 20, 3)
    r = Simulator(t).run(elf("apollo3", "hello"))
    assert r.exit_code == 0 and r.time_s == pytest.approx(r.cycles / 24e6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema = 1\nname = 'x'\n", "clock_hz is missing"),
        ("schema = 2\n", "schema is 2"),
        ("schema = 1\nname='x'\ncore='cortex-m9'\nclock_hz=1\n", "'cortex-m9' is not a known core"),
        ("schema = 1\nname='x'\ncore='cortex-m4'\nclock_hz=-5\n", "clock_hz must be > 0"),
        (
            "schema = 1\nname='x'\ncore='cortex-m4'\nclock_hz='fast'\n",
            "clock_hz must be an integer",
        ),
        ("schema = 1\nname = [\n", "not valid TOML"),
        (
            "schema=1\nname='x'\ncore='cortex-m4'\nclock_hz=1\n[[memory]]\nname='a'\nkind='ram'\n"
            "base=0\nsize_bytes=4096\naccess='rwx'\n[[memory]]\nname='b'\nkind='ram'\nbase=1024\n"
            "size_bytes=4096\naccess='rw'\n[power]\nsupply_voltage_v=3\nactive_current_ua_per_mhz=1\n",
            "regions 'a' and 'b' overlap",
        ),
        (
            "schema=1\nname='x'\ncore='cortex-m4'\nclock_hz=1\n[[memory]]\nname='a'\nkind='ram'\n"
            "base=0\nsize_bytes=0\naccess='rwx'\n",
            "memory[0].size_bytes must be > 0",
        ),
    ],
)
def test_malformed_target_files_name_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_target(str(path))
    assert str(path) in e.value.message and message in e.value.message


def test_an_extends_loop_is_reported(tmp_path):
    (tmp_path / "a.toml").write_text('schema = 1\nextends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('schema = 1\nextends = "a.toml"\n')
    with pytest.raises(ConfigError, match="extends loop"):
        load_target(str(tmp_path / "a.toml"))


def test_an_unknown_target_lists_the_known_ones():
    with pytest.raises(InputError, match="unknown target 'apollo4'.*apollo3"):
        load_target("apollo4")
