"""The simulator (L5): the one place that wires image, config, machine, timing and observers
into a run. ``Simulator(target, RunOptions(...)).run(firmware)`` returns a ``RunResult``.
"""

from mcusim.simulator.options import Observer, Probe, RunOptions
from mcusim.simulator.run import Simulator, _Run

__all__ = ["Observer", "Probe", "RunOptions", "Simulator", "_Run"]
