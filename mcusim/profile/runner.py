"""Running a user's ``.tflite`` on the generic runner firmware (L4).

The runner (firmware_samples/apps/runner, contract in ``mce_runner.h``) reserves a flash region
(``mce_runner_model``: a 32-byte ``MCER`` header then the model), an input buffer, an output
buffer and a status struct. :class:`RunnerLoader` is an observer that fills model and input
through the probe before the first instruction and reads status and output after the run.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from mcusim.config.resources import data_dir
from mcusim.config.target import Target
from mcusim.errors import InputError
from mcusim.image.elf import Firmware
from mcusim.tflite.model import Model

HEADER_BYTES = 32
RUNNER_VERSION = 1
STATUS_MAGIC = 0x5345434D
STATUS_FIELDS = (
    "magic",
    "status",
    "stage",
    "engine_status",
    "error_op",
    "arena_needed",
    "arena_bytes",
    "input_bytes",
    "output_bytes",
    "n_inputs",
    "n_outputs",
)
STATUS_NAMES = {
    0: "ok",
    1: "bad header",
    2: "model size",
    3: "arena size",
    4: "engine init failed",
    5: "input size",
    6: "invoke failed",
    7: "output too large",
}
MCE_ERR_ARENA = 8  # mce_status value of MCE_ERR_ARENA (engine/mce.h enum order)
SYMBOLS = ("mce_runner_model", "mce_runner_input", "mce_runner_output", "mce_runner_status")


def runner_elf(target: Target, kernels: str) -> Path:
    """The runner ELF built for ``target`` with the chosen kernels (reference|optimized)."""
    flavour = {"reference": "runner-ref", "optimized": "runner-opt"}.get(kernels)
    if flavour is None:
        raise InputError(f"--kernels: '{kernels}' is not 'reference' or 'optimized'")
    try:
        root = data_dir("firmware_samples") / "elf"
    except FileNotFoundError:
        raise InputError("the runner firmware (firmware_samples/elf) is not installed") from None
    path = root / target.name / f"{flavour}.elf"
    if not path.is_file():
        have = sorted(p.parent.name for p in root.glob(f"*/{flavour}.elf"))
        why = (
            " (optimized kernels need a core with the DSP extension)"
            if kernels == "optimized"
            else ""
        )
        raise InputError(
            f"no {flavour} firmware for target '{target.name}'{why}; built for: "
            + (", ".join(have) or "none")
        )
    return path


@dataclass(frozen=True)
class Regions:
    model: int
    model_bytes: int
    input: int
    input_bytes: int
    output: int
    output_bytes: int
    status: int
    arena_bytes: int


def regions(fw: Firmware) -> Regions:
    missing = [s for s in SYMBOLS if s not in fw.symbols]
    if missing:
        raise InputError(f"{fw.path}: not a runner firmware: no symbol {', '.join(missing)}")
    s, z = fw.symbols, fw.symbol_sizes
    return Regions(
        s["mce_runner_model"],
        z["mce_runner_model"],
        s["mce_runner_input"],
        z["mce_runner_input"],
        s["mce_runner_output"],
        z["mce_runner_output"],
        s["mce_runner_status"],
        z.get("mce_runner_arena", 0),
    )


def check_fit(model: Model, model_bytes: int, fw: Firmware, target: Target) -> Regions:
    """Refuse a model that cannot run on this runner/target, saying by how much."""
    r = regions(fw)
    need = HEADER_BYTES + model_bytes
    if need > r.model_bytes:
        raise InputError(
            f"{model.path}: model does not fit the flash of '{target.name}': needs "
            f"{need:,} B (with the 32-byte header), the runner's model region holds "
            f"{r.model_bytes:,} B ({need - r.model_bytes:,} B too many)"
        )
    plan, _ = model.arena_plan()
    sram = target.ram_bytes
    if plan > sram:
        raise InputError(
            f"{model.path}: the arena does not fit the SRAM of '{target.name}': activations "
            f"alone need {plan:,} B, SRAM is {sram:,} B ({plan - sram:,} B over)"
        )
    if r.arena_bytes and plan > r.arena_bytes:
        raise InputError(
            f"{model.path}: the arena does not fit on '{target.name}': activations need "
            f"{plan:,} B, the runner's arena is {r.arena_bytes:,} B "
            f"({plan - r.arena_bytes:,} B over)"
        )
    if model.input_bytes > r.input_bytes:
        raise InputError(
            f"{model.path}: inputs take {model.input_bytes:,} B, the runner's input buffer "
            f"on '{target.name}' holds {r.input_bytes:,} B"
        )
    return r


class RunnerLoader:
    """Observer: writes header + model + input before the run, reads status and output after."""

    name = "runner"

    def __init__(self, model_data: bytes, input_data: bytes, regions: Regions):
        self.model_data, self.input_data, self.r = model_data, input_data, regions
        self.output = b""
        self.status: dict[str, int] = {}

    def attach(self, probe) -> None:
        header = b"MCER" + struct.pack(
            "<7I", RUNNER_VERSION, len(self.model_data), len(self.input_data), 0, 0, 0, 0
        )
        probe.write(self.r.model, header + self.model_data)
        probe.write(self.r.input, self.input_data)

    def finish(self, probe) -> dict:
        raw = probe.read(self.r.status, 4 * len(STATUS_FIELDS))
        values = struct.unpack(f"<{len(STATUS_FIELDS)}i", raw)
        self.status = dict(zip(STATUS_FIELDS, values, strict=True))
        self.status["magic"] &= 0xFFFFFFFF
        n = self.status["output_bytes"]
        ok = self.status["magic"] == STATUS_MAGIC and self.status["status"] == 0
        if ok and 0 < n <= self.r.output_bytes:
            self.output = probe.read(self.r.output, n)
        return {"status": self.status, "output_hex": self.output.hex()}

    def error(self, target: Target) -> str | None:
        """A one-line reason when the runner did not finish, else None."""
        st = self.status
        if st.get("magic") != STATUS_MAGIC:
            return "the runner firmware did not start (no status written)"
        code = st["status"]
        if code == 0 and st["stage"] == 4:
            return None
        if code == 0:  # status is written last: a fault or an early exit left it at 0
            return f"the runner stopped in stage {st['stage']} without finishing"
        if code == 4 and st["engine_status"] == MCE_ERR_ARENA:
            need, have = st["arena_needed"], st["arena_bytes"]
            return (
                f"the arena does not fit on '{target.name}': the engine needs {need:,} B, "
                f"the runner has {have:,} B ({need - have:,} B over)"
            )
        return (
            f"runner error {code} ({STATUS_NAMES.get(code, '?')}), engine status "
            f"{st['engine_status']} at operator {st['error_op']}"
        )
