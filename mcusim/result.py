"""The result of a run as plain frozen dataclasses with ``to_dict()`` (L2).

Units live in field names; the report and the JSON both read from here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from mcusim.units import seconds_at


@dataclass(frozen=True)
class Fault:
    """A fault reported the way a debugger shows it."""

    kind: str  # e.g. "HardFault"
    cause: str  # e.g. "BusFault: precise data bus error (PRECISERR)"
    detail: str  # one line: what was accessed, why it failed
    pc: int
    pc_symbol: str
    lr: int
    lr_symbol: str
    address: int | None  # the faulting data address, when there is one
    registers: dict[str, int]
    stacked_frame: dict[str, int]


@dataclass(frozen=True)
class Footprint:
    """The image and static RAM use from the ELF's sections, against the target's sizes.

    ``flash_used_bytes`` is the image (code, read-only data, .data's load image) stored in the
    region(s) it executes from, ``image_region``: flash or ROM, or RAM on boards without flash
    (MPS2's code SSRAM) and for RAM-loaded images (``image_in_ram``), .data's load image
    being ``data_image_bytes`` of it; ``flash_size_bytes`` is the size of those regions.
    ``data_bytes`` and ``bss_bytes`` are the sections in RAM, ``ram_static_bytes`` their sum;
    NOBITS stack/heap reservations are ``ram_reserved_bytes``."""

    text_bytes: int
    rodata_bytes: int
    data_bytes: int
    bss_bytes: int
    flash_used_bytes: int
    flash_size_bytes: int
    ram_static_bytes: int
    ram_size_bytes: int
    image_region: str = ""
    image_in_ram: bool = False
    ram_reserved_bytes: int = 0
    data_image_bytes: int = 0  # .data's load image, stored in the image region


@dataclass(frozen=True)
class FunctionCycles:
    name: str
    cycles: int
    instructions: int


@dataclass(frozen=True)
class MmioAccess:
    address: int
    access: str  # "read" or "write"
    count: int
    pc: int
    pc_symbol: str
    register: str = ""  # its name in the target's SVD file (``svd``), when it has one


@dataclass(frozen=True)
class RunResult:
    """Everything a run measured."""

    firmware: str
    target: str
    core: str
    clock_hz: int
    exit_reason: str  # exit | halted | fault | limit | timeout | reset | interrupted
    exit_code: int
    message: str
    instructions: int
    cycles: int
    active_cycles: int
    sleep_cycles: int
    time_s: float
    energy_uj: float
    avg_power_mw: float
    power_note: str
    footprint: Footprint
    stack_peak_bytes: int
    stack_size_bytes: int
    heap_peak_bytes: int | None
    top_functions: tuple[FunctionCycles, ...]
    exceptions_taken: dict[str, int]
    unknown_mmio: tuple[MmioAccess, ...]
    unknown_mnemonics: dict[str, int]
    semihosting_refused: tuple[str, ...]
    console: str
    console_by_source: dict[str, str]  # "semihosting", the UART's name, "itm"
    fault: Fault | None
    host_seconds: float
    budget_failures: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = ()
    active_cycles_from_ram: int = 0  # active cycles of code fetched from RAM regions
    active_power_mw: float = 0.0  # mean power while running (from-flash/from-SRAM mix)
    accounting: str = "python"  # "native": the C block hook; "python": the Python one
    # per memory region with wait states: stall cycles (fetch, data) and cache hits/misses
    memory_stalls: tuple[dict[str, Any], ...] = ()
    extensions: dict[str, Any] = field(default_factory=dict)  # observers' results, by name
    # RTOS thread stacks (PSP): symbol, address, size_bytes, peak_bytes (see simulator)
    process_stacks: tuple[dict, ...] = ()
    # (core cycle, Hz) of each clock the firmware selected, the start included; empty when the
    # core ran at one clock throughout (the target's, or what its clock registers gave at reset)
    clock_history: tuple[tuple[int, float], ...] = ()
    # the modelled cycle at which each line of ``console`` began (one entry per line)
    console_line_cycles: tuple[int, ...] = ()

    @property
    def cpi(self) -> float:
        return self.active_cycles / self.instructions if self.instructions else 0.0

    @property
    def mips(self) -> float:
        return self.instructions / self.host_seconds / 1e6 if self.host_seconds else 0.0

    @property
    def first_output_cycle(self) -> int | None:
        """The core cycle at which the console's first line began: the start-up time from
        reset to the first thing the firmware printed (None: it printed nothing)."""
        return self.console_line_cycles[0] if self.console_line_cycles else None

    @property
    def first_output_ms(self) -> float | None:
        c = self.first_output_cycle
        return None if c is None else seconds_at(c, self.clock_history, self.clock_hz) * 1e3

    def to_dict(self) -> dict[str, Any]:
        # the per-function rows (one per function that ran: a thousand in a TFLM image) are
        # written directly; asdict's deep copy of each costs more than the rest of the result
        d = asdict(replace(self, top_functions=()))
        d["top_functions"] = tuple(
            {"name": f.name, "cycles": f.cycles, "instructions": f.instructions}
            for f in self.top_functions
        )
        d["time_ms"] = self.time_s * 1000.0
        d["cpi"] = self.cpi
        d["host_mips"] = self.mips
        d["first_output_cycle"] = self.first_output_cycle
        d["first_output_ms"] = self.first_output_ms
        return d
