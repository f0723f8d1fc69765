"""Shared plumbing for the make_<name>.py scripts (development-time only, run in the TF venv).

Seeding and determinism, int8 conversion, the tflite-micro oracle, the engine's arena report,
and the model card. Nothing here is imported by mcusim itself.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent
REPO = MODELS_DIR.parents[1]
ENGINE_DIR = REPO / "firmware_samples" / "engine"

sys.path.insert(0, str(MODELS_DIR))
import stats  # noqa: E402

# Builtin operators firmware_samples/engine runs (its README's kernel table).
ENGINE_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D",
              "MAX_POOL_2D", "ADD", "MUL", "RESHAPE", "SQUEEZE", "SOFTMAX", "LOGISTIC",
              "QUANTIZE", "DEQUANTIZE", "CONCATENATION", "PAD", "PADV2"}


def parse_args(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    ap.add_argument("--out", type=Path, default=MODELS_DIR,
                    help="folder to write the model, card and .bin files into (default: here)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    return a


def init_tf(seed: int):
    """Import TensorFlow set up for reproducible runs; return (tf, keras).

    oneDNN's fused kernels are switched off (their float results depend on the CPU's vector
    extensions), both thread pools get one thread (no reduction order that depends on
    scheduling), every RNG is seeded and TF's op determinism is on.
    """
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    os.environ["PYTHONHASHSEED"] = str(seed)  # for any child process; ours is already running
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(seed)  # python random, numpy, tf
    tf.config.experimental.enable_op_determinism()
    return tf, keras


def _batch1(keras, model, input_shape):
    """A copy of the model whose input has batch size 1 (no dynamic-shape ops on conversion)."""
    m1 = keras.models.clone_model(model, input_tensors=keras.Input(input_shape, batch_size=1))
    m1.set_weights(model.get_weights())
    return m1


def _converter(tf, keras, model, input_shape):
    return tf.lite.TFLiteConverter.from_keras_model(_batch1(keras, model, input_shape))


def convert_int8(tf, keras, model, input_shape, representative: np.ndarray) -> bytes:
    """Full-integer conversion, batch 1, int8 input and output."""
    conv = _converter(tf, keras, model, input_shape)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def rep():
        for s in representative:
            yield [np.asarray(s, np.float32).reshape(1, *input_shape)]

    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = bytes(conv.convert())
    check_ops(blob)
    return blob


def convert_float(tf, keras, model, input_shape) -> bytes:
    """Plain float32 conversion (for measuring float accuracy in the TFLM interpreter)."""
    return bytes(_converter(tf, keras, model, input_shape).convert())


def check_ops(blob: bytes) -> None:
    bad = sorted({o["op"] for o in stats.model_stats(blob)["ops"]} - ENGINE_OPS)
    if bad:
        raise SystemExit(f"converter emitted operators the engine does not run: {bad}")


class Tflm:
    """The tflite-micro Python interpreter (reference kernels) on one model."""

    def __init__(self, blob: bytes, arena_size: int = 4 << 20):
        from tflite_micro.python.tflite_micro import runtime

        self.blob = bytes(blob)
        self.interp = runtime.Interpreter.from_bytes(self.blob, arena_size=arena_size)
        st = stats.model_stats(self.blob)
        self.inp, self.out = st["inputs"][0], st["outputs"][0]

    def run(self, x: np.ndarray) -> np.ndarray:
        dt = np.int8 if self.inp["type"] == "INT8" else np.float32
        self.interp.set_input(np.asarray(x, dt).reshape(self.inp["shape"]), 0)
        self.interp.invoke()
        return np.array(self.interp.get_output(0))

    def quantize(self, xf: np.ndarray) -> np.ndarray:
        q = self.inp["quant"]
        v = np.round(np.asarray(xf, np.float64) / q["scale"][0]) + q["zero_point"][0]
        return np.clip(v, -128, 127).astype(np.int8)

    def dequantize(self, y: np.ndarray) -> np.ndarray:
        q = self.out["quant"]
        return (np.asarray(y, np.float64) - q["zero_point"][0]) * q["scale"][0]


_HARNESS: dict = {}


def engine_harness() -> tuple[Path, str]:
    """Build the engine's host harness from the last commit (HEAD) into a private folder.

    Building from `git archive HEAD` rather than the working tree keeps the arena numbers in
    the cards tied to a named engine commit, whatever is being edited in the checkout.
    Returns (mce_run path, short hash of the last commit that changed the engine's sources).
    """
    if not _HARNESS:
        import tempfile

        # The last commit that changed what gets compiled (not the engine's README or tests).
        src = [f"firmware_samples/engine/{g}" for g in ("*.c", "*.h", "*.S", "Makefile")]
        commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h", "--", *src],
                                check=True, capture_output=True, text=True).stdout.strip()
        tmp = Path(tempfile.mkdtemp(prefix="mce_models_"))
        tar = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD", "firmware_samples/engine"],
                             check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=tar, check=True)
        src = tmp / "firmware_samples" / "engine"
        subprocess.run(["make", "-s", "-C", str(src), "host", f"BUILD={tmp / 'build'}"],
                       check=True, capture_output=True)
        _HARNESS.update(exe=tmp / "build" / "host" / "mce_run", commit=commit)
    return _HARNESS["exe"], _HARNESS["commit"]


def engine_arena(model_path: Path) -> dict:
    """Arena report of the engine's host harness (x86-64 build) for a model."""
    exe, commit = engine_harness()
    p = subprocess.run([str(exe), str(model_path), "-", "-"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"mce_run failed on {model_path}: {p.stderr}")
    d = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", p.stdout)}
    d["commit"] = commit
    return d


def versions() -> dict:
    import keras
    import tensorflow as tf

    v = {"python": platform.python_version(), "tensorflow": tf.__version__,
         "keras": keras.__version__, "numpy": np.__version__}
    try:
        import sklearn

        v["scikit-learn"] = sklearn.__version__
    except ImportError:
        pass
    from importlib.metadata import version

    v["tflite-micro"] = version("tflite-micro")
    return v


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


class Timer:
    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        print(f"{self.what}: {time.monotonic() - self.t0:.1f} s", flush=True)


def write_outputs(out: Path, name: str, blob: bytes, ref_in: np.ndarray) -> np.ndarray:
    """Write <name>.tflite, <name>_input.bin and <name>_output.bin (TFLM's output)."""
    (out / f"{name}.tflite").write_bytes(blob)
    ref_in = np.asarray(ref_in, np.int8)
    ref_out = Tflm(blob).run(ref_in).astype(np.int8)
    (out / f"{name}_input.bin").write_bytes(ref_in.tobytes())
    (out / f"{name}_output.bin").write_bytes(ref_out.tobytes())
    return ref_out


def _fmt_quant(io: dict) -> str:
    q = io["quant"]
    qs = f", scale {q['scale'][0]:.8g}, zero point {q['zero_point'][0]}" if q else ""
    return f"`{'x'.join(map(str, io['shape']))}` {io['type'].lower()}{qs}"


REPRODUCIBLE = """
Reproducible: **yes**. Running the script again writes byte-identical files (the .tflite and
the .bin files; this card too while the engine commit that the arena line names is unchanged);
checked by running every script twice and with `check_reproducible.py`, which re-runs a script
into a temporary folder and compares. Training runs on one CPU thread with oneDNN off, every
random generator seeded and TensorFlow's op determinism on, and the TFLite converter's output
depends only on the weights and the calibration data. Another CPU family (different vector
instructions) or other TensorFlow/numpy versions may round floats differently during training
and give other bytes; the tests do not depend on that, they compare our engine with the
interpreter on whatever is committed.
"""


def write_card(out: Path, name: str, *, title: str, summary: str, architecture: str,
               data: str, accuracy: str, ref_io: str,
               keras_params: int, params_note: str = "", extra: str = "") -> dict:
    """Write <name>.md from the script's prose plus everything measured from the files."""
    blob = (out / f"{name}.tflite").read_bytes()
    st = stats.model_stats(blob)
    arena = engine_arena(out / f"{name}.tflite")
    ver = versions()
    ops = ", ".join(f"{k} ×{v}" for k, v in st["op_counts"].items())
    text = f"""# {name}: {title}

{summary.strip()}

## Numbers

- File: `{name}.tflite`, {st['file_bytes']:,} bytes, sha256 `{sha256(blob)}`
- Input: {_fmt_quant(st['inputs'][0])}
- Output: {_fmt_quant(st['outputs'][0])}
- Operators ({len(st['ops'])}): {ops}
- MACs per inference: **{st['macs']:,}** (`python stats.py {name}.tflite`)
- Parameters: **{st['params']:,}** elements in constant tensors of the .tflite ({st['constant_bytes']:,} bytes: int8 weights, int32 biases and any other constants); the Keras model has {keras_params:,} parameters {params_note}
- Arena: **{arena['arena_needed']:,} bytes** reported by our engine's host harness at engine commit `{arena['commit']}` (`make -C firmware_samples/engine host`, then `firmware_samples/engine/build/host/mce_run {name}.tflite - -`): activations {arena['activation']:,} bytes, persistent tables {arena['persistent']:,} bytes. The harness is an x86-64 build, whose tables hold 64-bit pointers; on a 32-bit Cortex-M the activation part is the same and the table part is smaller.

## Architecture

{architecture.strip()}

Operators as converted (`stats.py`; constants are weights and biases, shapes are NHWC):

{stats.markdown_ops(st)}

## Data and training

{data.strip()}

## Accuracy

{accuracy.strip()}

## Reference input and output

{ref_io.strip()}

{extra.strip()}

## Reproducing

`/tmp/tfenv/bin/python firmware_samples/models/make_{name}.py` (from the repository root, in a
venv made from `requirements-dev.txt`; see README.md). Versions used for the committed files:
{", ".join(f"{k} {v}" for k, v in ver.items())}; {platform.machine()} Linux.

{REPRODUCIBLE.strip()}
"""
    text = re.sub(r"\n{3,}", "\n\n", text)
    (out / f"{name}.md").write_text(text)
    return {"stats": st, "arena": arena}
