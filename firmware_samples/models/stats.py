#!/usr/bin/env python3
"""Per-operator MACs, parameter count and I/O quantization of a .tflite model.

Reads the flatbuffer with the TFLite schema module that ships in the `tflite-micro` wheel
(`schema_py_generated`), so it runs in the project's venv and in the model-making venv alike.

MAC counting (multiply-accumulates of one inference, batch included):
  CONV_2D            output elements x KH x KW x (input channels per group)
  DEPTHWISE_CONV_2D  output elements x KH x KW
  FULLY_CONNECTED    output elements x input features (weights are [units, features])
  everything else    0 (pooling, ADD/MUL, softmax, logistic, reshape, quantize, pad, ...)

Parameters: elements of every constant tensor (a tensor whose buffer holds data): weights,
biases and small constants such as RESHAPE's shape vector, as the converter stored them.

    python stats.py MODEL.tflite [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

OP_NAMES = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k for k, v in vars(fb.TensorType).items() if not k.startswith("_")}
TYPE_BYTES = {"FLOAT32": 4, "INT32": 4, "INT64": 8, "INT8": 1, "UINT8": 1, "INT16": 2,
              "FLOAT16": 2, "BOOL": 1}


def _builtin(opcode) -> int:
    # Newer converters write the real code in builtin_code and clamp the deprecated int8 field
    # at 127 (PLACEHOLDER_FOR_GREATER_OP_CODES); older ones only fill the deprecated field.
    return max(int(opcode.BuiltinCode()), int(opcode.DeprecatedBuiltinCode()))


def _shape(t) -> list[int]:
    return [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []


def _quant(t) -> dict | None:
    q = t.Quantization()
    if q is None or q.ScaleLength() == 0:
        return None
    scales = [float(s) for s in q.ScaleAsNumpy()]
    zps = [int(z) for z in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else [0] * len(scales)
    return {"scale": scales, "zero_point": zps, "axis": int(q.QuantizedDimension())}


def _is_constant(model, t) -> bool:
    b = model.Buffers(t.Buffer())
    return b is not None and (b.DataLength() > 0 or b.Offset() > 1)


def op_macs(name: str, in_shapes: list[list[int]], out_shape: list[int]) -> int:
    out_elems = int(np.prod(out_shape)) if out_shape else 0
    if name == "CONV_2D":
        _, kh, kw, icg = in_shapes[1]
        return out_elems * kh * kw * icg
    if name == "DEPTHWISE_CONV_2D":
        _, kh, kw, _ = in_shapes[1]
        return out_elems * kh * kw
    if name == "FULLY_CONNECTED":
        return out_elems * in_shapes[1][-1]
    return 0


def model_stats(model: bytes | str | Path) -> dict:
    """Statistics of subgraph 0 of a .tflite model (bytes or path)."""
    buf = Path(model).read_bytes() if isinstance(model, (str, Path)) else bytes(model)
    m = fb.Model.GetRootAs(buf, 0)
    sg = m.Subgraphs(0)
    tensors = [sg.Tensors(i) for i in range(sg.TensorsLength())]
    ops = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        name = OP_NAMES.get(_builtin(m.OperatorCodes(op.OpcodeIndex())), "CUSTOM")
        ins = [int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else []
        outs = [int(x) for x in op.OutputsAsNumpy()] if op.OutputsLength() else []
        in_shapes = [_shape(tensors[x]) if x >= 0 else [] for x in ins]
        out_shape = _shape(tensors[outs[0]]) if outs else []
        wq = _quant(tensors[ins[1]]) if len(ins) > 1 and ins[1] >= 0 else None
        ops.append({
            "index": i,
            "op": name,
            "inputs": [_shape(tensors[x]) for x in ins if x >= 0 and
                       not _is_constant(m, tensors[x])],
            "weights": [_shape(tensors[x]) for x in ins if x >= 0 and
                        _is_constant(m, tensors[x])],
            "output": out_shape,
            "weight_scales": len(wq["scale"]) if wq else 0,
            "macs": op_macs(name, in_shapes, out_shape),
        })
    params = weight_bytes = 0
    for t in tensors:
        if _is_constant(m, t):
            n = int(np.prod(_shape(t))) if _shape(t) else 1
            params += n
            weight_bytes += n * TYPE_BYTES.get(TYPE_NAMES.get(t.Type(), ""), 1)

    def io(idx):
        t = tensors[idx]
        return {"shape": _shape(t), "type": TYPE_NAMES.get(t.Type(), "?"), "quant": _quant(t)}

    counts: dict[str, int] = {}
    for o in ops:
        counts[o["op"]] = counts.get(o["op"], 0) + 1
    return {
        "file_bytes": len(buf),
        "ops": ops,
        "op_counts": counts,
        "macs": sum(o["macs"] for o in ops),
        "params": params,
        "constant_bytes": weight_bytes,
        "inputs": [io(int(x)) for x in sg.InputsAsNumpy()],
        "outputs": [io(int(x)) for x in sg.OutputsAsNumpy()],
    }


def _dims(s: list[int]) -> str:
    return "x".join(str(d) for d in s) if s else "-"


def markdown_ops(st: dict) -> str:
    """A per-operator Markdown table: index, op, activation inputs, constant inputs, how the
    weights (second input) are quantized, output, MACs."""
    rows = ["| # | op | input | constants | weight scales | output | MACs |",
            "|---|---|---|---|---|---|---|"]
    for o in st["ops"]:
        n = o["weight_scales"] if o["weights"] else 0
        wq = "-" if not n else ("single" if n == 1 else f"per-channel ({n})")
        rows.append(f"| {o['index']} | {o['op']} | {', '.join(_dims(s) for s in o['inputs'])} | "
                    f"{', '.join(_dims(s) for s in o['weights']) or '-'} | {wq} | "
                    f"{_dims(o['output'])} | {o['macs']:,} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("--json", action="store_true", help="print everything as JSON")
    a = ap.parse_args(argv)
    st = model_stats(a.model)
    if a.json:
        json.dump(st, sys.stdout, indent=1)
        print()
        return 0
    print(markdown_ops(st))
    print()
    print(f"ops: {', '.join(f'{k} x{v}' for k, v in st['op_counts'].items())}")
    print(f"MACs: {st['macs']:,}")
    print(f"params: {st['params']:,} (constant bytes {st['constant_bytes']:,})")
    print(f"file bytes: {st['file_bytes']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
