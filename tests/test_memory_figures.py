"""Memory figures on third-party-shaped images (tests/shapes/, built here with
arm-none-eabi-gcc): observers never change a figure, and regions are counted by what they are."""

from __future__ import annotations

import pytest
from shapebuild import SHAPES, build, have_toolchain

from mcusim.config import load_target
from mcusim.profiler import OpProfiler
from mcusim.simulator import RunOptions, Simulator

pytestmark = pytest.mark.skipif(not have_toolchain(), reason="arm-none-eabi-gcc is not installed")


@pytest.fixture(scope="session")
def shapes(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("shapes")
    return {name: build(name, out) for name in SHAPES}


def run(path, target: str, *observers):
    opts = RunOptions(observers=tuple(observers), max_cycles=50_000_000)
    return Simulator(load_target(target), opts).run(path)


def test_profiling_ops_keeps_the_deepest_stack_use_of_an_earlier_op(shapes):
    # the first op uses a 3,000-byte scratch buffer; the last op ends the run from inside:
    # its entry repainted the free stack, and the run's figure used to be taken before the
    # profiler put it back (3,024 B without the profiler, 32 B with it)
    plain = run(shapes["cube_exit_in_op"], "stm32l4r5")
    prof = OpProfiler()
    profiled = run(shapes["cube_exit_in_op"], "stm32l4r5", prof)
    ops = profiled.extensions["ops"]["ops"]
    assert [o["op"] for o in ops] == ["CONV_2D", "FULLY_CONNECTED", "SOFTMAX"]
    assert 3000 < plain.stack_peak_bytes < 3100
    assert profiled.stack_peak_bytes == plain.stack_peak_bytes
    assert profiled.cycles == plain.cycles and profiled.console == plain.console
    assert ops[0]["stack_peak_bytes"] == plain.stack_peak_bytes
    # later ops are measured on their own, not with the first op's depth
    assert 0 < ops[1]["stack_peak_bytes"] < 100 and 0 < ops[2]["stack_peak_bytes"] < 100
    assert ops[2]["finished"] is False


def test_a_deep_function_between_ops_counts_for_the_run_not_for_an_op(shapes):
    plain = run(shapes["cube"], "stm32l4r5")
    profiled = run(shapes["cube"], "stm32l4r5", OpProfiler(functions=True))
    ops = profiled.extensions["ops"]["ops"]
    assert profiled.stack_peak_bytes == plain.stack_peak_bytes
    assert plain.stack_peak_bytes >= max(o["stack_peak_bytes"] for o in ops)
    # `preprocess` (1,500 B of locals) runs between CONV_2D and FULLY_CONNECTED
    assert ops[1]["stack_peak_bytes"] < 100
