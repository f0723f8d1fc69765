"""Result assembly (L5): the run's counters, stack, heap, consoles and observers' findings
gathered into the frozen :class:`~mcusim.result.RunResult`, with time and energy from the
target's clock and power model.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcusim.image.memory import footprint
from mcusim.machine.peripherals.exceptions import exception_name
from mcusim.result import FunctionCycles, MmioAccess, RunResult


@dataclass(frozen=True)
class Energy:
    """Energy of a run: µJ in total and active, the active power (mW) and the power note."""

    energy_uj: float
    active_uj: float
    active_power_mw: float
    note: str


def energy_of(target, segments, *, from_ram: int) -> Energy:
    """Energy of a run whose ``segments`` are (Hz, cycles, of which asleep) at each core clock
    (one segment at the target's clock unless the firmware changed it): awake cycles at the
    run current per MHz at their clock (``from_ram`` of them, spread evenly, running code from
    RAM, which draws the datasheet's from-SRAM current where it has one), asleep ones at the
    sleep current for the time they last."""
    power = target.power
    p_sleep = power.sleep_power_mw()
    active = sum(c - s for _, c, s in segments)
    active_uj = energy_uj = active_s = 0.0
    for hz, cycles, sleep in segments:
        awake = cycles - sleep
        ram = from_ram * awake / active if active else 0
        p_active = power.active_power_mw(hz)
        p_sram = power.active_power_mw(hz, from_sram=True)
        seg_uj = (p_active * (awake - ram) + p_sram * ram) / hz * 1000.0
        active_uj += seg_uj
        energy_uj += seg_uj + p_sleep * sleep / hz * 1000.0
        active_s += awake / hz
    p_active = power.active_power_mw(segments[-1][0])
    note = (
        power.source
        if p_active
        else (f"target '{target.name}' has no active-current figure: energy is reported as 0")
    )
    return Energy(energy_uj, active_uj, active_uj / 1000.0 / active_s if active else p_active, note)


def function_cycles(blocks, fw, target=None) -> tuple[FunctionCycles, ...]:
    """Cycles and instructions per function (by the ELF's symbols, and the target's ROM
    images' ``symbols``), most cycles first."""
    totals: dict[str, list[int]] = {}
    blocks = [b for b in blocks if b.count]
    names = fw.function_names_at([b.address for b in blocks])  # from the ELF's arrays
    roms = [r for r in (target.memory if target is not None else ()) if r.symbols]
    for b, name in zip(blocks, names, strict=True):
        if name is None:
            rom = next((r.function_at(b.address) for r in roms if r.contains(b.address)), None)
            name = f"{rom} (ROM)" if rom else None
        t = totals.setdefault(name or f"0x{b.address:08x}", [0, 0])
        t[0] += b.cycles()
        t[1] += b.count * b.n_insns
    rows = sorted(totals.items(), key=lambda kv: -kv[1][0])
    return tuple(FunctionCycles(n, c, i) for n, (c, i) in rows)


def assemble_result(run, host_seconds: float) -> RunResult:
    """The result of the finished ``run`` (observers finish first)."""
    t = run.target
    counter = run.counter
    cycles = counter.cycles
    sleep = run.exceptions.sleep_cycles
    active = cycles - sleep
    clock = run.core_clock.hz
    from_ram = min(active, sum(
        b.cycles() for b in counter.all_blocks()
        if b.count and (r := t.region_at(b.address)) is not None and r.kind == "ram"
    ))  # fmt: skip
    segments = run.core_clock.split(cycles, sleep)
    e = energy_of(t, segments, from_ram=from_ram)
    time_s = run.core_clock.seconds(cycles)
    unknown = tuple(
        MmioAccess(a, k, n, pc, run.fw.symbolize(pc), run.access.svd_name(a))
        for (a, k), (n, pc) in sorted(run.access.unknown.items())
    )
    exc = {exception_name(n): c for n, c in sorted(run.exc.taken.items())}
    # observers finish first (an op still open gets its painted stack back), then the
    # run's own figures are taken: no observer can change them
    extensions = {o.name: o.finish(run) for o in run.options.observers}
    return RunResult(
        firmware=run.fw.path,
        target=t.name,
        core=t.core + ("f" if t.fpu else ""),
        clock_hz=clock,
        exit_reason=run.stop_reason or "halted",
        exit_code=run.exit_code,
        message=run.message,
        instructions=counter.instructions(),
        cycles=cycles,
        active_cycles=active,
        sleep_cycles=sleep,
        time_s=time_s,
        energy_uj=e.energy_uj,
        avg_power_mw=e.energy_uj / 1000.0 / time_s if time_s else 0.0,
        power_note=e.note,
        footprint=footprint(run.fw, t),
        stack_peak_bytes=run.stack.peak(),
        stack_size_bytes=run.stack.size(),
        process_stacks=run.stack.process_stacks(run.xu.psp_seen),
        heap_peak_bytes=run.heap.peak,
        top_functions=function_cycles(counter.all_blocks(), run.fw, t),
        memory_stalls=tuple(counter.memory_stats(list(t.memory))),
        exceptions_taken=exc,
        unknown_mmio=unknown,
        unknown_mnemonics=dict(counter.unknown),
        semihosting_refused=tuple(run.semihosting.refused),
        console=run.console_log.text(),
        console_line_cycles=tuple(run.console_log.line_cycles),
        console_by_source=run.console_log.by_source(),
        fault=run.fault_record,
        host_seconds=host_seconds,
        accounting=run.accounting,
        warnings=(
            *run.core_clock.warnings,
            *run.access.svd_name.warnings,
            *run.stack.warnings(),
        ),
        clock_history=run.core_clock.history(),
        active_cycles_from_ram=from_ram,
        active_power_mw=e.active_power_mw,
        extensions=extensions,
    )
