"""Duty-cycled energy budgets: average power, energy per day, battery life (L3).

One period = wake-up + active work (an inference or a firmware run) + sleep for the rest.
Figures come from the target's ``[power]`` table; batteries from the table below, with their
sources. The battery is assumed to feed the chip through an ideal (lossless) converter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mcusim.errors import InputError
from mcusim.units import parse_number

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Battery:
    name: str
    capacity_mah: float
    voltage_v: float
    source: str

    @property
    def energy_j(self) -> float:
        return self.capacity_mah * self.voltage_v * 3.6  # mAh x V = mWh; 1 mWh = 3.6 J


BATTERIES = {
    "cr2032": Battery(
        "CR2032 (Li/MnO2 coin cell)",
        235.0,
        3.0,
        "Energizer CR2032 product datasheet: typical capacity 235 mAh (to 2.0 V, 15 kΩ load, "
        "21 °C), nominal 3.0 V. verify: other makers state 210-240 mAh; pulsed loads of "
        "several mA give less.",
    ),
    "aa": Battery(
        "AA alkaline (one cell)",
        2850.0,
        1.5,
        "Energizer E91 (AA alkaline) product datasheet, capacity at a 25 mA continuous drain to "
        "0.8 V: about 2,850 mAh, nominal 1.5 V. verify: capacity falls steeply with higher "
        "drain.",
    ),
}


def parse_battery(text: str) -> Battery:
    """``cr2032``, ``aa`` or ``<mAh>@<V>`` (e.g. ``1000@3.7``)."""
    key = text.strip().lower()
    if key in BATTERIES:
        return BATTERIES[key]
    cap, sep, volt = key.partition("@")
    try:
        mah = parse_number(cap.removesuffix("mah"))
        v = parse_number(volt.removesuffix("v")) if sep else float("nan")
    except ValueError:
        mah = v = float("nan")
    if not sep or not mah > 0 or not v > 0:
        raise InputError(
            f"--battery: '{text}' is not one of {', '.join(BATTERIES)} or <mAh>@<V> (e.g. 1000@3.7)"
        )
    return Battery(f"{mah:g} mAh at {v:g} V", mah, v, "given on the command line")


def parse_period(rate: str | None, period: str | None) -> float:
    """Seconds per activation from ``--rate 2/s`` / ``--rate 10/min`` or ``--period 500ms``."""
    if (rate is None) == (period is None):
        raise InputError("give exactly one of --rate (e.g. 1/s) or --period (e.g. 1s)")
    units = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "min": 60.0, "h": 3600.0}
    if rate is not None:
        n, _, unit = rate.strip().partition("/")
        try:
            count = parse_number(n)
        except ValueError:
            count = float("nan")
        scale = units.get(unit or "s")
        if scale is None or not count > 0:
            raise InputError(f"--rate: '{rate}' is not <count>/<s|min|h> (e.g. 1/s)")
        return scale / count
    t = period.strip()  # type: ignore[union-attr]
    for unit in ("ms", "us", "min", "h", "s"):
        if t.endswith(unit):
            try:
                value = parse_number(t[: -len(unit)]) * units[unit]
            except ValueError:
                break
            if value > 0:
                return value
            break
    raise InputError(f"--period: '{period}' is not a duration like 1s, 250ms or 5min")


@dataclass(frozen=True)
class Budget:
    """One period of a duty-cycled workload and what it costs."""

    period_s: float
    active_s: float
    active_energy_uj: float
    wake_s: float
    wake_energy_uj: float
    sleep_mode: str
    sleep_power_mw: float
    sleep_s: float
    sleep_energy_uj: float
    energy_per_period_uj: float
    duty_cycle: float
    avg_power_mw: float
    energy_per_day_j: float
    battery: str | None
    battery_energy_j: float | None
    battery_days: float | None
    battery_source: str | None
    budget_mw: float | None
    within_budget: bool | None

    def to_dict(self) -> dict:
        return asdict(self)


def duty_cycle(
    *,
    period_s: float,
    active_s: float,
    active_energy_uj: float,
    active_power_mw: float,
    sleep_mode: str,
    sleep_power_mw: float,
    wake_s: float = 0.0,
    battery: Battery | None = None,
    budget_mw: float | None = None,
) -> Budget:
    """Energy of one period: wake-up (at active power), the work, then sleep until the next."""
    busy = active_s + wake_s
    if busy > period_s:
        raise InputError(
            f"the work takes {busy * 1e3:.3f} ms (with wake-up), longer than the period "
            f"{period_s * 1e3:.3f} ms: it cannot run that often"
        )
    wake_uj = active_power_mw * wake_s * 1e3
    sleep_s = period_s - busy
    sleep_uj = sleep_power_mw * sleep_s * 1e3
    total = active_energy_uj + wake_uj + sleep_uj
    avg_mw = total / 1e3 / period_s
    per_day = avg_mw / 1e3 * SECONDS_PER_DAY
    days = battery.energy_j / per_day if battery and per_day > 0 else None
    return Budget(
        period_s=period_s,
        active_s=active_s,
        active_energy_uj=active_energy_uj,
        wake_s=wake_s,
        wake_energy_uj=wake_uj,
        sleep_mode=sleep_mode,
        sleep_power_mw=sleep_power_mw,
        sleep_s=sleep_s,
        sleep_energy_uj=sleep_uj,
        energy_per_period_uj=total,
        duty_cycle=busy / period_s,
        avg_power_mw=avg_mw,
        energy_per_day_j=per_day,
        battery=battery.name if battery else None,
        battery_energy_j=battery.energy_j if battery else None,
        battery_days=days,
        battery_source=battery.source if battery else None,
        budget_mw=budget_mw,
        within_budget=None if budget_mw is None else avg_mw <= budget_mw,
    )


def power_plot(b: Budget, active_power_mw: float, width: int = 60) -> list[str]:
    """A text plot of power over one period: one row per power level, time left to right
    (a phase shorter than one column still gets one column)."""
    levels = [
        ("active", active_power_mw, 0.0, b.active_s),
        ("wake-up", active_power_mw, b.active_s, b.active_s + b.wake_s),
        (b.sleep_mode, b.sleep_power_mw, b.active_s + b.wake_s, b.period_s),
    ]
    lines = []
    for label, mw, t0, t1 in levels:
        if t1 <= t0:
            continue
        c0 = int(t0 / b.period_s * width)
        c1 = max(c0 + 1, int(round(t1 / b.period_s * width)))
        row = " " * c0 + "█" * (c1 - c0) + " " * (width - c1)
        lines.append(f"{mw:>10.4f} mW {label:>10} |{row[:width]}|")
    end = f"{b.period_s:g} s"
    lines.append(f"{'':>25}  0{end:>{width - 1}}")
    return lines


SLEEP_KEYS = {
    "sleep": ("sleep_current_ua", "sleep_wake_up_us"),
    "deep_sleep": ("deep_sleep_current_ua", "deep_sleep_wake_up_us"),
}


def sleep_figures(target, mode: str) -> tuple[float, float, str]:
    """(sleep power in mW, wake-up time in s, where the wake-up figure comes from) of a
    target's ``mode`` (``sleep`` or ``deep_sleep``); InputError when it has no such current."""
    current_key, wake_key = SLEEP_KEYS[mode]
    power = target.raw.get("power", {})
    current = getattr(target.power, current_key)
    if not current:
        raise InputError(
            f"target '{target.name}' has no {current_key} in its [power] table "
            f"({target.path}); try --sleep {'sleep' if mode == 'deep_sleep' else 'deep_sleep'}"
        )
    wake_us = getattr(target.power, wake_key)
    note = f"no {wake_key}: taken as 0"
    if wake_us:
        note = power.get(f"{wake_key}_source", "[power] source")
    return target.power.supply_voltage_v * current / 1000.0, wake_us * 1e-6, note
