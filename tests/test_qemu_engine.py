"""The committed engine firmware, run in qemu-system-arm, against the tflite-micro interpreter.

What is checked, byte for byte against TFLM's reference kernels (the interpreter in the venv):
- ``runner-ref`` and ``runner-opt`` on mps2-an386 (Cortex-M4F, so the optimized flavour runs
  real SMLAD/SXTB16 code) and ``runner-ref`` on mps2-an385 (Cortex-M3), on every MLPerf Tiny
  model in ../shared/models (every reference input) and every model of firmware_samples/models;
- the model apps (kws, sine, digits, vision, anomaly and their -opt builds): exit 0 and print
  TFLM's output;
- the runner's error paths (header, arena, input size, unsupported operator) and that it runs
  in exactly the arena it reports;
- the optimized kernels' host build (portable stand-ins for the DSP instructions) on wider
  single-op geometries than tests/engine/ uses; the slow part sends seeded single-op models
  through the QEMU runners too.

The runner's model region and buffers are NOBITS segments; QEMU would zero-fill their
PT_LOAD headers and then refuse ``-device loader`` data over them ("ROM regions are
overlapping"), so the test runs a copy of the ELF whose file-less PT_LOAD headers are turned
into PT_NULL. Skipped only where qemu-system-arm is absent.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
FIRMWARE = REPO / "firmware_samples"
ELF_DIR = FIRMWARE / "elf"
OUR_MODELS = FIRMWARE / "models"
SHARED_MODELS = REPO.parent / "shared" / "models"
sys.path.insert(0, str(REPO / "tests" / "engine"))

from mce_testlib import (  # noqa: E402
    TT,
    ModelBuilder,
    Op,
    Opt,
    build_harness,
    fb,
    options,
    run_engine,
    tflm_run,
)

pytestmark = pytest.mark.skipif(
    shutil.which("qemu-system-arm") is None, reason="qemu-system-arm is not installed"
)

# (machine, runner app): the optimized flavour only exists for the M4F board.
RUNNERS = [
    ("mps2-an386", "runner-ref"),
    ("mps2-an386", "runner-opt"),
    ("mps2-an385", "runner-ref"),
]
RUNNER_IDS = [f"{m}/{a}" for m, a in RUNNERS]
SHARED = ["kws_ref_model", "pretrainedResnet_quant", "ad01_int8"]
OURS = ["sine", "digits", "kws", "vision", "anomaly"]
MODEL_APPS = [
    (machine, app)
    for name in OURS
    for machine, app in [("mps2-an386", name), ("mps2-an386", f"{name}-opt"), ("mps2-an385", name)]
]
KERNEL_SYMBOLS = ["mce_conv2d_s8", "mce_depthwise_conv2d_s8", "mce_fully_connected_s8"]


# ---------------------------------------------------------------- helpers


def elf_symbols(path: Path) -> dict[str, tuple[int, int]]:
    """Symbol name -> (value, size), read with pyelftools."""
    from elftools.elf.elffile import ELFFile

    with path.open("rb") as f:
        tab = ELFFile(f).get_section_by_name(".symtab")
        return {s.name: (s["st_value"], s["st_size"]) for s in tab.iter_symbols() if s.name}


def qemu_ready_copy(elf: Path, dest: Path) -> Path:
    """Copy of the ELF with every file-less PT_LOAD header turned into PT_NULL (see above)."""
    data = bytearray(elf.read_bytes())
    (phoff,) = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    for i in range(phnum):
        off = phoff + i * phentsize
        p_type, _, _, _, p_filesz = struct.unpack_from("<5I", data, off)
        if p_type == 1 and p_filesz == 0:  # PT_LOAD without file bytes
            struct.pack_into("<I", data, off, 0)  # PT_NULL
    dest.write_bytes(bytes(data))
    return dest


def qemu(machine: str, elf: Path, *loaders: tuple[Path, int], timeout: float = 120):
    cmd = ["qemu-system-arm", "-M", machine, "-nographic", "-semihosting", "-kernel", str(elf)]
    for path, addr in loaders:
        cmd += ["-device", f"loader,file={path},addr={addr:#x}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


@cache
def runner_elf(machine: str, app: str, tmp: Path) -> tuple[Path, dict]:
    src = ELF_DIR / machine / f"{app}.elf"
    return qemu_ready_copy(src, tmp / f"{machine}-{app}.elf"), elf_symbols(src)


def header(
    model: bytes,
    input_bytes: int,
    output_max: int = 0,
    arena: int = 0,
    magic: bytes = b"MCER",
    version: int = 1,
) -> bytes:
    """The 32-byte MCER header (apps/runner/mce_runner.h)."""
    return magic + struct.pack("<7I", version, len(model), input_bytes, output_max, arena, 0, 0)


def run_runner(machine: str, app: str, tmp: Path, model: bytes, x: bytes, **hdr):
    """Run the runner on (model, input); returns (exit code, console text, output or None)."""
    elf, syms = runner_elf(machine, app, tmp)
    region = tmp / f"region-{machine}-{app}.bin"
    region.write_bytes(header(model, len(x), **hdr) + model)
    inp = tmp / f"input-{machine}-{app}.bin"
    inp.write_bytes(x if x else b"\0")
    rc, text = qemu(
        machine, elf, (region, syms["mce_runner_model"][0]), (inp, syms["mce_runner_input"][0])
    )
    m = re.search(r"mce-runner: ok .* output=([0-9a-f]*)\n", text)
    return rc, text, bytes.fromhex(m.group(1)) if m else None


def model_inputs(model: bytes) -> list[tuple[list[int], type]]:
    sg = fb.Model.GetRootAs(model, 0).Subgraphs(0)
    np_type = {TT.INT8: np.int8, TT.FLOAT32: np.float32, TT.INT32: np.int32}
    out = []
    for i in range(sg.InputsLength()):
        t = sg.Tensors(sg.Inputs(i))
        out.append(([int(d) for d in t.ShapeAsNumpy()], np_type[t.Type()]))
    return out


def as_inputs(model: bytes, raw: bytes) -> list[np.ndarray]:
    arrays, off = [], 0
    for shape, dtype in model_inputs(model):
        n = int(np.prod(shape)) * np.dtype(dtype).itemsize
        arrays.append(np.frombuffer(raw[off : off + n], dtype=dtype).reshape(shape))
        off += n
    assert off == len(raw)
    return arrays


def oracle(model: bytes, raw_input: bytes) -> bytes:
    outs = tflm_run(model, as_inputs(model, raw_input))
    return b"".join(np.ascontiguousarray(o).tobytes() for o in outs)


def model_cases() -> list[tuple[str, Path, bytes]]:
    """(id, model path, raw input): every shared model and input, every model of ours."""
    cases = []
    for name in SHARED if SHARED_MODELS.is_dir() else []:
        for n in range(4):
            x = np.load(SHARED_MODELS / f"{name}_input{n}.npy")
            cases.append((f"{name}-{n}", SHARED_MODELS / f"{name}.tflite", x.tobytes()))
    for name in OURS:
        raw = (OUR_MODELS / f"{name}_input.bin").read_bytes()
        cases.append((name, OUR_MODELS / f"{name}.tflite", raw))
    return cases


CASES = model_cases()


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qemu_engine")


@cache
def oracle_cached(path: Path, raw: bytes) -> bytes:
    return oracle(path.read_bytes(), raw)


# ---------------------------------------------------------------- the runner on every model


@pytest.mark.parametrize("machine,app", RUNNERS, ids=RUNNER_IDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_runner_output_equals_the_tflm_interpreter_byte_for_byte(tmp, machine, app, case):
    _, path, raw = case
    rc, text, out = run_runner(machine, app, tmp, path.read_bytes(), raw)
    assert rc == 0, text
    assert out == oracle_cached(path, raw), text
    kernels = "optimized-dsp" if app.endswith("-opt") else "reference"
    assert f"target={machine} kernels={kernels} " in text


@pytest.mark.parametrize("machine,app", RUNNERS, ids=RUNNER_IDS)
def test_runner_runs_in_exactly_the_arena_it_reports_and_refuses_one_byte_less(tmp, machine, app):
    model = (OUR_MODELS / "kws.tflite").read_bytes()
    x = (OUR_MODELS / "kws_input.bin").read_bytes()
    rc, text, out = run_runner(machine, app, tmp, model, x)
    assert rc == 0, text
    need = int(re.search(r"arena_needed=(\d+)", text).group(1))
    rc, text, exact = run_runner(machine, app, tmp, model, x, arena=need)
    assert rc == 0 and exact == out, text
    rc, text, _ = run_runner(machine, app, tmp, model, x, arena=need - 1)
    assert rc == 4 and "MCE_ERR_ARENA" in text and f"arena_needed={need}" in text, text


def test_optimized_kernels_need_more_arena_only_for_the_conv_scratch(tmp):
    model = (OUR_MODELS / "kws.tflite").read_bytes()
    x = (OUR_MODELS / "kws_input.bin").read_bytes()
    needs = {}
    for app in ("runner-ref", "runner-opt"):
        _, text, _ = run_runner("mps2-an386", app, tmp, model, x)
        needs[app] = int(re.search(r"arena_needed=(\d+)", text).group(1))
    # KWS: the 1x1 convolutions' im2col scratch, 2 * (2 * 64 + 8) bytes, on top of the
    # 16,000-byte plan (their input and output fill it at that point); the tables are the same
    assert needs["runner-opt"] - needs["runner-ref"] == 2 * (2 * 64 + 8)


@pytest.mark.parametrize(
    "hdr,exit_code,message",
    [
        ({"magic": b"XXXX"}, 1, "no valid MCER header"),
        ({"version": 2}, 1, "no valid MCER header"),
        ({"arena": 1 << 30}, 3, "arena_bytes beyond the static arena"),
        ({"output_max": 4}, 7, "outputs larger than output_bytes_max"),
    ],
    ids=["magic", "version", "arena-too-large", "output-max"],
)
def test_runner_rejects_a_bad_header_with_its_exit_code(tmp, hdr, exit_code, message):
    model = (OUR_MODELS / "kws.tflite").read_bytes()
    x = (OUR_MODELS / "kws_input.bin").read_bytes()
    rc, text, out = run_runner("mps2-an386", "runner-ref", tmp, model, x, **hdr)
    assert (rc, out) == (exit_code, None), text
    assert f"mce-runner: error {exit_code} " in text and message in text


def test_runner_rejects_an_input_of_the_wrong_size(tmp):
    model = (OUR_MODELS / "kws.tflite").read_bytes()
    rc, text, _ = run_runner("mps2-an385", "runner-ref", tmp, model, bytes(489))
    assert rc == 5 and "input_bytes differs" in text, text


def test_runner_names_an_unsupported_operator_and_its_index(tmp):
    mb = ModelBuilder()
    x = mb.tensor([1, 8], TT.INT8, 0.05, 0)
    y = mb.tensor([1, 8], TT.INT8, 1 / 128, 0)
    mb.op(Op.TANH, [x], [y])
    rc, text, _ = run_runner("mps2-an386", "runner-opt", tmp, mb.build([x], [y]), bytes(8))
    assert rc == 4, text
    assert "MCE_ERR_UNSUPPORTED_OP" in text and "TANH" in text and "operator index 0" in text


# ---------------------------------------------------------------- the model apps


@pytest.mark.parametrize("machine,app", MODEL_APPS, ids=[f"{m}/{a}" for m, a in MODEL_APPS])
def test_model_app_exits_0_and_prints_the_tflm_output(machine, app):
    name = app.removesuffix("-opt")
    rc, text = qemu(machine, ELF_DIR / machine / f"{app}.elf")
    assert rc == 0, text
    assert " reference=match" in text
    out = bytes.fromhex(re.search(rf"{name}: .* output=([0-9a-f]+) ", text).group(1))
    raw = (OUR_MODELS / f"{name}_input.bin").read_bytes()
    assert out == oracle_cached(OUR_MODELS / f"{name}.tflite", raw)
    assert out == (OUR_MODELS / f"{name}_output.bin").read_bytes()
    if name == "digits":
        t = (OUR_MODELS / "digits_test.bin").read_bytes()
        host_correct = struct.unpack_from("<H", t, 12)[0]
        assert f" correct={host_correct} host_correct={host_correct} " in text


def test_digits_firmware_accuracy_equals_the_interpreter_image_by_image():
    """The firmware's count equals TFLM's, and TFLM's count is the one stored in the file."""
    model = (OUR_MODELS / "digits.tflite").read_bytes()
    t = (OUR_MODELS / "digits_test.bin").read_bytes()
    n, (h, w, c) = struct.unpack_from("<H", t, 6)[0], t[8:11]
    size = h * w * c
    labels = t[16 + n * size : 16 + n * size + n]
    correct = 0
    for i in range(n):
        img = t[16 + i * size : 16 + (i + 1) * size]
        out = np.frombuffer(oracle(model, img), dtype=np.int8)
        correct += int(np.argmax(out) == labels[i])
    assert correct == struct.unpack_from("<H", t, 12)[0]
    rc, text = qemu("mps2-an386", ELF_DIR / "mps2-an386" / "digits-opt.elf")
    assert rc == 0 and f" correct={correct} " in text, text


# ---------------------------------------------------------------- the committed ELFs' flavours


def _disassembly(elf: Path, symbol: str) -> str:
    objdump = shutil.which("arm-none-eabi-objdump")
    if objdump is None:
        pytest.skip("arm-none-eabi-objdump not installed")
    p = subprocess.run(
        [objdump, "-d", f"--disassemble={symbol}", str(elf)],
        capture_output=True,
        text=True,
        check=True,
    )
    return p.stdout


@pytest.mark.parametrize("symbol", KERNEL_SYMBOLS)
def test_opt_build_has_the_same_kernel_symbols_and_they_use_dsp_instructions(symbol):
    ref = ELF_DIR / "mps2-an386" / "runner-ref.elf"
    opt = ELF_DIR / "mps2-an386" / "runner-opt.elf"
    assert symbol in elf_symbols(ref) and symbol in elf_symbols(opt)
    dsp = re.compile(r"\t(smlad|smlabb|smlatt|sxtb16|sxtab16)\b")
    assert dsp.search(_disassembly(opt, symbol))
    assert not dsp.search(_disassembly(ref, symbol))


def test_no_opt_build_exists_for_cores_without_dsp():
    for target in ("mps2-an385", "stm32f103", "rp2040"):
        assert not list((ELF_DIR / target).glob("*-opt.elf"))
        assert (ELF_DIR / target / "runner-ref.elf").is_file()


def test_runner_regions_are_nobits_at_the_end_of_flash_with_the_documented_header_room():
    syms = elf_symbols(ELF_DIR / "mps2-an386" / "runner-opt.elf")
    addr, size = syms["mce_runner_model"]
    assert addr + size == 0x00400000 and addr % 16 == 0  # 4 MiB code memory
    for name in ("mce_runner_input", "mce_runner_output", "mce_runner_status"):
        assert 0x20000000 <= syms[name][0] < 0x20400000
    assert syms["mce_runner_input"][0] % 16 == 0 and syms["mce_runner_output"][0] % 16 == 0
    assert syms["mce_runner_status"][1] == 44


# ---------------------------------------------------------------- optimized kernels, host build


@pytest.fixture(scope="module")
def mce_run_opt(tmp_path_factory) -> Path:
    return build_harness(tmp_path_factory.mktemp("mce_build_opt"), "host-opt")


def _conv_model(rng, c, oc, k, stride, pad, groups=1, dil=1, h=9, w=7):
    fc = c // groups
    in_s, in_zp = 0.05, int(rng.integers(-128, 128))
    w_s = np.exp(rng.uniform(np.log(1e-3), np.log(0.05), size=oc)).astype(np.float32)
    out_s, out_zp = float(in_s * w_s.mean() * 40 * np.sqrt(k * k * fc)), int(rng.integers(-20, 20))
    eff = (k - 1) * dil + 1
    oh = (h + stride - 1) // stride if pad == fb.Padding.SAME else (h - eff) // stride + 1
    ow = (w + stride - 1) // stride if pad == fb.Padding.SAME else (w - eff) // stride + 1
    mb = ModelBuilder()
    x = mb.tensor([1, h, w, c], TT.INT8, in_s, in_zp)
    wt = mb.tensor(
        [oc, k, k, fc], TT.INT8, w_s, 0, data=rng.integers(-128, 128, size=(oc, k, k, fc)), qdim=0
    )
    bias = mb.tensor([oc], TT.INT32, in_s * w_s, 0, data=rng.integers(-5000, 5000, size=oc), qdim=0)
    y = mb.tensor([1, oh, ow, oc], TT.INT8, out_s, out_zp)
    mb.op(
        Op.CONV_2D,
        [x, wt, bias],
        [y],
        Opt.Conv2DOptions,
        options(
            fb.Conv2DOptionsT,
            padding=pad,
            strideW=stride,
            strideH=stride,
            fusedActivationFunction=1,
            dilationWFactor=dil,
            dilationHFactor=dil,
        ),
    )
    return mb.build([x], [y]), rng.integers(-128, 128, size=(1, h, w, c)).astype(np.int8)


def _dw_model(rng, c, dm, k, stride, pad, h=9, w=7):
    oc = c * dm
    in_s, in_zp = 0.05, int(rng.integers(-128, 128))
    w_s = np.exp(rng.uniform(np.log(1e-3), np.log(0.05), size=oc)).astype(np.float32)
    out_s, out_zp = float(in_s * w_s.mean() * 40 * k), int(rng.integers(-20, 20))
    oh = (h + stride - 1) // stride if pad == fb.Padding.SAME else (h - k) // stride + 1
    ow = (w + stride - 1) // stride if pad == fb.Padding.SAME else (w - k) // stride + 1
    mb = ModelBuilder()
    x = mb.tensor([1, h, w, c], TT.INT8, in_s, in_zp)
    wt = mb.tensor(
        [1, k, k, oc], TT.INT8, w_s, 0, data=rng.integers(-128, 128, size=(1, k, k, oc)), qdim=3
    )
    bias = mb.tensor([oc], TT.INT32, in_s * w_s, 0, data=rng.integers(-5000, 5000, size=oc), qdim=0)
    y = mb.tensor([1, oh, ow, oc], TT.INT8, out_s, out_zp)
    mb.op(
        Op.DEPTHWISE_CONV_2D,
        [x, wt, bias],
        [y],
        Opt.DepthwiseConv2DOptions,
        options(
            fb.DepthwiseConv2DOptionsT,
            padding=pad,
            strideW=stride,
            strideH=stride,
            depthMultiplier=dm,
            fusedActivationFunction=0,
        ),
    )
    return mb.build([x], [y]), rng.integers(-128, 128, size=(1, h, w, c)).astype(np.int8)


def _fc_model(rng, batches, depth, units, w_zp, per_channel):
    in_s, in_zp = 0.05, int(rng.integers(-128, 128))
    w_s = np.exp(rng.uniform(np.log(1e-3), np.log(0.05), size=units if per_channel else 1))
    w_s = w_s.astype(np.float32)
    out_s, out_zp = float(in_s * w_s.mean() * 60 * np.sqrt(depth)), int(rng.integers(-20, 20))
    mb = ModelBuilder()
    x = mb.tensor([batches, depth], TT.INT8, in_s, in_zp)
    wt = mb.tensor(
        [units, depth],
        TT.INT8,
        w_s,
        0 if per_channel else w_zp,
        data=rng.integers(-128, 128, size=(units, depth)),
    )
    bias = mb.tensor([units], TT.INT32, in_s * w_s, 0, data=rng.integers(-5000, 5000, size=units))
    y = mb.tensor([batches, units], TT.INT8, out_s, out_zp)
    mb.op(
        Op.FULLY_CONNECTED,
        [x, wt, bias],
        [y],
        Opt.FullyConnectedOptions,
        options(fb.FullyConnectedOptionsT, fusedActivationFunction=0),
    )
    return mb.build([x], [y]), rng.integers(-128, 128, size=(batches, depth)).astype(np.int8)


SAME, VALID = fb.Padding.SAME, fb.Padding.VALID
# Geometries that reach every path of the optimized kernels: channel counts that are and are
# not multiples of 4 (fast/generic im2col, K % 4 tails), odd/even output channels and pixel
# counts, grouped convolution, strides, dilation, padding; depthwise multipliers 1 and 2.
CONV_GEOMS = [
    (4, 8, 3, 1, SAME, 1, 1),
    (16, 16, 3, 2, SAME, 1, 1),
    (3, 5, 3, 1, VALID, 1, 1),
    (8, 7, 1, 1, VALID, 1, 1),
    (64, 6, 1, 1, SAME, 1, 1),
    (1, 9, 5, 2, SAME, 1, 1),
    (8, 8, 3, 1, SAME, 2, 1),
    (12, 6, 3, 1, SAME, 3, 1),
    (4, 4, 3, 1, SAME, 1, 2),
    (6, 3, 2, 3, VALID, 1, 1),
]
DW_GEOMS = [
    (4, 1, 3, 1, SAME),
    (16, 1, 3, 2, SAME),
    (7, 1, 3, 1, VALID),
    (5, 2, 3, 1, SAME),
    (64, 1, 5, 1, SAME),
    (3, 3, 2, 2, VALID),
]
FC_GEOMS = [
    (1, 64, 12, 0, False),
    (2, 67, 9, 5, False),
    (1, 640, 128, -3, True),
    (3, 3, 2, 0, True),
    (1, 128, 1, 127, False),
]


def _single_op_cases():
    cases = []
    for i, g in enumerate(CONV_GEOMS):
        cases.append((f"conv{i}", "conv", g))
    for i, g in enumerate(DW_GEOMS):
        cases.append((f"dw{i}", "dw", g))
    for i, g in enumerate(FC_GEOMS):
        cases.append((f"fc{i}", "fc", g))
    return cases


SINGLE_OP = _single_op_cases()


def _build_single_op(kind, geom, seed):
    rng = np.random.default_rng(seed)
    if kind == "conv":
        c, oc, k, s, pad, groups, dil = geom
        return _conv_model(rng, c, oc, k, s, pad, groups, dil)
    if kind == "dw":
        return _dw_model(rng, *geom)
    return _fc_model(rng, *geom)


@pytest.mark.parametrize("case", SINGLE_OP, ids=[c[0] for c in SINGLE_OP])
def test_optimized_kernels_host_build_match_tflm_on_wide_geometries(mce_run_opt, tmp_path, case):
    _, kind, geom = case
    for seed in range(3):
        model, x = _build_single_op(kind, geom, 7000 + seed)
        r = run_engine(mce_run_opt, model, [x], tmp_path)
        assert r.returncode == 0, r.stderr
        assert r.output == oracle(model, x.tobytes()), f"seed {seed}"


@pytest.mark.skipif(not SHARED_MODELS.is_dir(), reason="../shared/models not present")
@pytest.mark.parametrize("name", SHARED)
def test_optimized_kernels_host_build_match_tflm_on_the_mlperf_models(mce_run_opt, tmp_path, name):
    for n in range(4):
        x = np.load(SHARED_MODELS / f"{name}_input{n}.npy")
        r = run_engine(mce_run_opt, SHARED_MODELS / f"{name}.tflite", [x], tmp_path)
        assert r.returncode == 0, r.stderr
        assert r.output == oracle_cached(SHARED_MODELS / f"{name}.tflite", x.tobytes())


# ---------------------------------------------------------------- slow: single ops in QEMU


@pytest.mark.slow
@pytest.mark.parametrize("machine,app", RUNNERS, ids=RUNNER_IDS)
@pytest.mark.parametrize("case", SINGLE_OP, ids=[c[0] for c in SINGLE_OP])
def test_runner_matches_tflm_on_single_op_models_with_the_real_dsp_instructions(
    tmp, machine, app, case
):
    _, kind, geom = case
    for seed in range(3):
        model, x = _build_single_op(kind, geom, 7000 + seed)
        rc, text, out = run_runner(machine, app, tmp, model, x.tobytes())
        assert rc == 0, text
        assert out == oracle(model, x.tobytes()), f"seed {seed}: {text}"


@pytest.mark.slow
@pytest.mark.parametrize("machine,app", RUNNERS, ids=RUNNER_IDS)
def test_runner_matches_tflm_on_every_digits_test_image(tmp, machine, app):
    model = (OUR_MODELS / "digits.tflite").read_bytes()
    t = (OUR_MODELS / "digits_test.bin").read_bytes()
    n, size = struct.unpack_from("<H", t, 6)[0], t[8] * t[9] * t[10]
    for i in range(n):
        img = t[16 + i * size : 16 + (i + 1) * size]
        rc, text, out = run_runner(machine, app, tmp, model, img)
        assert rc == 0 and out == oracle(model, img), f"image {i}: {text}"
