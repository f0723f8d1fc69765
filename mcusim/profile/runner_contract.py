"""A user's own runner firmware (``mcusim profile --runner RUNNER.elf``): the contract check.

Any firmware that defines the symbols of ``firmware_samples/apps/runner/mce_runner.h``
(``mce_runner_model``, ``mce_runner_input``, ``mce_runner_output``, ``mce_runner_status``,
each with its capacity as ELF ``st_size``) can run a model under ``mcusim profile``: a TFLM
build with ``tflm_runner.cc``, our own ``runner-ref``/``runner-opt``, a vendor stack. This
module checks an ELF against the contract before the run, refuses what cannot work with one
line naming the file and the problem, and turns a runner's failure into one line with the
runner's own printed message.

What the contract requires of where the buffers live: the host writes the model and the input
after loading the ELF and before the first instruction, so start-up code must not touch them:
not ``.bss`` (zeroed by start-up) and not a ``.data`` whose initial values start-up copies from
flash. A NOLOAD (NOBITS) section other than ``.bss`` (``.noinit``, ``.mce_model``) or read-only
data (flash, ``.rodata``) is fine.
"""

from __future__ import annotations

import re
from pathlib import Path

from mcusim.errors import InputError
from mcusim.image.elf import Firmware, Section
from mcusim.profile.runner import HEADER_BYTES, SYMBOLS, Regions
from mcusim.tflite.model import Model

HOST_WRITTEN = ("mce_runner_model", "mce_runner_input")
ARENA_SYMBOLS = ("mce_runner_arena", "tensor_arena", "g_tensor_arena")
_BSS = re.compile(r"^(\.?bss|\.sbss|\.tbss|COMMON)([._].*)?$")
RUNNER_LINE = "mce-runner:"


def load_runner(path: str) -> Firmware:
    """The ELF at ``path``; the file's own problems (missing, not an ARM ELF) are ElfErrors."""
    return Firmware(path)


def section_of(fw: Firmware, address: int, size: int) -> Section | None:
    for s in fw.sections:
        if s.size and s.addr <= address < s.addr + s.size:
            return s
    return None


HEAP_START = ("end", "__end__", "_end")
HEAP_LIMIT = ("__heap_limit", "__HeapLimit", "__heap_end__", "_heap_end")


def _in_heap(fw: Firmware, address: int, target) -> int | None:
    """The heap start when ``address`` lies in the heap newlib's _sbrk hands out (from the
    ``end`` symbol up to a heap-limit symbol, else to the end of that memory region), else
    None. Only for firmware that has _sbrk: ours has none and keeps buffers above ``end``."""
    start = next((fw.symbols[s] for s in HEAP_START if s in fw.symbols), None)
    if "_sbrk" not in fw.symbols or start is None or address < start:
        return None
    limit = next((fw.symbols[s] for s in HEAP_LIMIT if s in fw.symbols), None)
    if limit is None:
        region = target.region_at(start) if target is not None else None
        limit = region.base + region.size_bytes if region is not None else start
    return start if address < limit else None


def _placement_problem(fw: Firmware, name: str, target=None) -> str | None:
    """Why start-up code (or the heap) would clear or overwrite ``name``, or None."""
    s = section_of(fw, fw.symbols[name], fw.symbol_sizes[name])
    heap = _in_heap(fw, fw.symbols[name], target)
    if heap is not None:
        orphan = s is not None and s.name.startswith(".noinit.")
        return (
            f"{name} is in the heap (from 'end' = 0x{heap:08x}), where malloc may overwrite "
            "what mcusim wrote"
            + (
                f" (its section {s.name} is an orphan: the linker script has no .noinit "
                "output section, so ld put it after .bss)"
                if orphan
                else ""
            )
        )
    if s is None:
        return None  # outside every section header (a hand-placed address): trust the user
    if _BSS.match(s.name):
        return f"{name} is in {s.name}, which start-up code zeroes after mcusim writes it"
    if s.writable and not s.nobits and s.lma != s.addr:
        return (
            f"{name} is in {s.name}, whose initial values start-up code copies from "
            f"0x{s.lma:08x} over what mcusim writes"
        )
    return None


def contract_regions(fw: Firmware, target=None) -> Regions:
    """The runner's buffers, or an InputError naming what breaks the contract."""
    missing = [s for s in SYMBOLS if s not in fw.symbols]
    if missing:
        raise InputError(
            f"{fw.path}: not a runner firmware: missing symbol(s) {', '.join(missing)} of the "
            "runner contract (firmware_samples/apps/runner/mce_runner.h)"
        )
    z = fw.symbol_sizes
    sizeless = [s for s in SYMBOLS if not z.get(s)]
    if sizeless:
        raise InputError(
            f"{fw.path}: runner symbol(s) {', '.join(sizeless)} have no size (ELF st_size 0); "
            "the contract reads each buffer's capacity from st_size"
        )
    for name in HOST_WRITTEN:
        why = _placement_problem(fw, name, target)
        if why:
            raise InputError(
                f"{fw.path}: {why}; put it in a NOLOAD section (e.g. .noinit) or in read-only "
                "data (see README, 'A runner on your own TFLM build')"
            )
    arena = next((a for a in ARENA_SYMBOLS if z.get(a)), None)
    s = fw.symbols
    return Regions(
        s["mce_runner_model"],
        z["mce_runner_model"],
        s["mce_runner_input"],
        z["mce_runner_input"],
        s["mce_runner_output"],
        z["mce_runner_output"],
        s["mce_runner_status"],
        z[arena] if arena else 0,
    )


def check_fit_runner(model: Model, model_bytes: int, fw: Firmware, target=None) -> Regions:
    """Refuse a model, input or output that does not fit the runner's buffers."""
    r = contract_regions(fw, target)
    name = Path(fw.path).name
    need = HEADER_BYTES + model_bytes
    if need > r.model_bytes:
        raise InputError(
            f"{model.path}: model too large for runner {name}: needs {need:,} B (with the "
            f"32-byte header), mce_runner_model holds {r.model_bytes:,} B "
            f"({need - r.model_bytes:,} B too many)"
        )
    if model.input_bytes > r.input_bytes:
        raise InputError(
            f"{model.path}: input too large for runner {name}: the model's inputs take "
            f"{model.input_bytes:,} B, mce_runner_input holds {r.input_bytes:,} B"
        )
    out = model.output_bytes
    if out > r.output_bytes:
        raise InputError(
            f"{model.path}: output too large for runner {name}: the model's outputs take "
            f"{out:,} B, mce_runner_output holds {r.output_bytes:,} B"
        )
    plan, _ = model.arena_plan()
    if r.arena_bytes and plan > r.arena_bytes:
        raise InputError(
            f"{model.path}: arena too small in runner {name}: activations alone need "
            f"{plan:,} B, its arena holds {r.arena_bytes:,} B"
        )
    return r


STAGES = {1: "start", 2: "init", 3: "invoke", 4: "done"}


def runner_message(console: str) -> str | None:
    """The runner's own first printed line that is not the contract's ``mce-runner:`` line
    (e.g. TFLM's "Didn't find op for builtin opcode 'SVDF'"), else its ``mce-runner:`` line."""
    lines = [ln.strip() for ln in console.splitlines() if ln.strip()]
    own = [ln for ln in lines if not ln.startswith(RUNNER_LINE)]
    if own:
        return own[0]
    return next((ln for ln in lines if ln.startswith(RUNNER_LINE)), None)


def failure(model_path: str, fw: Firmware, status: dict, console: str, stop: str) -> str:
    """One line for a user runner that did not finish: status, stage and what it printed;
    ``stop`` says how the run ended (the simulator's exit message)."""
    name = Path(fw.path).name
    said = runner_message(console)
    tail = f": {said}" if said else " (it printed nothing)"
    if not status or status.get("magic") != 0x5345434D:
        return f"{fw.path}: the runner never wrote mce_runner_status ({stop}){tail}"
    code = status["status"]
    stage = STAGES.get(status["stage"], str(status["stage"]))
    if code == 0:
        return f"{model_path}: runner {name} stopped in stage {stage} without finishing: {stop}"
    what = {
        1: "bad MCER header",
        2: "model size refused",
        3: "arena size refused",
        4: "could not load the model",
        5: "input size refused",
        6: "Invoke failed",
        7: "output too large",
    }.get(code, f"status {code}")
    return f"{model_path}: runner {name} {what} (status {code}, stage {stage}){tail}"
