"""The engine compiles warning-free for both Cortex-M flavours and exposes the kernel symbols."""

import re
import shutil
import subprocess

import pytest
from mce_testlib import ENGINE_DIR

KERNEL_SYMBOLS = [
    "mce_conv2d_s8",
    "mce_depthwise_conv2d_s8",
    "mce_fully_connected_s8",
    "mce_avg_pool2d_s8",
    "mce_max_pool2d_s8",
    "mce_add_s8",
    "mce_mul_s8",
    "mce_softmax_s8",
    "mce_logistic_s8",
    "mce_quantize_f32_s8",
    "mce_requantize_s8",
    "mce_dequantize_s8_f32",
    "mce_reshape",
    "mce_concatenation_s8",
    "mce_pad_s8",
    "mce_mean_s8",
]
# Run-time support the engine may need from the toolchain: memcpy/memset from libc, and
# libgcc's ARM EABI helpers (soft-float/64-bit arithmetic, Thumb-1 switch tables).
ALLOWED_UNDEFINED = re.compile(r"^(memcpy|memset|__aeabi_\w+|__gnu_thumb1_case_\w+|mce_\w+)$")

needs_arm = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc not installed"
)


@pytest.fixture(scope="module")
def cross_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("mce_cross")
    p = subprocess.run(
        ["make", "-C", str(ENGINE_DIR), "cross", f"BUILD={build}"], capture_output=True, text=True
    )
    return build, p


@needs_arm
def test_engine_cross_compiles_for_cortex_m4f_and_m0plus_with_no_warning(cross_build):
    _, p = cross_build
    assert p.returncode == 0, p.stderr
    assert "warning" not in p.stderr.lower()


@needs_arm
@pytest.mark.parametrize("cpu", ["m4", "m0plus"])
def test_every_kernel_is_a_global_function_with_its_documented_name(cross_build, cpu):
    build, _ = cross_build
    objs = sorted(str(o) for o in (build / cpu).glob("*.o"))
    out = subprocess.run(["arm-none-eabi-nm", *objs], capture_output=True, text=True).stdout
    defined = set(re.findall(r" T (\w+)$", out, re.M))
    assert set(KERNEL_SYMBOLS) <= defined


@needs_arm
@pytest.mark.parametrize("cpu", ["m4", "m0plus"])
def test_engine_needs_nothing_from_libc_but_memcpy_and_memset(cross_build, cpu):
    build, _ = cross_build
    objs = sorted(str(o) for o in (build / cpu).glob("*.o"))
    out = subprocess.run(["arm-none-eabi-nm", "-u", *objs], capture_output=True, text=True).stdout
    undefined = {line.split()[-1] for line in out.splitlines() if line.strip().startswith("U")}
    assert undefined, "nm produced no undefined symbols at all; the check would be vacuous"
    assert {s for s in undefined if not ALLOWED_UNDEFINED.match(s)} == set()


def test_host_build_is_warning_free_with_wall_wextra(tmp_path):
    p = subprocess.run(
        ["make", "-C", str(ENGINE_DIR), "host", f"BUILD={tmp_path}"], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert "warning" not in p.stderr.lower()
