"""Flash timing as the chip's accelerator sees it: caches simulated line by line (L3).

A memory region with wait states and ``cache = true`` sends every instruction fetch through
its instruction (or unified) cache and every data read through its data cache; a miss costs
the region's wait states, a hit nothing. Without a cache, fetches keep the static per-block
cost of ``model.fetch_cost`` and every data read pays the wait states. fastpath.c does the same
in C (``cache_access``, ``fetch_stall``, ``fp_data_hook``); the two agree bit for bit.
"""

from __future__ import annotations

from mcusim.config.target import CacheGeometry, MemoryRegion


class LineCache:
    """A set-associative cache of line numbers, least recently used replaced first."""

    __slots__ = ("shift", "n_sets", "ways", "_sets", "hits", "misses")

    def __init__(self, geometry: CacheGeometry):
        self.shift = geometry.line_bytes.bit_length() - 1
        self.n_sets = geometry.sets
        self.ways = geometry.ways
        self._sets: list[list[int]] = [[] for _ in range(self.n_sets)]  # most recent first
        self.hits = self.misses = 0

    def access(self, line: int) -> bool:
        """Look ``line`` up, fill it on a miss; True on a hit."""
        ways = self._sets[line % self.n_sets]
        if ways and ways[0] == line:
            self.hits += 1
            return True
        if line in ways:
            ways.remove(line)
            ways.insert(0, line)
            self.hits += 1
            return True
        ways.insert(0, line)
        if len(ways) > self.ways:
            ways.pop()
        self.misses += 1
        return False

    def stats(self) -> dict:
        return cache_stats(self.hits, self.misses)


def cache_stats(hits: int, misses: int) -> dict:
    """The report's record of one cache."""
    n = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / n, 6) if n else None}


class FlashTiming:
    """Wait states of one region with wait states, fetch by fetch and read by read."""

    def __init__(self, region: MemoryRegion):
        self.region = region
        self.wait_states = region.wait_states
        self.prefetch = region.prefetch
        fetch, data = region.fetch_cache, region.data_cache
        self.icache = None if fetch is None else LineCache(fetch)
        self.dcache = None if data is None else self.icache if data is fetch else LineCache(data)
        self.fetch_stall = self.data_stall = 0

    def fetch(self, address: int, size: int, sequential: bool) -> int:
        """Stall cycles fetching the block ``[address, address + size)``. A missing line costs
        the wait states unless the prefetch buffer had it: with prefetch on, every line but
        the first one reached by a branch is fetched ahead."""
        ic = self.icache
        first = address >> ic.shift
        stall = 0
        for line in range(first, ((address + size - 1) >> ic.shift) + 1):
            if not ic.access(line) and not (self.prefetch and (sequential or line != first)):
                stall += self.wait_states
        self.fetch_stall += stall
        return stall

    def read(self, address: int) -> int:
        """Stall cycles of one data read at ``address``."""
        dc = self.dcache
        cost = self.wait_states if dc is None or not dc.access(address >> dc.shift) else 0
        self.data_stall += cost
        return cost

    def stats(self, static_fetch_stall: int = 0) -> dict:
        """The report's record (``static_fetch_stall``: the uncached fetch stalls the blocks
        were charged statically)."""
        ic, dc = self.icache, self.dcache
        return memory_stats(
            self.region,
            self.fetch_stall + static_fetch_stall,
            self.data_stall,
            None if ic is None else ic.stats(),
            None if dc is None or dc is ic else dc.stats(),
        )


def memory_stats(
    region: MemoryRegion,
    fetch_stall: int,
    data_stall: int,
    icache: dict | None,
    dcache: dict | None,
) -> dict:
    """The report's record of one region with wait states."""
    return {
        "region": region.name,
        "wait_states": region.wait_states,
        "prefetch": region.prefetch,
        "fetch_stall_cycles": fetch_stall,
        "data_stall_cycles": data_stall,
        "icache": icache,
        "dcache": dcache,
        "unified_cache": region.data_cache is not None and region.data_cache is region.fetch_cache,
    }
