"""The sample models in firmware_samples/models/ against the tflite-micro interpreter.

For every model: our engine's host build gives exactly the interpreter's output on the committed
reference input and on seeded random inputs; the committed reference output is the
interpreter's; the card's MAC count, file size and sha256 match the .tflite. For digits, the
engine classifies the images of digits_test.bin exactly as the interpreter does.
"""

import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tflite_micro.python.tflite_micro import runtime

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "firmware_samples" / "models"
ENGINE = REPO / "firmware_samples" / "engine"
NAMES = ["sine", "digits", "kws", "vision", "anomaly"]
RANDOM_SEEDS = [0, 1, 2]

sys.path.insert(0, str(MODELS))
import stats  # noqa: E402

ENGINE_OPS = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
    "ADD",
    "MUL",
    "RESHAPE",
    "SQUEEZE",
    "SOFTMAX",
    "LOGISTIC",
    "QUANTIZE",
    "DEQUANTIZE",
    "CONCATENATION",
    "PAD",
    "PADV2",
}


def _variants() -> list[str]:
    """`host`, plus `host-opt` when the engine's Makefile has that target."""
    mk = (ENGINE / "Makefile").read_text()
    return ["host"] + (["host-opt"] if re.search(r"^host-opt:", mk, re.M) else [])


@pytest.fixture(scope="module", params=_variants())
def mce_run(request, tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp(f"mce_{request.param}")
    p = subprocess.run(
        ["make", "-s", "-C", str(ENGINE), request.param, f"BUILD={build}"],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    return build / request.param / "mce_run"


def _engine(exe: Path, model: Path, x: np.ndarray, tmp: Path) -> bytes:
    (tmp / "in.bin").write_bytes(np.ascontiguousarray(x, np.int8).tobytes())
    out = tmp / "out.bin"
    out.unlink(missing_ok=True)
    p = subprocess.run(
        [str(exe), str(model), str(tmp / "in.bin"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    return out.read_bytes()


class _Tflm:
    """One interpreter per model (reference kernels), reused across invocations."""

    cache: dict = {}

    @classmethod
    def get(cls, name: str):
        if name not in cls.cache:
            blob = (MODELS / f"{name}.tflite").read_bytes()
            st = stats.model_stats(blob)
            cls.cache[name] = (runtime.Interpreter.from_bytes(blob, arena_size=4 << 20), st)
        return cls.cache[name]

    @classmethod
    def run(cls, name: str, x: np.ndarray) -> bytes:
        interp, st = cls.get(name)
        interp.set_input(np.asarray(x, np.int8).reshape(st["inputs"][0]["shape"]), 0)
        interp.invoke()
        return np.asarray(interp.get_output(0)).astype(np.int8).tobytes()


def _ref_input(name: str) -> np.ndarray:
    _, st = _Tflm.get(name)
    x = np.frombuffer((MODELS / f"{name}_input.bin").read_bytes(), np.int8)
    assert x.size == int(np.prod(st["inputs"][0]["shape"])), "input file size != input tensor"
    return x


def _random_input(name: str, seed: int) -> np.ndarray:
    _, st = _Tflm.get(name)
    n = int(np.prod(st["inputs"][0]["shape"]))
    return np.random.default_rng(seed).integers(-128, 128, n).astype(np.int8)


@pytest.mark.parametrize("name", NAMES)
def test_engine_equals_interpreter_on_the_reference_input(mce_run, tmp_path, name):
    x = _ref_input(name)
    assert _engine(mce_run, MODELS / f"{name}.tflite", x, tmp_path) == _Tflm.run(name, x)


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
@pytest.mark.parametrize("name", NAMES)
def test_engine_equals_interpreter_on_seeded_random_inputs(mce_run, tmp_path, name, seed):
    x = _random_input(name, seed)
    assert _engine(mce_run, MODELS / f"{name}.tflite", x, tmp_path) == _Tflm.run(name, x)


@pytest.mark.parametrize("name", NAMES)
def test_committed_reference_output_is_the_interpreters(name):
    assert (MODELS / f"{name}_output.bin").read_bytes() == _Tflm.run(name, _ref_input(name))


@pytest.mark.parametrize("name", NAMES)
def test_card_matches_the_model_file(name):
    card = (MODELS / f"{name}.md").read_text()
    blob = (MODELS / f"{name}.tflite").read_bytes()
    st = stats.model_stats(blob)
    macs = re.search(r"MACs per inference: \*\*([\d,]+)\*\*", card)
    assert macs, "card has no 'MACs per inference: **N**' line"
    assert int(macs.group(1).replace(",", "")) == st["macs"]
    params = re.search(r"Parameters: \*\*([\d,]+)\*\*", card)
    assert params and int(params.group(1).replace(",", "")) == st["params"]
    import hashlib

    assert f"{len(blob):,} bytes, sha256 `{hashlib.sha256(blob).hexdigest()}`" in card


@pytest.mark.parametrize("name", NAMES)
def test_model_is_int8_in_and_out_and_uses_only_engine_operators(name):
    st = stats.model_stats(MODELS / f"{name}.tflite")
    assert {o["op"] for o in st["ops"]} <= ENGINE_OPS
    assert st["inputs"][0]["type"] == "INT8" and st["outputs"][0]["type"] == "INT8"


def test_mac_counts_of_the_mlperf_shaped_models_equal_the_mlperf_references():
    # /work/shared/models/README.md: KWS DS-CNN 2,656,768 MACs, AD autoencoder 264,192 MACs.
    assert stats.model_stats(MODELS / "kws.tflite")["macs"] == 2_656_768
    assert stats.model_stats(MODELS / "anomaly.tflite")["macs"] == 264_192


def test_size_limits():
    assert (MODELS / "vision.tflite").stat().st_size < 300 * 1024
    assert (MODELS / "kws.tflite").stat().st_size < 60 * 1024


def _digits_test_bin():
    raw = (MODELS / "digits_test.bin").read_bytes()
    magic, version, n, h, w, c, classes, correct, _ = struct.unpack_from("<4sHHBBBBHH", raw)
    assert (magic, version, (h, w, c), classes) == (b"MCDG", 1, (8, 8, 1), 10)
    size = h * w * c
    assert len(raw) == 16 + n * size + n
    images = np.frombuffer(raw, np.int8, n * size, 16).reshape(n, size)
    labels = np.frombuffer(raw, np.uint8, n, 16 + n * size)
    return images, labels, correct


def test_digits_test_bin_count_is_the_interpreters():
    images, labels, correct = _digits_test_bin()
    pred = [int(np.argmax(np.frombuffer(_Tflm.run("digits", im), np.int8))) for im in images]
    assert int(np.sum(np.array(pred) == labels)) == correct


def test_engine_classifies_digits_test_bin_like_the_interpreter(mce_run, tmp_path):
    images, labels, correct = _digits_test_bin()
    model = MODELS / "digits.tflite"
    ours = [
        int(np.argmax(np.frombuffer(_engine(mce_run, model, im, tmp_path), np.int8)))
        for im in images
    ]
    theirs = [int(np.argmax(np.frombuffer(_Tflm.run("digits", im), np.int8))) for im in images]
    assert ours == theirs
    assert int(np.sum(np.array(ours) == labels)) == correct
