"""Duty-cycled energy budgets: arithmetic by hand, battery parsing, the CLI's verdict."""

from __future__ import annotations

import json

import pytest
from simtest import elf, run_cli

from mcusim.errors import InputError
from mcusim.report.energy import BATTERIES, duty_cycle, parse_battery, parse_period


def test_one_period_adds_active_wake_and_sleep_energy():
    # 10 ms at 1 mW = 10 µJ; 1 ms wake-up at 1 mW = 1 µJ; 989 ms asleep at 3.3 µW = 3.2637 µJ
    b = duty_cycle(
        period_s=1.0, active_s=0.010, active_energy_uj=10.0, active_power_mw=1.0,
        sleep_mode="deep_sleep", sleep_power_mw=0.0033, wake_s=0.001,
        battery=BATTERIES["cr2032"], budget_mw=0.01,
    )  # fmt: skip
    assert b.energy_per_period_uj == pytest.approx(10 + 1 + 0.0033 * 0.989 * 1e3)
    assert b.avg_power_mw == pytest.approx(b.energy_per_period_uj / 1e3)
    assert b.duty_cycle == pytest.approx(0.011)
    assert b.energy_per_day_j == pytest.approx(b.avg_power_mw / 1e3 * 86400)
    # 235 mAh x 3.0 V = 705 mWh = 2538 J
    assert b.battery_energy_j == pytest.approx(2538.0)
    assert b.battery_days == pytest.approx(2538.0 / b.energy_per_day_j)
    assert b.within_budget is False  # 0.0143 mW > 0.01 mW


def test_work_longer_than_the_period_is_refused():
    with pytest.raises(InputError, match="cannot run that often"):
        duty_cycle(
            period_s=0.1, active_s=0.2, active_energy_uj=1, active_power_mw=1,
            sleep_mode="sleep", sleep_power_mw=0,
        )  # fmt: skip


def test_batteries_and_periods_parse():
    assert parse_battery("1000@3.7").energy_j == pytest.approx(1000 * 3.7 * 3.6)
    assert parse_battery("AA").capacity_mah == 2850
    assert parse_period("2/s", None) == 0.5
    assert parse_period(None, "250ms") == 0.25
    assert parse_period("6/min", None) == 10.0
    for bad in ("x@3", "100", "100@"):
        with pytest.raises(InputError):
            parse_battery(bad)
    with pytest.raises(InputError):
        parse_period("1/s", "1s")


def test_energy_cli_gives_battery_days_and_a_budget_verdict(tmp_path):
    out = tmp_path / "e.json"
    fw = elf("apollo3", "tflm_layout")
    p = run_cli(
        "energy", fw, "--target", "apollo3", "--rate", "1/s", "--battery", "cr2032",
        "--budget-mw", "1", "--json", out,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    d = json.loads(out.read_text())
    assert d["within_budget"] is True and d["sleep_mode"] == "deep_sleep"
    assert d["battery_days"] == pytest.approx(2538.0 / d["energy_per_day_j"])
    assert "within budget" in p.stdout and "battery life" in p.stdout
    assert "power over one period" in p.stdout
    over = run_cli("energy", fw, "--target", "apollo3", "--period", "1ms", "--budget-mw", "0.3")
    assert over.returncode == 1 and "over budget" in over.stdout
    no_sleep = run_cli("energy", fw, "--target", "apollo3", "--rate", "1/s", "--sleep", "sleep")
    assert no_sleep.returncode == 2 and "no sleep_current_ua" in no_sleep.stderr


def test_code_running_from_sram_uses_the_from_sram_current():
    from simtest import DATA, elf

    from mcusim.config import load_target
    from mcusim.simulator import Simulator

    fw = elf("mps2-an386", "hello")
    for board, ua_per_mhz in (
        ("mps2-an386-sram-power.toml", 50.0),
        ("mps2-an386-flash-power.toml", 100.0),
    ):
        t = load_target(str(DATA / board))
        r = Simulator(t).run(fw)
        assert r.exit_code == 0
        # 2.0 V x ua_per_mhz µA/MHz x 25 MHz, for every active cycle
        expected_mw = 2.0 * ua_per_mhz * 25 / 1000
        assert r.active_power_mw == pytest.approx(expected_mw)
        assert r.energy_uj == pytest.approx(expected_mw * r.time_s * 1000)
        assert r.active_cycles_from_ram == (r.active_cycles if ua_per_mhz == 50.0 else 0)
