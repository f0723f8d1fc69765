"""Builds the third-party-shaped test images of tests/shapes/ with arm-none-eabi-gcc (helper).

Each shape is (target, sources, flags): a CubeIDE-style flash image with a reserved
._user_heap_stack section, the same exiting from inside an op, a whole image in MPS2's code
SSRAM, an RTOS-like program running on a PSP thread stack, and a semihosted newlib (rdimon)
program without a vector table. Built once per test session into a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
M4_SOFT = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft")
M4_HARD = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16")
BARE = ("-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-tree-loop-distribute-patterns")

# name -> (target, extra flags, link script or None for the toolchain's default, bare metal)
SHAPES = {
    "cube": ("stm32l4r5", M4_SOFT, "cube.ld", True),
    "cube_exit_in_op": ("stm32l4r5", (*M4_SOFT, "-DEXIT_IN_OP"), "cube.ld", True),
    "rtos_psp": ("stm32l4r5", (*M4_SOFT, "-DUSE_PSP"), "cube.ld", True),
    "ram_only": ("mps2-an386", M4_HARD, "ramonly.ld", True),
    "semihosted": ("mps2-an386", (*M4_HARD, "-DHOSTED", "--specs=rdimon.specs"), None, False),
}


def have_toolchain() -> bool:
    return shutil.which("arm-none-eabi-gcc") is not None


def build(name: str, out_dir: Path) -> Path:
    """Compile and link one shape; returns the ELF's path."""
    target, flags, script, bare = SHAPES[name]
    out = out_dir / f"{name}.elf"
    sources = [SHAPES_DIR / "app.c"] + ([SHAPES_DIR / "startup.c"] if bare else [])
    cmd = ["arm-none-eabi-gcc", "-Os", "-g", "-std=c11", *flags, "-Wl,--build-id=none"]
    if bare:
        cmd += [*BARE, f"-T{SHAPES_DIR / script}"]
    cmd += ["-o", str(out), *map(str, sources)]
    if bare:
        cmd.append("-lgcc")
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out
