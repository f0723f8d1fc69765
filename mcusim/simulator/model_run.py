"""Running a user's ``.tflite`` on the generic runner firmware of a target: the input tensor,
the fit check, the run and its loader (L5, beside the simulator it drives).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mcusim.errors import InputError, McusimError

if TYPE_CHECKING:  # numpy is imported where an input tensor is made, not at start-up
    import numpy as np

INPUT_SEED = 0
NP_TYPES = ("int8", "uint8", "int16", "int32", "float32")  # tensor types numpy names alike


@dataclass
class ModelRun:
    result: object
    model: object
    loader: object
    input: np.ndarray
    input_note: str
    firmware: str


def input_for(model, path: str | None) -> tuple[np.ndarray, str]:
    """The input tensor: from ``--input x.npy`` or seeded random values (said in the note)."""
    if len(model.inputs) != 1:
        raise InputError(f"{model.path}: models with {len(model.inputs)} inputs are not supported")
    import numpy as np

    t = model.tensors[model.inputs[0]]
    dtype = np.dtype(t.type).type if t.type in NP_TYPES else None
    if dtype is None:
        raise InputError(f"{model.path}: input tensor type {t.type} is not supported")
    if path:
        try:
            x = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise InputError(f"--input: cannot read '{path}' as .npy: {e}") from None
        if x.size != int(np.prod(t.shape)):
            raise InputError(
                f"--input: '{path}' has {x.size} values, the model's input "
                f"{t.name} {list(t.shape)} takes {int(np.prod(t.shape))}"
            )
        if x.dtype != dtype:
            raise InputError(f"--input: '{path}' is {x.dtype}, the model's input is {t.type}")
        return x.reshape(t.shape), f"input from {path}"
    rng = np.random.default_rng(INPUT_SEED)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, size=t.shape, endpoint=True, dtype=dtype)
    else:
        x = rng.standard_normal(t.shape).astype(dtype)
    return x, f"seeded random input (numpy default_rng({INPUT_SEED}), {t.type} {list(t.shape)})"


def run_model(
    model_path: str,
    target,
    *,
    kernels: str = "reference",
    input_path: str | None = None,
    observers: tuple = (),
    timeout_s: float | None = 600.0,
    runner: str | None = None,
) -> ModelRun:
    """Run a .tflite on the runner firmware for ``target`` (or the user's ``runner`` ELF, see
    :mod:`mcusim.profile.runner_contract`); refuse what does not fit."""
    from mcusim.image.elf import Firmware
    from mcusim.profile.runner import RunnerLoader, check_fit, runner_elf
    from mcusim.simulator import RunOptions, Simulator
    from mcusim.tflite.model import load_model

    model = load_model(model_path)
    data = Path(model_path).read_bytes()
    if runner:
        from mcusim.profile.runner_contract import check_fit_runner, failure

        fw = Firmware(runner)
        regions = check_fit_runner(model, len(data), fw, target)
    else:
        fw = Firmware(runner_elf(target, kernels))
        regions = check_fit(model, len(data), fw, target)
    x, note = input_for(model, input_path)
    loader = RunnerLoader(data, x.tobytes(), regions)
    opts = RunOptions(timeout_s=timeout_s, observers=(loader, *observers), handle_signals=True)
    result = Simulator(target, opts).run(fw)
    error = loader.error(target)
    if error and runner:
        stop = result.message or result.exit_reason
        why = failure(model_path, fw, loader.status, result.console, stop)
        # the runner refused the model (an op it lacks, sizes): bad input; else it failed
        raise InputError(why) if loader.status.get("status") else McusimError(why)
    if error and "arena does not fit" in error:
        raise InputError(f"{model_path}: {error}")
    if error:
        raise InputError(f"{model_path}: the runner failed: {error}; console: {result.console}")
    return ModelRun(result, model, loader, x, note, fw.path)
