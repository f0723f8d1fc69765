"""``mcusim energy FW.elf|MODEL.tflite``: duty cycle, average power, battery life (L6).

The work of one period is a firmware run (an ELF: the whole run) or one inference of a model
(a ``.tflite`` on the runner firmware: the kernels' cycles, engine set-up excluded since it
runs once at boot); the rest of the period is spent in the chosen sleep mode.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mcusim.cli.options import EPILOG, number_option
from mcusim.errors import EXIT_FAILURE, InputError
from mcusim.report.energy import SLEEP_KEYS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "energy",
        epilog=EPILOG,
        help="average power, energy per day and battery life of a periodic workload",
        description="Run FW.elf (the whole run is one activation) or MODEL.tflite (one "
        "inference on the runner firmware) on the target, then model a period: wake-up, the "
        "work, and sleep for the rest. Reports the duty cycle, average power, energy per day, "
        "battery life and a verdict against --budget-mw (exit 1 when over).",
    )
    p.add_argument("work", metavar="FW.elf|MODEL.tflite")
    p.add_argument("--target", "-t", required=True, metavar="NAME|FILE.toml")
    p.add_argument("--clock-hz", metavar="HZ")
    p.add_argument("--clock-mode", metavar="NAME")
    p.add_argument("--rate", metavar="N/s", help="activations per time, e.g. 1/s, 10/min")
    p.add_argument("--period", metavar="T", help="time between activations, e.g. 1s, 250ms")
    p.add_argument("--sleep", choices=tuple(SLEEP_KEYS), default="deep_sleep")
    p.add_argument("--battery", metavar="cr2032|aa|MAH@V", help="battery to run from")
    p.add_argument("--budget-mw", metavar="MW", help="average power budget (exit 1 when over)")
    p.add_argument("--kernels", choices=("reference", "optimized"), default="reference")
    p.add_argument("--input", metavar="x.npy", help="model input (default: seeded random)")
    p.add_argument("--json", metavar="FILE")
    p.set_defaults(func=cmd_energy)


def cmd_energy(a: argparse.Namespace) -> int:
    from rich.console import Console

    from mcusim.config import load_target
    from mcusim.report.energy import (
        duty_cycle,
        parse_battery,
        parse_period,
        power_plot,
        sleep_figures,
    )
    from mcusim.report.summary import quantity_table

    period = parse_period(a.rate, a.period)
    battery = parse_battery(a.battery) if a.battery else None
    budget = number_option("--budget-mw", a.budget_mw)
    target = load_target(
        a.target, clock_hz=number_option("--clock-hz", a.clock_hz), clock_mode=a.clock_mode
    )
    p_active = target.power.active_power_mw(target.clock_hz)
    if not p_active:
        raise InputError(f"target '{target.name}' has no active-current figure: no energy model")
    sleep_mw, wake_s, wake_note = sleep_figures(target, a.sleep)
    if a.work.endswith(".tflite"):
        from mcusim.profile.profiler import OpProfiler
        from mcusim.simulator.model_run import run_model

        run = run_model(
            a.work, target, kernels=a.kernels, input_path=a.input, observers=(OpProfiler(),)
        )
        cycles = sum(o["cycles"] for o in run.result.extensions["ops"]["ops"])
        what = f"one inference of {a.work} ({a.kernels} kernels, {run.input_note})"
        active_s = cycles / target.clock_hz
        p_active = run.result.active_power_mw
        active_uj = p_active * active_s * 1e3
    else:
        from mcusim.simulator import RunOptions, Simulator

        r = Simulator(target, RunOptions(handle_signals=True)).run(a.work)
        if r.exit_reason not in ("exit", "halted", "stop_at") or r.exit_code:
            raise InputError(f"{a.work}: the run did not end cleanly: {r.message}")
        cycles = r.cycles
        what = f"one run of {a.work}"
        active_s, active_uj = r.time_s, r.energy_uj
        p_active = r.active_power_mw
    b = duty_cycle(
        period_s=period,
        active_s=active_s,
        active_energy_uj=active_uj,
        active_power_mw=p_active,
        sleep_mode=a.sleep,
        sleep_power_mw=sleep_mw,
        wake_s=wake_s,
        battery=battery,
        budget_mw=budget,
    )
    console = Console(soft_wrap=False)
    t = quantity_table(
        f"mcusim energy: {what} every {period:g} s on {target.name} @ {target.clock_hz / 1e6:g} MHz"
    )
    t.add_row("work", f"{cycles:,} cycles, {active_s * 1e3:.4f} ms, {active_uj:.3f} µJ")
    t.add_row("active power", f"{p_active:.4f} mW ({target.power.supply_voltage_v:g} V)")
    t.add_row("wake-up", f"{wake_s * 1e6:g} µs, {b.wake_energy_uj:.3f} µJ ({wake_note})")
    t.add_row(f"{a.sleep}", f"{sleep_mw * 1e3:.3f} µW for {b.sleep_s:.4f} s")
    t.add_row("duty cycle", f"{100 * b.duty_cycle:.4f} %")
    t.add_row("energy per period", f"{b.energy_per_period_uj:.3f} µJ")
    t.add_row("average power", f"{b.avg_power_mw * 1e3:.3f} µW ({b.avg_power_mw:.6f} mW)")
    t.add_row("energy per day", f"{b.energy_per_day_j:.3f} J")
    if battery:
        t.add_row(
            "battery",
            f"{battery.name}: {battery.capacity_mah:g} mAh x {battery.voltage_v:g} V = "
            f"{battery.energy_j:,.0f} J ({battery.source})",
        )
        t.add_row("battery life", f"{b.battery_days:,.1f} days ({b.battery_days / 365:.2f} years)")
    if budget is not None:
        verdict = "[green]within budget[/]" if b.within_budget else "[red]over budget[/]"
        t.add_row("budget", f"{budget:g} mW: {verdict} (average {b.avg_power_mw:.6f} mW)")
    console.print(t)
    print("power over one period:")
    for line in power_plot(b, p_active, width=40):
        print(line)
    console.print(
        "assumptions: wake-up drawn at active power; the battery feeds the chip through an "
        "ideal converter; no self-discharge (a lithium coin cell loses about 1 %/year, so "
        "lives beyond ~10 years are not real); sleep figures from the target's [power] table "
        f"({target.power.source})",
        markup=False,
    )
    if a.json:
        d = b.to_dict() | {"work": what, "work_cycles": cycles, "target": target.name}
        try:
            Path(a.json).write_text(json.dumps(d, indent=2))
        except OSError as e:
            raise InputError(f"--json: cannot write '{a.json}': {e.strerror}") from None
    return EXIT_FAILURE if b.within_budget is False else 0
