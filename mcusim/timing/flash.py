"""Flash timing as the chip's accelerator sees it: caches simulated line by line (L3).

Every instruction fetch from a flash or ROM region goes through its instruction (or unified)
cache when the caches are on, and every data read through its data cache; a miss reads the
words it needs from the flash (the region's fetch width each), each costing the region's wait
states; a hit costs nothing. With the caches off every fetched line and every data
read pays them, minus what the prefetch buffer hides. Wait states, prefetch and the caches'
on/off state may change during the run (a flash controller register written by the firmware).
fastpath.c does the same in C (``cache_access``, ``fetch_stall``, ``fp_data_hook``); the two
agree bit for bit.
"""

from __future__ import annotations

from mcusim.config.target import CacheGeometry, MemoryRegion


class LineCache:
    """A set-associative cache of lines, least recently used replaced first, filled one
    flash read (``word_bytes``, the region's fetch width) at a time: a line is allocated
    whole, and each of its words costs a flash read the first time it is needed."""

    __slots__ = ("shift", "word_shift", "n_sets", "ways", "_sets", "_words", "hits", "misses")

    def __init__(self, geometry: CacheGeometry, word_bytes: int | None = None):
        self.shift = geometry.line_bytes.bit_length() - 1
        word = min(word_bytes or geometry.line_bytes, geometry.line_bytes)
        self.word_shift = max(word.bit_length() - 1, self.shift - 5)  # at most 32 words a line
        self.n_sets = geometry.sets
        self.ways = geometry.ways
        self._sets: list[list[int]] = [[] for _ in range(self.n_sets)]  # most recent first
        self._words: dict[int, int] = {}  # line -> mask of its words read from flash
        self.hits = self.misses = 0

    def words(self, start: int, end: int) -> int:
        """The mask of the words of ``start``'s line that ``[start, end)`` covers (``end``
        at most the line's end)."""
        per_line = self.shift - self.word_shift
        first = (start >> self.word_shift) & ((1 << per_line) - 1)
        last = ((end - 1) >> self.word_shift) & ((1 << per_line) - 1)
        return ((1 << (last - first + 1)) - 1) << first

    def access(self, line: int, words: int) -> int:
        """Look up the ``words`` (a mask) of ``line``, allocating the line on a miss; how many
        of them had to be read from flash (0: a hit)."""
        ways = self._sets[line % self.n_sets]
        if not (ways and ways[0] == line):
            if line in ways:
                ways.remove(line)
            else:
                if len(ways) == self.ways:
                    del self._words[ways.pop()]
                self._words[line] = 0
            ways.insert(0, line)
        missing = words & ~self._words[line]
        if not missing:
            self.hits += 1
            return 0
        self._words[line] |= missing
        self.misses += 1
        return missing.bit_count()

    def invalidate(self) -> None:
        """Empty every line (the firmware invalidated or reset the cache)."""
        for ways in self._sets:
            ways.clear()
        self._words.clear()

    def stats(self) -> dict:
        return cache_stats(self.hits, self.misses)


def cache_stats(hits: int, misses: int) -> dict:
    """The report's record of one cache."""
    n = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / n, 6) if n else None}


class FlashTiming:
    """The timing state of one flash or ROM region, fetch by fetch and read by read."""

    def __init__(self, region: MemoryRegion):
        self.region = region
        self.wait_states = region.wait_states
        self.prefetch = region.prefetch
        self.width_shift = region.fetch_width_bytes.bit_length() - 1
        data = region.data_geometry
        width = region.fetch_width_bytes
        self.icache = None if region.icache is None else LineCache(region.icache, width)
        self.dcache = (
            self.icache if region.unified else None if data is None else LineCache(data, width)
        )
        self.icache_on = self.dcache_on = region.cache
        self.fetch_stall = self.data_stall = 0

    def configure(self, **settings) -> None:
        """New ``wait_states``, ``prefetch``, ``icache_on`` or ``dcache_on`` (a controller
        register was written); ``invalidate_icache`` / ``invalidate_dcache`` = True empty that
        cache (a unified cache is both)."""
        for key in ("invalidate_icache", "invalidate_dcache"):
            cache = self.icache if key == "invalidate_icache" else self.dcache
            if settings.pop(key, False) and cache is not None:
                cache.invalidate()
        for key, value in settings.items():
            setattr(self, key, value)

    def fetch(self, address: int, size: int, sequential: bool) -> int:
        """Stall cycles fetching the block ``[address, address + size)``: each line it spans
        is looked up in the instruction cache (when on); a missing line costs the wait states
        unless the prefetch buffer had it: with prefetch on, every line but the first one
        reached by a branch is fetched ahead. A cached line's words the block needs that the
        cache does not hold yet cost one flash read each. Without a cache, lines are
        fetch-width words."""
        if not self.wait_states or not size:
            return 0
        ic = self.icache if self.icache_on else None
        shift = self.width_shift if ic is None else ic.shift
        first, end = address >> shift, address + size
        stall = 0
        for line in range(first, ((end - 1) >> shift) + 1):
            reads = 1
            if ic is not None:
                lo = max(address, line << shift)
                reads = ic.access(line, ic.words(lo, min(end, (line + 1) << shift)))
                if not reads:
                    continue
            if not (self.prefetch and (sequential or line != first)):
                stall += self.wait_states * reads
        self.fetch_stall += stall
        return stall

    def read(self, address: int) -> int:
        """Stall cycles of one data read at ``address``."""
        dc = self.dcache if self.dcache_on else None
        if dc is not None and not dc.access(address >> dc.shift, dc.words(address, address + 1)):
            return 0
        self.data_stall += self.wait_states
        return self.wait_states

    def stats(self) -> dict:
        """The report's record."""
        ic, dc = self.icache, self.dcache
        return memory_stats(
            self.region,
            self.wait_states,
            self.prefetch,
            self.fetch_stall,
            self.data_stall,
            None if ic is None else ic.stats(),
            None if dc is None or dc is ic else dc.stats(),
        )


def memory_stats(
    region: MemoryRegion,
    wait_states: int,
    prefetch: bool,
    fetch_stall: int,
    data_stall: int,
    icache: dict | None,
    dcache: dict | None,
) -> dict:
    """The report's record of one flash or ROM region (wait states and prefetch as they were
    at the end of the run)."""
    return {
        "region": region.name,
        "wait_states": wait_states,
        "prefetch": prefetch,
        "fetch_stall_cycles": fetch_stall,
        "data_stall_cycles": data_stall,
        "icache": icache,
        "dcache": dcache,
        "unified_cache": region.unified,
    }
