"""Memory figures on third-party-shaped images (tests/shapes/, built here with
arm-none-eabi-gcc): observers never change a figure, and regions are counted by what they are."""

from __future__ import annotations

import pytest
from shapebuild import SHAPES, build, have_toolchain

from mcusim.config import load_target
from mcusim.profile.profiler import OpProfiler
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


def test_a_board_without_flash_counts_the_image_against_the_ram_it_runs_from(shapes):
    from mcusim.image.elf import Firmware
    from mcusim.report.memmap import memory_report

    target = load_target("mps2-an386")
    r = run(shapes["ram_only"], "mps2-an386")
    f = r.footprint
    assert (f.image_region, f.image_in_ram, f.flash_size_bytes) == ("ssram1", True, 4 << 20)
    assert f.flash_used_bytes == f.text_bytes + f.rodata_bytes  # .data runs where it is loaded
    assert f.data_image_bytes == 0 and f.data_bytes == 4
    assert f.ram_static_bytes == f.data_bytes + f.bss_bytes == 4 + 8192 + 16
    assert f.ram_reserved_bytes == 0x2000  # the .stack section: not static data
    # the stack is the .stack section (initial SP at its end), not "nothing free below the SP"
    assert r.stack_size_bytes == 0x2000 and 3000 < r.stack_peak_bytes < 3100
    mem = memory_report(Firmware(shapes["ram_only"]), target, r)
    assert mem["flash"]["fits"] is True and mem["flash"]["size_bytes"] == 4 << 20
    assert mem["flash"]["headroom_bytes"] == (4 << 20) - f.flash_used_bytes
    ram = mem["ram"]
    assert (ram["data_bytes"], ram["bss_bytes"], ram["static_bytes"]) == (4, 8208, 8212)
    assert ram["used_bytes"] == 8212 + r.stack_peak_bytes + f.flash_used_bytes


def test_a_semihosted_program_without_vector_table_has_one_static_ram_figure(shapes):
    from mcusim.image.elf import Firmware
    from mcusim.report.memmap import memory_report

    r = run(shapes["semihosted"], "mps2-an386")
    f = r.footprint
    assert r.exit_code == 0 and "Arena allocation total 4000 bytes" in r.console
    assert f.data_bytes > 2000 and f.bss_bytes > 8192  # newlib's and ours, in ssram1
    assert f.ram_static_bytes == f.data_bytes + f.bss_bytes
    mem = memory_report(Firmware(shapes["semihosted"]), load_target("mps2-an386"), r)
    ram = mem["ram"]
    assert (ram["data_bytes"], ram["bss_bytes"]) == (f.data_bytes, f.bss_bytes)
    assert ram["static_bytes"] == f.ram_static_bytes
    assert mem["flash"]["fits"] is True and mem["flash"]["used_bytes"] == f.flash_used_bytes


def test_a_verdict_against_no_memory_is_no_verdict():
    from mcusim.report.memmap import _verdict

    assert _verdict(1216, 0) == {
        "used_bytes": 1216,
        "size_bytes": 0,
        "headroom_bytes": None,
        "headroom_pct": None,
        "fits": None,
    }
    assert _verdict(1216, 4096)["fits"] is True and _verdict(5000, 4096)["fits"] is False


def test_an_rtos_thread_stack_on_the_psp_is_found_and_measured(shapes):
    r = run(shapes["rtos_psp"], "stm32l4r5")
    assert r.exit_code == 0
    (ps,) = r.process_stacks
    assert (ps["symbol"], ps["size_bytes"]) == ("app_thread_stack", 8192)
    assert 3000 < ps["peak_bytes"] < 3100  # the first op's 3,000-byte scratch, on the PSP
    assert r.stack_peak_bytes < 100  # the main stack only ran main() before the switch


def test_the_arena_row_shows_what_the_firmware_used_and_said(shapes):
    from mcusim.image.elf import Firmware
    from mcusim.report.memmap import memory_report

    r = run(shapes["cube"], "stm32l4r5", OpProfiler())
    a = memory_report(Firmware(shapes["cube"]), load_target("stm32l4r5"), r)["ram"]["arena"]
    assert (a["symbol"], a["size_bytes"]) == ("tensor_arena", 8192)
    assert a["high_water_bytes"] == 3000 + 1000  # the head and the tail the ops wrote
    assert a["reported_bytes"] == 4000
    assert a["reported_by"] == "the firmware's console: TFLM's RecordingMicroAllocator"
    assert a["planned_bytes"] is None and a["estimate_bytes"] is None
