"""A ``.tflite`` model read into plain data (L3): tensors, operators, per-op MACs, arena plan.

Our own reader of the public TFLite flatbuffer schema (schema.fbs field order), stdlib and
numpy only. Malformed files raise :class:`~mcusim.errors.InputError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mcusim.errors import InputError, read_input
from mcusim.tflite.flatbuf import Buffer, FlatbufferError
from mcusim.tflite.schema import TENSOR_TYPES, op_name

IDENTIFIER = b"TFL3"
ARENA_ALIGN = 16


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    type: str
    bytes: int
    constant: bool  # backed by a non-empty buffer (weights, biases)
    scale: float | None
    zero_point: int | None


@dataclass(frozen=True)
class Operator:
    index: int
    op: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    macs: int | None  # multiply-accumulates, for ops where the count is defined


@dataclass(frozen=True)
class Placement:
    tensor: int
    offset: int
    bytes: int
    first_op: int
    last_op: int


@dataclass(frozen=True)
class Model:
    path: str
    size_bytes: int
    version: int
    description: str
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    weights_bytes: int

    @property
    def input_bytes(self) -> int:
        return sum(self.tensors[i].bytes for i in self.inputs)

    @property
    def output_bytes(self) -> int:
        return sum(self.tensors[i].bytes for i in self.outputs)

    @property
    def total_macs(self) -> int:
        return sum(o.macs or 0 for o in self.operators)

    def lifetimes(self) -> dict[int, list[int]]:
        """Each non-constant tensor's [first use, last use] op index; graph inputs live from op
        0 and outputs to the last op (as the engine's planner sees them)."""
        last = len(self.operators) - 1
        life: dict[int, list[int]] = {}
        for op in self.operators:
            for t in (*op.inputs, *op.outputs):
                if t < 0 or self.tensors[t].constant:
                    continue
                span = life.setdefault(t, [op.index, op.index])
                span[0], span[1] = min(span[0], op.index), max(span[1], op.index)
        for t in self.inputs:
            if t in life:
                life[t][0] = 0
        for t in self.outputs:
            if t in life:
                life[t][1] = last
        return life

    def arena_plan(self) -> tuple[int, tuple[Placement, ...]]:
        """(activation bytes, placements): the tensors' lifetimes, placed largest first (ties:
        earlier first use) at the lowest 16-byte aligned offset that overlaps no placed tensor
        with an intersecting lifetime."""
        life = self.lifetimes()
        order = sorted(life, key=lambda t: (-self.tensors[t].bytes, life[t][0], t))
        placed: list[Placement] = []
        for t in order:
            size = self.tensors[t].bytes
            a, b = life[t]
            clashes = sorted(
                (p.offset, p.offset + p.bytes) for p in placed if p.first_op <= b and a <= p.last_op
            )
            offset = 0
            for lo, hi in clashes:
                if offset + size <= lo:
                    break
                offset = max(offset, _align(hi))
            placed.append(Placement(t, offset, size, a, b))
        total = max((p.offset + p.bytes for p in placed), default=0)
        return _align(total), tuple(sorted(placed, key=lambda p: p.offset))


def _align(n: int) -> int:
    return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1)


def load_model(path: str | Path) -> Model:
    """Read a ``.tflite`` file (one line :class:`InputError` for anything malformed)."""
    return parse_model(read_input(path, "a .tflite model"), str(path))


def parse_model(data: bytes, path: str = "<model>") -> Model:
    if len(data) < 8:
        raise InputError(f"{path}: {len(data)} bytes is too short for a .tflite model")
    if data[4:8] != IDENTIFIER:
        raise InputError(
            f"{path}: not a TFLite model (file identifier {data[4:8]!r}, expected b'TFL3')"
        )
    try:
        return _parse(Buffer(data), path)
    except FlatbufferError as e:
        raise InputError(f"{path}: malformed model: {e}") from None
    except (IndexError, ValueError, OverflowError) as e:
        raise InputError(f"{path}: malformed model: {e}") from None


def _parse(buf: Buffer, path: str) -> Model:
    root = buf.root()
    version = int(root.scalar(0, "I"))
    codes = []
    for oc in root.tables(1):
        deprecated = int(oc.scalar(0, "b"))
        builtin = int(oc.scalar(3, "i"))
        custom = oc.string(1)
        code = max(deprecated, builtin)
        codes.append(f"CUSTOM:{custom}" if custom and code == 32 else op_name(code))
    buffers = []
    for b in root.tables(4):
        view = b.bytes_view(0)
        size = view[1] if view else int(b.scalar(2, "Q"))
        buffers.append(size)
    subgraphs = root.tables(2)
    if not subgraphs:
        raise InputError(f"{path}: malformed model: no subgraph")
    sg = subgraphs[0]
    tensors = []
    for i, t in enumerate(sg.tables(0)):
        shape = tuple(int(d) for d in t.scalars(0, "i"))
        type_code = int(t.scalar(1, "b"))
        type_name, elem = TENSOR_TYPES.get(type_code, (f"type{type_code}", 0))
        if any(d < 0 for d in shape):
            raise InputError(f"{path}: tensor {i} has a negative (dynamic) dimension {shape}")
        n = 1
        for d in shape:
            n *= d
        bi = int(t.scalar(2, "I"))
        if bi >= max(len(buffers), 1) and buffers:
            raise InputError(
                f"{path}: malformed model: tensor {i} names buffer {bi} of {len(buffers)}"
            )
        constant = bool(buffers) and bi < len(buffers) and buffers[bi] > 0
        q = t.table(4)
        scale = zp = None
        if q is not None:
            scales = q.scalars(2, "f")
            zps = q.scalars(3, "q")
            scale = float(scales[0]) if scales else None
            zp = int(zps[0]) if zps else None
        tensors.append(
            Tensor(i, t.string(3) or f"tensor{i}", shape, type_name, n * elem, constant, scale, zp)
        )
    n_t = len(tensors)

    def indices(values: list, where: str) -> tuple[int, ...]:
        for v in values:
            if v >= n_t or v < -1:
                raise InputError(
                    f"{path}: malformed model: {where} names tensor {v}, model has {n_t}"
                )
        return tuple(int(v) for v in values)

    ops = []
    for i, o in enumerate(sg.tables(3)):
        ci = int(o.scalar(0, "I"))
        if ci >= len(codes):
            raise InputError(
                f"{path}: malformed model: operator {i} uses opcode {ci}, model has {len(codes)}"
            )
        ins = indices(o.scalars(1, "i"), f"operator {i} input")
        outs = indices(o.scalars(2, "i"), f"operator {i} output")
        ops.append(Operator(i, codes[ci], ins, outs, _macs(codes[ci], ins, outs, tensors)))
    weights = sum(t.bytes for t in tensors if t.constant)
    return Model(
        path=path,
        size_bytes=buf.size,
        version=version,
        description=root.string(3) or "",
        tensors=tuple(tensors),
        operators=tuple(ops),
        inputs=indices(sg.scalars(1, "i"), "subgraph input"),
        outputs=indices(sg.scalars(2, "i"), "subgraph output"),
        weights_bytes=weights,
    )


def _elements(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _macs(
    op: str, ins: tuple[int, ...], outs: tuple[int, ...], tensors: list[Tensor]
) -> int | None:
    """MACs per inference: output elements x the filter taps each one sums over."""
    if len(ins) < 2 or not outs or ins[1] < 0 or outs[0] < 0:
        return None
    out = _elements(tensors[outs[0]].shape)
    f = tensors[ins[1]].shape
    if op == "CONV_2D" and len(f) == 4:  # filter [Cout, kh, kw, Cin/groups]
        return out * f[1] * f[2] * f[3]
    if op == "DEPTHWISE_CONV_2D" and len(f) == 4:  # filter [1, kh, kw, Cout]
        return out * f[1] * f[2]
    if op == "FULLY_CONNECTED" and len(f) == 2:  # filter [units, K]
        return out * f[1]
    if op == "TRANSPOSE_CONV" and len(ins) >= 3:  # inputs: shape, filter [Cout,kh,kw,Cin], x
        fw = tensors[ins[1]].shape
        x = tensors[ins[2]].shape
        if len(fw) == 4:
            return _elements(x) * fw[0] * fw[1] * fw[2]
    return None
