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


def check_budget(result_dict: dict, budget: dict[str, float]) -> list[str]:
    failures = []
    flat = dict(result_dict)
    flat.update(result_dict["footprint"])
    for key, limit in budget.items():
        field, unit = BUDGET_KEYS[key]
        value = flat.get(field)
        if value is None and key == "startup_ms":
            failures.append(f"{key}: the firmware printed nothing, so it has no start-up time")
        elif value is not None and value > limit:
            failures.append(f"{key} {value:,.6g} {unit} > budget {limit:,.6g} {unit}")
    return failures
