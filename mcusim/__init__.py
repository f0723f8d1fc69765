"""mcusim: emulate Cortex-M firmware with Unicorn and estimate cycles, time, energy and memory.

The public entry points are :class:`mcusim.simulator.Simulator` and the ``mcusim`` command
(:mod:`mcusim.cli`).
"""

__version__ = "0.1.0"
