"""Each operator of a ``.tflite`` with what its kernel's cost depends on (L4): tensor shapes,
types and the builtin options (padding, strides, dilation, window, depth multiplier).

Built on :mod:`mcusim.tflite` (our flatbuffer reader); stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcusim.errors import InputError
from mcusim.tflite.flatbuf import Buffer, FlatbufferError
from mcusim.tflite.model import Model, parse_model

# BuiltinOptions field indices of the public TFLite schema (schema.fbs field order)
_CONV = {"padding": (0, "b", 0), "stride_w": (1, "i", 1), "stride_h": (2, "i", 1),
         "act": (3, "b", 0), "dil_w": (4, "i", 1), "dil_h": (5, "i", 1)}  # fmt: skip
_DW = {"padding": (0, "b", 0), "stride_w": (1, "i", 1), "stride_h": (2, "i", 1),
       "depth_multiplier": (3, "i", 1), "act": (4, "b", 0), "dil_w": (5, "i", 1),
       "dil_h": (6, "i", 1)}  # fmt: skip
_POOL = {"padding": (0, "b", 0), "stride_w": (1, "i", 1), "stride_h": (2, "i", 1),
         "filter_w": (3, "i", 1), "filter_h": (4, "i", 1), "act": (5, "b", 0)}  # fmt: skip
_FC = {"act": (0, "b", 0), "weights_format": (1, "b", 0), "keep_num_dims": (2, "b", 0)}
_ACT = {"act": (0, "b", 0)}
_SOFTMAX = {"beta": (0, "f", 0.0)}
OPTION_FIELDS = {
    "CONV_2D": _CONV,
    "DEPTHWISE_CONV_2D": _DW,
    "AVERAGE_POOL_2D": _POOL,
    "MAX_POOL_2D": _POOL,
    "FULLY_CONNECTED": _FC,
    "ADD": _ACT,
    "MUL": _ACT,
    "SOFTMAX": _SOFTMAX,
}
SAME, VALID = 0, 1  # the schema's Padding enum


@dataclass(frozen=True)
class OpInfo:
    index: int
    op: str
    inputs: tuple[tuple[int, ...] | None, ...]  # shapes; None for an absent optional input
    input_types: tuple[str | None, ...]
    input_constant: tuple[bool, ...]
    input_scales: tuple[float | None, ...]
    output: tuple[int, ...]
    output_type: str
    options: dict = field(default_factory=dict)
    macs: int | None = None
    weight_bytes: int = 0  # constant inputs (weights, biases): in flash with the model
    io_bytes: int = 0  # non-constant inputs and outputs: in the arena
    per_channel: int = 0  # output channels of a conv/depthwise (quantization tables)
    weight_scales: int = 0  # scales in the filter's quantization (1: per tensor)
    weight_tensors: tuple[int, ...] = ()  # indices of the constant inputs (shared buffers)


@dataclass(frozen=True)
class Graph:
    model: Model
    ops: tuple[OpInfo, ...]


def load_graph(data: bytes, path: str) -> Graph:
    """Parse ``data`` (a .tflite) into the model and one :class:`OpInfo` per operator.

    Raises:
        InputError: the model is malformed (one line naming the file).
    """
    model = parse_model(data, path)
    try:
        return Graph(model, _ops(model, Buffer(data)))
    except (FlatbufferError, IndexError, ValueError, TypeError) as e:
        raise InputError(f"{path}: malformed model: {e}") from None


def _ops(model: Model, buf: Buffer) -> tuple[OpInfo, ...]:
    raw, n_scales = _raw_options(buf)
    ops = []
    for o in model.operators:
        ins = [model.tensors[i] if i >= 0 else None for i in o.inputs]
        out = model.tensors[o.outputs[0]] if o.outputs and o.outputs[0] >= 0 else None
        table = raw[o.index] if o.index < len(raw) else None
        opts = {}
        for key, (idx, fmt, default) in OPTION_FIELDS.get(o.op, {}).items():
            value = table.scalar(idx, fmt, default) if table is not None else default
            opts[key] = float(value) if fmt == "f" else int(value)
        const = tuple(bool(t and t.constant) for t in ins)
        filt = ins[1] if len(ins) > 1 else None
        per_channel = filt.shape[0] if filt is not None and o.op in ("CONV_2D",) else 0
        if o.op == "DEPTHWISE_CONV_2D" and filt is not None and filt.shape:
            per_channel = filt.shape[-1]
        ops.append(
            OpInfo(
                index=o.index,
                op=o.op,
                inputs=tuple(t.shape if t else None for t in ins),
                input_types=tuple(t.type if t else None for t in ins),
                input_constant=const,
                input_scales=tuple(t.scale if t else None for t in ins),
                output=out.shape if out else (),
                output_type=out.type if out else "",
                options=opts,
                macs=o.macs,
                weight_bytes=sum(t.bytes for t in ins if t and t.constant),
                io_bytes=sum(t.bytes for t in ins if t and not t.constant)
                + sum(model.tensors[i].bytes for i in o.outputs if i >= 0),
                per_channel=per_channel,
                weight_tensors=tuple(
                    i for i, t in zip(o.inputs, ins, strict=True) if t and t.constant
                ),
                weight_scales=n_scales[o.inputs[1]]
                if len(o.inputs) > 1 and o.inputs[1] >= 0
                else 0,
            )
        )
    return tuple(ops)


def _raw_options(buf: Buffer) -> tuple[list, list[int]]:
    """The builtin-options table (or None) of each operator of the first subgraph, and the
    number of quantization scales of each tensor."""
    sg = buf.root().tables(2)[0]
    scales = []
    for t in sg.tables(0):
        q = t.table(4)
        scales.append(q.vector_len(2) if q is not None else 0)
    return [o.table(4) for o in sg.tables(3)], scales


def padding_offset(padding: int, in_size: int, k: int, stride: int, dil: int, out: int) -> int:
    """TFLite's leading padding (top or left) for SAME; 0 for VALID."""
    if padding != SAME:
        return 0
    eff = (k - 1) * dil + 1
    total = max((out - 1) * stride + eff - in_size, 0)
    return total // 2
