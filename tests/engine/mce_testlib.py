"""Test helpers for the mce engine: paths, host-harness runner, TFLM oracle, tiny model builder.

Single-op .tflite models are built with the `flatbuffers` package and the TFLite schema's
generated Python object API that ships inside the `tflite-micro` wheel (test-only
dependencies; nothing here is used by the engine itself).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import flatbuffers
import numpy as np
import pytest
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

REPO = Path(__file__).resolve().parents[2]
ENGINE_DIR = REPO / "firmware_samples" / "engine"
OWN_MODELS_DIR = REPO / "firmware_samples" / "models"
MODELS_DIR = REPO.parent / "shared" / "models"  # MLPerf Tiny models: beside our CI, not a clone
SHARED_MODEL_NAMES = ["kws_ref_model", "ad01_int8", "pretrainedResnet_quant"]
OWN_MODEL_NAMES = ["sine", "digits", "kws", "vision", "anomaly"]
SHARED_MISSING = (
    "../shared/models not present (a clone with nothing beside it); "
    "the project's own models in firmware_samples/models run the same checks"
)


def _param(name: str, *rest):
    """A pytest param for a model (and more values); a shared model skips when it is absent."""
    marks = []
    if name in SHARED_MODEL_NAMES and not MODELS_DIR.is_dir():
        marks = [pytest.mark.skip(reason=SHARED_MISSING)]
    return pytest.param(name, *rest, marks=marks, id="-".join(str(v) for v in (name, *rest)))


# Every engine test runs on our own models and on the MLPerf Tiny ones.
MODEL_PARAMS = [_param(m) for m in OWN_MODEL_NAMES + SHARED_MODEL_NAMES]


def model_path(name: str) -> Path:
    """The .tflite of one of our models or of a shared one."""
    if name in OWN_MODEL_NAMES:
        return OWN_MODELS_DIR / f"{name}.tflite"
    return MODELS_DIR / f"{name}.tflite"


def reference_cases(name: str) -> int:
    """How many stored (input, output) reference pairs a model has."""
    return 1 if name in OWN_MODEL_NAMES else 4


def reference_pair(name: str, n: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The ``n``-th stored reference input and output (int8) of a model."""
    if name in OWN_MODEL_NAMES:
        x = np.fromfile(OWN_MODELS_DIR / f"{name}_input.bin", dtype=np.int8)
        ref = np.fromfile(OWN_MODELS_DIR / f"{name}_output.bin", dtype=np.int8)
        shape = runtime.Interpreter.from_bytes(
            model_path(name).read_bytes(), arena_size=1 << 21
        ).get_input_details(0)["shape"]
        return x.reshape(shape), ref
    x = np.load(MODELS_DIR / f"{name}_input{n}.npy")
    ref = np.load(MODELS_DIR / f"{name}_output{n}.npy")
    return x, ref.astype(np.int8)


REFERENCE_PARAMS = [
    _param(m, n) for m in OWN_MODEL_NAMES + SHARED_MODEL_NAMES for n in range(reference_cases(m))
]

Op = fb.BuiltinOperator
Opt = fb.BuiltinOptions
TT = fb.TensorType

NP_TYPE = {TT.INT8: np.int8, TT.INT32: np.int32, TT.FLOAT32: np.float32, TT.INT16: np.int16}


def build_harness(build_dir: Path, target: str = "host") -> Path:
    """Build the host harness with the engine Makefile into build_dir; return the binary."""
    subprocess.run(
        ["make", "-s", "-C", str(ENGINE_DIR), target, f"BUILD={build_dir}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return build_dir / target / "mce_run"


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    output: bytes | None


def run_engine(
    exe: Path,
    model: bytes | Path,
    inputs: list[np.ndarray] | None,
    tmp: Path,
    arena: int | None = None,
    env: dict | None = None,
    timeout: float = 60,
) -> RunResult:
    """Run mce_run on a model (bytes or path) with the given inputs (None: zero inputs)."""
    if isinstance(model, (bytes, bytearray)):
        model_path = tmp / "model.tflite"
        model_path.write_bytes(bytes(model))
    else:
        model_path = Path(model)
    if inputs is None:
        in_arg = "-"
    else:
        in_path = tmp / "input.bin"
        in_path.write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for x in inputs))
        in_arg = str(in_path)
    out_path = tmp / "output.bin"
    if out_path.exists():
        out_path.unlink()
    cmd = [str(exe), str(model_path), in_arg, str(out_path)]
    if arena is not None:
        cmd += ["--arena", str(arena)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    out = out_path.read_bytes() if p.returncode == 0 and out_path.exists() else None
    return RunResult(p.returncode, p.stdout, p.stderr, out)


def tflm_run(model: bytes, inputs: list[np.ndarray], arena_size: int = 1 << 21) -> list[np.ndarray]:
    """Reference: the tflite-micro Python interpreter (reference kernels)."""
    interp = runtime.Interpreter.from_bytes(bytes(model), arena_size=arena_size)
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    n_out = fb.Model.GetRootAs(bytes(model), 0).Subgraphs(0).OutputsLength()
    return [np.array(interp.get_output(i)) for i in range(n_out)]


@dataclass
class ModelBuilder:
    """Builds a one-subgraph TFLite model with the schema object API."""

    tensors: list = field(default_factory=list)
    buffers: list = field(default_factory=lambda: [fb.BufferT()])
    opcodes: list = field(default_factory=list)
    operators: list = field(default_factory=list)

    def tensor(
        self, shape, ttype=TT.INT8, scale=None, zero_point=None, data=None, qdim=0, name=None
    ) -> int:
        t = fb.TensorT()
        t.shape = list(int(d) for d in shape)
        t.type = ttype
        t.name = name or f"t{len(self.tensors)}"
        if data is not None:
            b = fb.BufferT()
            arr = np.ascontiguousarray(np.asarray(data, dtype=NP_TYPE[ttype]).reshape(shape))
            b.data = np.frombuffer(arr.tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        else:
            t.buffer = 0
        if scale is not None:
            q = fb.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            zps = np.atleast_1d(0 if zero_point is None else zero_point)
            if len(zps) == 1 and len(q.scale) > 1:
                zps = np.zeros(len(q.scale), dtype=np.int64)
            q.zeroPoint = [int(z) for z in zps]
            q.quantizedDimension = qdim
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None) -> None:
        codes = [c.builtinCode for c in self.opcodes]
        if code not in codes:
            oc = fb.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, 127)
            oc.version = 1
            self.opcodes.append(oc)
            codes.append(code)
        o = fb.OperatorT()
        o.opcodeIndex = codes.index(code)
        o.inputs = list(inputs)
        o.outputs = list(outputs)
        o.builtinOptionsType = options_type
        o.builtinOptions = options
        self.operators.append(o)

    def build(self, inputs, outputs) -> bytes:
        sg = fb.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(inputs)
        sg.outputs = list(outputs)
        sg.operators = self.operators
        sg.name = "main"
        m = fb.ModelT()
        m.version = 3
        m.operatorCodes = self.opcodes
        m.subgraphs = [sg]
        m.buffers = self.buffers
        m.description = "mce test model"
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def options(cls, **kw):
    """Instantiate an options object (e.g. fb.Conv2DOptionsT) with fields set."""
    o = cls()
    for k, v in kw.items():
        if not hasattr(o, k):
            raise AttributeError(f"{cls.__name__} has no field {k}")
        setattr(o, k, v)
    return o


def buffer_data_ranges(model: bytes) -> list[tuple[int, int]]:
    """Byte ranges [start, end) of every buffer's data vector (the weights)."""
    m = fb.Model.GetRootAs(model, 0)
    ranges = []
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        o = b._tab.Offset(4)
        if o:
            start = b._tab.Vector(o)
            ranges.append((start, start + b._tab.VectorLen(o)))
    return ranges


def tflm_arena_head(model: Path) -> int:
    """Bytes of planned (non-persistent) activation buffers that tflite-micro's
    RecordingMicroAllocator reports for ``model`` ("Arena allocation head"). The interpreter
    prints it from C, so it runs in a child process whose output is read."""
    code = (
        "import sys\n"
        "from tflite_micro.python.tflite_micro import runtime\n"
        "i = runtime.Interpreter.from_file(sys.argv[1], arena_size=1 << 21)\n"
        "i.print_allocations()\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, str(model)], capture_output=True, text=True, check=True
    )
    out = p.stdout + p.stderr
    return int(re.search(r"Arena allocation head (\d+) bytes", out).group(1))
