"""Handing the C fast path its tables and hooks (L3.5): the core's cost table and pipeline
rules, the memory regions with their caches and wait states, operand-dependent instructions and
the mnemonic questions fastpath.c asks once per run.
"""

from __future__ import annotations

import ctypes

from mcusim.config.target import MemoryRegion
from mcusim.machine.native.library import (
    I64,
    KINDS,
    OPERAND,
    OPERAND_KINDS,
    SELECTED,
    ST_B,
    ST_CONDITIONAL,
    ST_MOV_ADD,
    ST_PYTHON,
    _Class,
    _Rules,
    _Stem,
)
from mcusim.timing.decode import base_name
from mcusim.timing.flash import cache_stats, memory_stats


class NativeSetup:
    """Mixed into :class:`~mcusim.machine.native.counter.NativeCycleCounter`: the calls that
    configure its C state (``_lib``, ``_state``) before and while it runs."""

    def _configure(self) -> None:
        """Hand the core table to the C costing."""
        core = self.model.core
        names = list(core.classes)
        self._class_index = {n: i for i, n in enumerate(names)}
        table = (_Class * len(names))()
        for entry, name in zip(table, names, strict=True):
            c = core.classes[name]
            entry.cycles = c.cycles
            entry.taken_cycles = -1 if c.taken_cycles is None else c.taken_cycles
            entry.per_register_cycles = c.per_register_cycles
            for key in ("register_offset_cycles", "double_cycles", "core_register_cycles"):
                setattr(entry, key, int(c.extra.get(key, -1)))
            entry.kind = sum(bit for test, bit in KINDS if test(name))
        m = self.model
        rules = _Rules(
            int(m.pipelining),
            m.pipe_saved,
            m.pipe_min,
            m.addr_stall,
            m.literal_extra,
            m.fp_stall,
            m.unaligned_target_extra,
            m.group_extra,
            m.group_min,
            m.store_group_min,
            int(m.same_memory),
            m.store_load,
            m.wb_store_chain,
            int(m.wb_load_pipelines),
            *(self._class_index.get(n, -1) for n in SELECTED),
        )
        self._keep = (table, rules)
        self._mnemonic_cycles: dict[str, dict[str, int]] = {}  # mnemonic -> {class: cycles}
        for name, c in core.classes.items():
            for text, cycles in c.extra.get("mnemonic_cycles", {}).items():
                self._mnemonic_cycles.setdefault(text, {})[name] = int(cycles)
        if self._lib.fp_configure(self._state, table, len(names), rules, self._stem_cb) != 0:
            raise MemoryError("fast path costing tables")

    def attach_memory(self, regions: list[tuple[MemoryRegion, object]]) -> None:
        """The target's memory: (region, its numpy backing array) pairs, in the target's
        order. The arrays must live as long as the run; code outside them is costed in
        Python."""
        self._regions: dict[str, int] = {}  # name -> the C region
        for region, buf in regions:
            r = self._lib.fp_add_region(
                self._state,
                region.base,
                region.size_bytes,
                buf.ctypes.data,
                int(region.timed),
                region.fetch_width_bytes,
            )
            caches = [] if region.icache is None else [(0, region.icache)]
            if region.unified:
                caches.append((2, region.icache))
            elif region.dcache is not None:
                caches.append((1, region.dcache))
            if not r or any(
                self._lib.fp_set_cache(r, which, g.lines, g.line_bytes, g.ways)
                for which, g in caches
            ):
                raise MemoryError(f"fast path region {region.name}")
            self._regions[region.name] = r
            self._timing[region.name] = dict(
                wait_states=region.wait_states,
                prefetch=region.prefetch,
                icache_on=region.cache,
                dcache_on=region.cache,
            )
            self._lib.fp_set_timing(r, *self._timing[region.name].values())
        self._keep += (regions,)

    def wait_states_of(self, region: MemoryRegion) -> int:
        """The wait states ``region`` has now (the firmware may have changed them)."""
        return self._timing[region.name]["wait_states"]

    def configure_flash(self, region: MemoryRegion, **settings) -> None:
        r = self._regions[region.name]
        icache = settings.pop("invalidate_icache", False)
        dcache = settings.pop("invalidate_dcache", False)
        if icache or dcache:
            self._lib.fp_invalidate(r, int(icache), int(dcache))
        t = self._timing[region.name]
        t.update(settings)
        self._lib.fp_set_timing(r, *t.values())

    def hook_data_reads(self, cpu, region: MemoryRegion) -> None:
        """Charge the wait states of data reads from ``region`` in C (FlashTiming.read)."""
        from mcusim.machine.cpu import hook_reads_native

        callback = ctypes.cast(self._lib.fp_data_hook, ctypes.c_void_p).value
        hook_reads_native(cpu, region.base, region.end - 1, callback, self._regions[region.name])

    def _region_stats(self, region: MemoryRegion) -> dict:
        v = (I64 * 6)()
        self._lib.fp_region_stats(self._regions[region.name], v)
        fetch_stall, data_stall, ih, im, dh, dm = list(v)
        t = self._timing[region.name]
        return memory_stats(
            region,
            t["wait_states"],
            t["prefetch"],
            fetch_stall,
            data_stall,
            None if region.icache is None else cache_stats(ih, im),
            None if region.dcache is None else cache_stats(dh, dm),
        )

    @property
    def align_rules(self):
        return self._align_rules

    @align_rules.setter
    def align_rules(self, rules) -> None:
        # Alignment checks are worked out in Python from the decoded block; C makes those it
        # can at block entry, reading the registers with Unicorn's uc_reg_read.
        self._align_rules = rules
        self._lib.fp_set_costing(self._state, int(rules is None))
        if rules is not None:
            from mcusim.machine.cpu import reg_id, reg_read_function

            self._lib.fp_set_xpsr_read(self._state, reg_read_function(), reg_id("xpsr"))

    def hook_operand(self, cpu, address: int, name: str, cls: str, regs, fallback) -> None:
        """Charge the operand-dependent cycles of the divide or long multiply ``name`` at
        ``address`` in C (as CycleModel.operand_cycles does); ``regs``: its two source
        registers; ``fallback()`` is Python's own handler, called for a division by zero."""
        from mcusim.machine.cpu import hook_code_native, reg_id, reg_read_function

        if not self._operand_fallbacks:
            self._operand_cb = OPERAND(self._operand)
            self._lib.fp_set_operand_calls(self._state, reg_read_function(), self._operand_cb)
        self._operand_fallbacks[address] = fallback
        c = self.model.core.classes[cls]
        lo = c.cycles_min if c.cycles_min is not None else c.cycles
        hi = c.cycles_max if c.cycles_max is not None else c.cycles
        signed = name in ("sdiv", "smull", "smlal")
        op = self._lib.fp_add_operand(
            self._state, address, OPERAND_KINDS[cls], signed, *map(reg_id, regs), c.cycles, lo, hi
        )
        if not op:
            raise MemoryError("fast path operand table")
        hook_code_native(
            cpu, address, ctypes.cast(self._lib.fp_operand_hook, ctypes.c_void_p).value, op
        )

    def _operand(self, address: int) -> int:
        try:
            self._operand_fallbacks[address]()
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._fail(e)
            return -1

    def _stem(self, mnemonic: bytes, entry: int) -> int:
        """fastpath.c asks what the core table says of a printed mnemonic (once per run)."""
        try:
            e = _Stem.from_address(entry)
            text = mnemonic.decode()
            name, conditional = base_name(text, self.model.names)
            cls = self.model.core.mnemonic_class.get(name)
            e.cls = self._class_index.get(cls, -1) if cls else -1
            flags = ST_CONDITIONAL if conditional or name in ("cbz", "cbnz") else 0
            flags |= ST_MOV_ADD if name in ("mov", "add") else 0
            flags |= ST_B if name == "b" else 0
            own = self._mnemonic_cycles.get(text, {})
            e.mnemonic_cycles = own.get(cls, -1)
            if set(own) - {cls}:
                flags |= ST_PYTHON  # another class (one selected by operands) has its own
            e.flags = flags
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised by the simulator after the run
            self._fail(e)
            return -1
