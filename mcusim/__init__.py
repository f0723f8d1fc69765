"""mcusim: emulate Cortex-M firmware with Unicorn and estimate cycles, time, energy and memory.

The public entry points are :class:`mcusim.simulator.Simulator` and the ``mcusim`` command
(:mod:`mcusim.cli`). ``import mcusim`` is cheap: ``mcusim.Simulator``, ``mcusim.RunOptions``,
``mcusim.Firmware`` and ``mcusim.load_target`` import their modules (and numpy, Unicorn,
capstone) on first use.
"""

__version__ = "0.1.0"

_LAZY = {
    "Simulator": "mcusim.simulator",
    "RunOptions": "mcusim.simulator",
    "Firmware": "mcusim.image.elf",
    "load_target": "mcusim.config",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mcusim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
