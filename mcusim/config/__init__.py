"""Configuration: where data lives, target boards and core timing tables (L1, stdlib only)."""

from mcusim.config.core import ClassCost, CoreTiming, load_core
from mcusim.config.resources import data_dir
from mcusim.config.target import (
    MemoryRegion,
    PeripheralSpec,
    PowerModel,
    Target,
    list_targets,
    load_target,
)

__all__ = [
    "ClassCost",
    "CoreTiming",
    "MemoryRegion",
    "PeripheralSpec",
    "PowerModel",
    "Target",
    "data_dir",
    "list_targets",
    "load_core",
    "load_target",
]
