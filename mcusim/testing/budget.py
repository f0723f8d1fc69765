"""Budgets: limits on a run's figures (cycles, time, energy, stack, flash, ...) and the check
of a result against them (L5.5, beside the test runner, which judges each image by them).
"""

from __future__ import annotations

BUDGET_KEYS = {
    "cycles": ("cycles", "cycles"),
    "instructions": ("instructions", "instructions"),
    "time_ms": ("time_ms", "ms"),
    "startup_ms": ("first_output_ms", "ms"),
    "energy_uj": ("energy_uj", "µJ"),
    "power_mw": ("avg_power_mw", "mW"),
    "stack_bytes": ("stack_peak_bytes", "bytes"),
    "heap_bytes": ("heap_peak_bytes", "bytes"),
    "flash_bytes": ("flash_used_bytes", "bytes"),
    "ram_bytes": ("ram_static_bytes", "bytes"),
}


# Why a run can lack the figure a budget limits: a budget it cannot check fails, saying so
# (passing it would let CI believe a limit holds that was never measured).
NO_FIGURE = {
    "startup_ms": "the firmware printed nothing, so it has no start-up time",
    "heap_bytes": "the firmware has no heap to measure (no _sbrk in the ELF)",
    "energy_uj": "the target has no power figures",
    "power_mw": "the target has no power figures",
}


def check_budget(result_dict: dict, budget: dict[str, float]) -> list[str]:
    failures = []
    flat = dict(result_dict)
    flat.update(result_dict["footprint"])
    for key, limit in budget.items():
        field, unit = BUDGET_KEYS[key]
        value = flat.get(field)
        if key in ("energy_uj", "power_mw") and not result_dict.get("active_power_mw"):
            value = None  # reported as 0 on a target without power figures, not measured
        if value is None:
            failures.append(f"{key}: {NO_FIGURE.get(key, 'the run has no figure for it')}")
        elif value > limit:
            failures.append(f"{key} {value:,.6g} {unit} > budget {limit:,.6g} {unit}")
    return failures
