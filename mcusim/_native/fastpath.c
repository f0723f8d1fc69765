/*
 * fastpath.c - mcusim's native fast path, registered directly with Unicorn's C API:
 * - the block hook: the per-block cycle accounting of mcusim/timing/accounting.py
 *   (CycleCounter.on_block). It adds a known block's cost, charges the previous block's
 *   taken-branch refill when execution did not fall through, and calls back into Python only
 *   when the cycle count reaches the deadline or for a block marked special;
 * - the costing of new blocks (CycleCounter._new_block, CycleModel.cost_block), from the facts
 *   thumb.c decodes and the core table native.py hands over; a block it cannot cost goes to
 *   Python;
 * - a code hook charging divides and long multiplies by their operands (operand_cycles);
 * - flash caches simulated line by line (mcusim/timing/flash.py): fetches in the block hook,
 *   data reads in a memory-read hook (fp_data_hook);
 * - the per-op profiler's stack painting and arena comparison loops.
 * The Python path and this one must give identical results; tests run both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "thumb.h"

typedef int64_t (*fp_event_fn)(uint64_t address, uint32_t size, int64_t index, int32_t seq);
/* uc_err uc_reg_read(uc_engine *uc, int regid, void *value) */
typedef int (*fp_reg_read_fn)(void *uc, int regid, void *value);
/* Python's handler of one operand-dependent instruction (returns nonzero on error). */
typedef int64_t (*fp_operand_fn)(uint64_t address);
/* Fills in what the core's timing table says of a printed mnemonic (see fp_stem). */
typedef int64_t (*fp_stem_fn)(const char *mnemonic, void *entry);

struct fp_region;

typedef struct {
    /* static costs, set when the block is registered */
    int64_t cost_seq, cost_entry, entry_pen, taken_extra;
    uint64_t end; /* fall-through address */
    uint64_t key; /* (address << 32) | size */
    int64_t flags; /* FL_* */
    int64_t special; /* Python must see the block before it runs (from flags and fp_allowed) */
    int64_t n_insns, extra; /* instructions; cycles charged at run time (flash stalls,
                               operand hooks) */
    struct fp_region *flash; /* the flash/ROM region its fetches go through, NULL: none */
    /* execution counters */
    uint64_t count, entries, taken_out;
    int64_t index;
    /* alignment checks made here at block entry (--check-alignment): s->aligns[align_at ..
       align_at + n_align) */
    int32_t n_align, align_at;
    /* pipelined load pairs checked at block entry: s->pairs[pair_at .. pair_at + n_pair);
       what the last check found (cycles lost, which pairs) */
    int32_t n_pair, pair_at;
    int64_t split_lost;
    uint64_t split_bits;
} fp_block;

/* A pipelined load pair whose two memories the entry registers tell (model.py BlockCost.pairs):
   the cycles pipelining saved, then per access the address base + disp (+ index << shift),
   Unicorn register ids, index -1 for none. */
typedef struct {
    int32_t at, saved; /* the second instruction's index; the cycles pipelining saved */
    int32_t base[2], index[2], shift[2], disp[2];
} fp_pair;

#define MAX_MEMORY_BLOCKS 32

/* One access of a block that must be aligned, checked at block entry from the registers as
   they are then (mcusim/simulator/alignment.py align_rules): address = base + disp
   (+ index << shift); Unicorn register ids, index -1 for none. */
typedef struct {
    int32_t size, base, index, shift, disp;
} fp_align;

#define FL_SELF_LOOP 1 /* a branch to itself: the idle loop */
#define FL_FP 2 /* uses the FPU (faults while CPACR disables it) */
#define FL_ALIGN 4 /* has alignment checks (--check-alignment) */
#define FL_NATIVE 8 /* decoded and costed here rather than in Python */
#define FL_IT_ENDED 16 /* holds an IT instruction, and every IT block ends inside it: the IT
                          state must be clear after it (see it_watch) */

/* What the core's timing table says of one printed mnemonic (without its .w/.n width);
   filled in by Python (native.py) the first time a run meets the mnemonic. */
typedef struct {
    char mnemonic[16];
    int32_t cls; /* class index; -1: not in the table (the block is costed in Python) */
    int32_t flags; /* ST_* */
    int32_t mnemonic_cycles; /* the class's mnemonic_cycles entry, -1: none */
    int32_t used;
} fp_stem;

#define ST_CONDITIONAL 1 /* a condition suffix (or CBZ/CBNZ) */
#define ST_MOV_ADD 2 /* MOV or ADD: an alu one writing PC is alu_pc */
#define ST_B 4 /* B: the idle-loop check */
#define ST_PYTHON 8 /* cost blocks holding it in Python (a case this file does not model) */

/* One instruction class of the core table (mcusim/config/core.py ClassCost). */
typedef struct {
    int32_t cycles, taken_cycles, per_register_cycles; /* taken_cycles -1: none */
    int32_t register_offset_cycles, double_cycles, core_register_cycles; /* -1: none */
    int32_t kind; /* K_* */
} fp_class;

#define K_DATA 1 /* model.py DATA_PROCESSING */
#define K_SINGLE_LOAD 2 /* SINGLE_LOADS */
#define K_PIPE_FOLLOWER 4 /* PIPELINE_FOLLOWERS */
#define K_FP_RESULT 8 /* FP_RESULT */
#define K_FP 16 /* FP_CLASSES */
#define K_STORE 32 /* the class "store" */
#define K_FP_LDST 64 /* "fp_load" or "fp_store" */
#define K_FP_MOVE 128 /* "fp_move" */
#define K_LOAD_LITERAL 256 /* "load_literal" */
#define K_FP_MAC 512 /* "fp_mac" */
#define K_LOAD_AFTER_STORE 1024 /* LOADS_AFTER_STORE */

/* The core's pairing rules and the classes selected by operands (-1: absent). */
typedef struct {
    int32_t pipelining, pipe_saved, pipe_min, addr_stall, literal_extra, fp_stall;
    int32_t unaligned_target_extra;
    int32_t group_extra, group_min, store_group_min; /* the unaligned-wide group rule */
    int32_t same_memory, store_load, wb_store_chain, wb_load_pipelines; /* measured pairs */
    int32_t alu, alu_pc, load, load_pc, load_literal, load_multiple, pop_pc;
} fp_rules;

/* A set-associative cache of line numbers, least recently used replaced first (flash.py
   LineCache): each set holds `ways` entries of line + 1, most recent first, 0 when empty, and
   beside each the mask of the line's words (flash reads of 1 << word_shift bytes) it holds. */
typedef struct {
    uint32_t shift, word_shift, n_sets, ways;
    uint64_t *tags;
    uint32_t *words;
    uint64_t hits, misses;
} fp_cache;

struct fp_state;

/* A memory region code may run from: its bytes and fetch timing (target TOML). */
typedef struct fp_region {
    uint64_t base, size;
    const uint8_t *data;
    int64_t timed; /* flash or ROM: fetches and data reads go through the model below */
    int64_t wait_states, prefetch, icache_on, dcache_on; /* may change during the run */
    uint32_t width_shift; /* log2 of the fetch width: an uncached fetch's line */
    fp_cache *icache, *dcache; /* dcache == icache: a unified cache */
    uint64_t fetch_stall, data_stall; /* cycles the caches did not hide */
    struct fp_state *s;
} fp_region;

#define RECENT 2048 /* a power of two */
#define XPSR_IT_BITS 0x0600FC00u /* EPSR.IT[1:0] (bits 26:25) and IT[7:2] (bits 15:10) */
#define MAX_INSNS 1024

typedef struct fp_state {
    /* read and written by Python through ctypes: keep this prefix in sync with native.py */
    uint64_t cycles;
    uint64_t deadline;
    uint64_t block_start;
    fp_block *prev; /* the previous block, NULL after a restart */
    uint64_t prev_end; /* after a restart: the address that counts as falling through
                          (UINT64_MAX: none) */
    int64_t current; /* index of the block running now, -1 before the first */
    int64_t error; /* set when the Python event handler failed */
    uint64_t executions; /* blocks entered so far: tells one execution of a block from the next */
    int64_t it_watch; /* memory hooks are installed: check the IT state after FL_IT_ENDED blocks */
    int64_t it_check; /* set for the event: the IT state is set where it must be clear */
    uint64_t split_bits; /* the running block's pairs that did not pipeline (bit k: pair k) */
    /* private */
    fp_event_fn event;
    /* native costing (fp_configure); off until configured */
    int64_t costing, fp_allowed;
    fp_stem_fn stem_cb;
    fp_stem *stems;
    uint64_t stem_cap;
    int64_t n_stems;
    fp_class *classes;
    int64_t n_classes;
    fp_rules rules;
    fp_region **regions;
    int64_t n_regions;
    td_insn *insns;
    uint64_t *keys;
    int64_t *vals;
    uint64_t hcap;
    int64_t n, cap;
    fp_block **chunks; /* blocks in chunks of CHUNK: their addresses never change */
    fp_reg_read_fn reg_read; /* Unicorn's uc_reg_read, for the operand hooks and XPSR */
    int32_t xpsr_id;
    fp_operand_fn operand_python; /* an operand case left to Python (division by zero) */
    struct fp_operand **operands;
    int64_t n_operands;
    fp_block *recent[RECENT]; /* direct-mapped by address: the block last seen there */
    fp_align *aligns; /* the blocks' entry alignment checks (fp_set_align) */
    int64_t n_aligns, aligns_cap;
    /* memory blocks [lo, hi) of the pipelining rule (fp_set_memory_blocks), 0: rule off */
    int32_t n_mem_blocks;
    uint64_t mem_lo[MAX_MEMORY_BLOCKS], mem_hi[MAX_MEMORY_BLOCKS];
    int32_t uc_reg[16]; /* Unicorn ids of r0-r15 */
    fp_pair *pairs; /* the blocks' pairs (fp_set_pairs, native_block) */
    fp_pair *block_pairs; /* native_block's scratch: MAX_INSNS pairs */
    int64_t n_pairs, pairs_cap;
} fp_state;

#define CHUNK 1024

static fp_block *block_at(const fp_state *s, int64_t i)
{
    return &s->chunks[i / CHUNK][i % CHUNK];
}

#define EMPTY UINT64_MAX

static uint64_t key_of(uint64_t address, uint32_t size) { return (address << 32) | size; }

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static int64_t lookup(const fp_state *s, uint64_t key)
{
    uint64_t mask = s->hcap - 1;
    for (uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (s->keys[i] == key) {
            return s->vals[i];
        }
        if (s->keys[i] == EMPTY) {
            return -1;
        }
    }
}

static int insert(fp_state *s, uint64_t key, int64_t value)
{
    if (2 * (uint64_t)(s->n + 1) > s->hcap) {
        uint64_t old_cap = s->hcap, *old_keys = s->keys;
        int64_t *old_vals = s->vals;
        uint64_t cap = old_cap * 2;
        uint64_t *keys = malloc(cap * sizeof *keys);
        int64_t *vals = malloc(cap * sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return -1;
        }
        memset(keys, 0xff, cap * sizeof *keys);
        s->keys = keys;
        s->vals = vals;
        s->hcap = cap;
        for (uint64_t i = 0; i < old_cap; i++) {
            if (old_keys[i] != EMPTY) {
                uint64_t j = mix(old_keys[i]) & (cap - 1);
                while (keys[j] != EMPTY) {
                    j = (j + 1) & (cap - 1);
                }
                keys[j] = old_keys[i];
                vals[j] = old_vals[i];
            }
        }
        free(old_keys);
        free(old_vals);
    }
    uint64_t mask = s->hcap - 1, i = mix(key) & mask;
    while (s->keys[i] != EMPTY) {
        i = (i + 1) & mask;
    }
    s->keys[i] = key;
    s->vals[i] = value;
    return 0;
}

static int grow(fp_state *s)
{
    int64_t cap = s->cap + CHUNK;
    fp_block **chunks = realloc(s->chunks, (size_t)(cap / CHUNK) * sizeof *chunks);
    if (!chunks) {
        return -1;
    }
    s->chunks = chunks;
    chunks[s->cap / CHUNK] = calloc(CHUNK, sizeof **chunks);
    if (!chunks[s->cap / CHUNK]) {
        return -1;
    }
    s->cap = cap;
    return 0;
}

void fp_free(fp_state *s);

fp_state *fp_new(fp_event_fn event)
{
    fp_state *s = calloc(1, sizeof *s);
    if (!s) {
        return NULL;
    }
    s->event = event;
    s->prev = NULL;
    s->prev_end = EMPTY;
    s->current = -1;
    s->fp_allowed = 1;
    s->hcap = 4096;
    s->keys = malloc(s->hcap * sizeof *s->keys);
    s->vals = malloc(s->hcap * sizeof *s->vals);
    if (!s->keys || !s->vals || grow(s) != 0) {
        fp_free(s);
        return NULL;
    }
    memset(s->keys, 0xff, s->hcap * sizeof *s->keys);
    return s;
}

void fp_free(fp_state *s)
{
    if (!s) {
        return;
    }
    free(s->keys);
    free(s->vals);
    for (int64_t c = 0; c < s->cap / CHUNK; c++) {
        free(s->chunks[c]);
    }
    free(s->chunks);
    free(s->stems);
    free(s->classes);
    free(s->insns);
    for (int64_t r = 0; r < s->n_regions; r++) {
        fp_region *g = s->regions[r];
        if (g->dcache && g->dcache != g->icache) {
            free(g->dcache->tags);
            free(g->dcache->words);
            free(g->dcache);
        }
        if (g->icache) {
            free(g->icache->tags);
            free(g->icache->words);
            free(g->icache);
        }
        free(g);
    }
    free(s->regions);
    for (int64_t k = 0; k < s->n_operands; k++) {
        free(s->operands[k]);
    }
    free(s->operands);
    free(s->aligns);
    free(s->pairs);
    free(s->block_pairs);
    free(s);
}

static int64_t special_of(const fp_state *s, int64_t flags)
{
    return (flags & (FL_SELF_LOOP | FL_ALIGN)) || ((flags & FL_FP) && !s->fp_allowed);
}

/* Registers a block; returns its index (-1 when out of memory). */
static fp_region *region_at(fp_state *s, uint64_t address)
{
    for (int64_t r = 0; r < s->n_regions; r++) {
        if (address - s->regions[r]->base < s->regions[r]->size) {
            return s->regions[r];
        }
    }
    return NULL;
}

int64_t fp_register(fp_state *s, uint64_t address, uint32_t size, int64_t cost_seq,
                    int64_t cost_entry, int64_t entry_pen, int64_t taken_extra, int64_t flags,
                    int64_t n_insns)
{
    if (s->n == s->cap && grow(s) != 0) {
        return -1;
    }
    int64_t i = s->n;
    if (insert(s, key_of(address, size), i) != 0) {
        return -1;
    }
    s->n++;
    fp_block *b = block_at(s, i);
    b->index = i;
    b->n_align = 0;
    b->n_pair = 0;
    b->split_lost = 0;
    b->split_bits = 0;
    b->cost_seq = cost_seq;
    b->cost_entry = cost_entry;
    b->entry_pen = entry_pen;
    b->taken_extra = taken_extra;
    b->end = address + size;
    b->key = key_of(address, size);
    b->flags = flags;
    b->special = special_of(s, flags);
    b->n_insns = n_insns;
    fp_region *r = region_at(s, address);
    b->flash = r && r->timed ? r : NULL;
    return i;
}

void fp_set_flags(fp_state *s, int64_t index, int64_t flags)
{
    if (index >= 0 && index < s->n) {
        block_at(s, index)->flags = flags;
        block_at(s, index)->special = special_of(s, flags);
    }
}

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap, doubling from 1024);
   0, or -1 when out of memory (*arr unchanged). */
static int reserve(void **arr, int64_t *cap, int64_t need, size_t size)
{
    if (need <= *cap) {
        return 0;
    }
    int64_t c = *cap ? 2 * *cap : 1024;
    while (c < need) {
        c *= 2;
    }
    void *a = realloc(*arr, (size_t)c * size);
    if (!a) {
        return -1;
    }
    *arr = a;
    *cap = c;
    return 0;
}

/* Block ``index``'s entry alignment checks: n rows of fp_align's five int32 fields (n = 0:
   none). Returns 0, or -1 when out of memory. The checks need s->reg_read. */
int64_t fp_set_align(fp_state *s, int64_t index, int64_t n, const int32_t *rows)
{
    if (index < 0 || index >= s->n) {
        return -1;
    }
    fp_block *b = block_at(s, index);
    b->n_align = 0;
    if (n <= 0) {
        return 0;
    }
    if (reserve((void **)&s->aligns, &s->aligns_cap, s->n_aligns + n, sizeof *s->aligns)) {
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        const int32_t *r = rows + 5 * i;
        s->aligns[s->n_aligns + i] = (fp_align){r[0], r[1], r[2], r[3], r[4]};
    }
    b->align_at = (int32_t)s->n_aligns;
    b->n_align = (int32_t)n;
    s->n_aligns += n;
    return 0;
}

/* The memory blocks of the pipelining rule (n ranges as lo, hi pairs; at most
   MAX_MEMORY_BLOCKS), the Unicorn ids of r0-r15 and the register reader. Returns 0, or -1
   when there are too many. */
int64_t fp_set_memory_blocks(fp_state *s, int64_t n, const uint64_t *ranges,
                             const int32_t *reg_ids, fp_reg_read_fn reg_read)
{
    if (n < 0 || n > MAX_MEMORY_BLOCKS) {
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        s->mem_lo[i] = ranges[2 * i];
        s->mem_hi[i] = ranges[2 * i + 1];
    }
    memcpy(s->uc_reg, reg_ids, sizeof s->uc_reg);
    s->reg_read = reg_read;
    s->n_mem_blocks = (int32_t)n;
    return 0;
}

static int64_t add_pairs(fp_state *s, fp_block *b, int64_t n, const fp_pair *pairs)
{
    b->n_pair = 0;
    if (n <= 0) {
        return 0;
    }
    if (reserve((void **)&s->pairs, &s->pairs_cap, s->n_pairs + n, sizeof *s->pairs)) {
        return -1;
    }
    memcpy(s->pairs + s->n_pairs, pairs, (size_t)n * sizeof *pairs);
    b->pair_at = (int32_t)s->n_pairs;
    b->n_pair = (int32_t)n;
    s->n_pairs += n;
    return 0;
}

/* Block ``index``'s pipelined pairs, costed in Python: n rows of fp_pair's ten int32 fields
   (at, saved, then base, index, shift, disp of each access). Returns 0, or -1. */
int64_t fp_set_pairs(fp_state *s, int64_t index, int64_t n, const int32_t *rows)
{
    if (index < 0 || index >= s->n) {
        return -1;
    }
    fp_pair *pairs = n > 0 ? malloc((size_t)n * sizeof *pairs) : NULL;
    if (n > 0 && !pairs) {
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        const int32_t *r = rows + 10 * i;
        pairs[i] = (fp_pair){r[0], r[1], {r[2], r[6]}, {r[3], r[7]}, {r[4], r[8]}, {r[5], r[9]}};
    }
    int64_t err = add_pairs(s, block_at(s, index), n, pairs);
    free(pairs);
    return err;
}

static int memory_block_of(const fp_state *s, uint32_t address)
{
    for (int i = 0; i < s->n_mem_blocks; i++) {
        if (address >= s->mem_lo[i] && address < s->mem_hi[i]) {
            return i;
        }
    }
    return -1;
}

/* Register `id`, read once per check: ids/vals hold the n registers read so far (at most 8;
   beyond, each is read again). */
static int read_cached(const fp_state *s, void *uc, int32_t id, uint32_t *value, int32_t *ids,
                       uint32_t *vals, int *n)
{
    for (int i = 0; i < *n; i++) {
        if (ids[i] == id) {
            *value = vals[i];
            return 0;
        }
    }
    if (s->reg_read(uc, id, value) != 0) {
        return -1;
    }
    if (*n < 8) {
        ids[*n] = id;
        vals[(*n)++] = *value;
    }
    return 0;
}

/* Cycles block b's pipelined pairs lose now (CycleCounter.split_pairs): the saving of each
   whose two accesses are in different memory blocks, both inside one; kept with which ones
   in b->split_lost and b->split_bits. */
static int64_t split_pairs(fp_state *s, void *uc, fp_block *b)
{
    int64_t lost = 0;
    uint64_t bits = 0;
    const fp_pair *p = s->pairs + b->pair_at;
    int32_t ids[8];
    uint32_t vals[8];
    int n_read = 0;
    for (int32_t i = 0; i < b->n_pair; i++, p++) {
        int where[2];
        for (int k = 0; k < 2; k++) {
            uint32_t base = 0, index = 0;
            if (read_cached(s, uc, p->base[k], &base, ids, vals, &n_read) != 0 ||
                (p->index[k] >= 0 &&
                 read_cached(s, uc, p->index[k], &index, ids, vals, &n_read) != 0)) {
                where[0] = where[1] = -1; /* not read: left pipelined */
                break;
            }
            where[k] = memory_block_of(s, base + (uint32_t)p->disp[k] + (index << p->shift[k]));
        }
        if (where[0] != where[1] && where[0] >= 0 && where[1] >= 0) {
            lost += p->saved;
            bits |= i < 64 ? (uint64_t)1 << i : 0;
        }
    }
    b->split_lost = lost;
    b->split_bits = bits;
    return lost;
}

/* True when one of block b's entry checks finds its access misaligned (or a register cannot
   be read): Python then sees the block and reports the fault. */
static int align_misses(const fp_state *s, void *uc, const fp_block *b)
{
    const fp_align *a = s->aligns + b->align_at;
    for (int32_t i = 0; i < b->n_align; i++, a++) {
        uint32_t base = 0, index = 0;
        if (s->reg_read(uc, a->base, &base) != 0) {
            return 1;
        }
        if (a->index >= 0 && s->reg_read(uc, a->index, &index) != 0) {
            return 1;
        }
        uint32_t address = base + (uint32_t)a->disp + (index << a->shift);
        if (address % (uint32_t)a->size) {
            return 1;
        }
    }
    return 0;
}

/* CPACR enabled or disabled the FPU: blocks using it need a check while it is off. */
void fp_set_fp_allowed(fp_state *s, int64_t allowed)
{
    s->fp_allowed = allowed;
    for (int64_t i = 0; i < s->n; i++) {
        block_at(s, i)->special = special_of(s, block_at(s, i)->flags);
    }
}

int64_t fp_count(const fp_state *s) { return s->n; }

/* Native costing on (1) or off (0: every new block goes to Python, e.g. for alignment checks). */
void fp_set_costing(fp_state *s, int64_t on) { s->costing = on && s->classes; }

/* Everything known of blocks [first, first + n), a row of native.py's BLOCK_FIELDS each. */
void fp_block_info(const fp_state *s, int64_t first, int64_t n, int64_t *out)
{
    for (int64_t i = first; i < first + n && i < s->n; i++, out += 12) {
        const fp_block *b = block_at(s, i);
        int64_t v[12] = {(int64_t)(b->key >> 32), (int64_t)(b->key & 0xffffffff), b->cost_seq,
                         b->cost_entry, b->entry_pen, b->taken_extra, b->flags, b->n_insns,
                         b->extra, (int64_t)b->count, (int64_t)b->entries, (int64_t)b->taken_out};
        memcpy(out, v, sizeof v);
    }
}

/* -- native decoding and costing: mcusim/timing/accounting.py CycleCounter._new_block and
   mcusim/timing/model.py CycleModel.cost_block, for blocks whose every instruction the C
   decoder (thumb.c) and the core table know; anything else is left to Python. ---------- */

/* The core table (classes in the order native.py gives them) and the stem callback. */
int64_t fp_configure(fp_state *s, const fp_class *classes, int64_t n_classes,
                     const fp_rules *rules, fp_stem_fn stem_cb)
{
    s->classes = malloc((size_t)n_classes * sizeof *s->classes);
    s->stem_cap = 256;
    s->stems = calloc(s->stem_cap, sizeof *s->stems);
    s->insns = malloc(MAX_INSNS * sizeof *s->insns);
    s->block_pairs = malloc(MAX_INSNS * sizeof *s->block_pairs);
    if (!s->classes || !s->stems || !s->insns || !s->block_pairs) {
        return -1;
    }
    memcpy(s->classes, classes, (size_t)n_classes * sizeof *classes);
    s->n_classes = n_classes;
    s->rules = *rules;
    s->stem_cb = stem_cb;
    s->costing = 1;
    return 0;
}

/* A memory region (its bytes stay owned by Python and outlive the run); NULL when out of
   memory. */
fp_region *fp_add_region(fp_state *s, uint64_t base, uint64_t size, const uint8_t *data,
                         int64_t timed, int64_t width)
{
    if (width <= 0 || (width & (width - 1))) {
        return NULL;
    }
    fp_region **regions = realloc(s->regions, (size_t)(s->n_regions + 1) * sizeof *regions);
    if (!regions) {
        return NULL;
    }
    s->regions = regions;
    fp_region *r = calloc(1, sizeof *r);
    if (!r) {
        return NULL;
    }
    r->base = base;
    r->size = size;
    r->data = data;
    r->timed = timed;
    r->width_shift = (uint32_t)__builtin_ctzll((uint64_t)width);
    r->s = s;
    regions[s->n_regions++] = r;
    return r;
}

/* Gives region r a cache of `lines` lines of `line_bytes` (a power of two) in sets of `ways`:
   which 0: for instruction fetches, 1: for data reads, 2: data reads share the fetch cache. */
int64_t fp_set_cache(fp_region *r, int64_t which, int64_t lines, int64_t line_bytes,
                     int64_t ways)
{
    if (which == 2) {
        r->dcache = r->icache;
        return r->icache ? 0 : -1;
    }
    if (lines <= 0 || ways <= 0 || lines % ways || line_bytes <= 0 ||
        (line_bytes & (line_bytes - 1))) {
        return -1;
    }
    fp_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->tags = calloc((size_t)lines, sizeof *c->tags)) ||
        !(c->words = calloc((size_t)lines, sizeof *c->words))) {
        if (c) {
            free(c->tags);
        }
        free(c);
        return -1;
    }
    c->shift = (uint32_t)__builtin_ctzll((uint64_t)line_bytes);
    /* a word is a flash read (the region's fetch width), at most a line, at most 32 a line */
    c->word_shift = r->width_shift < c->shift ? r->width_shift : c->shift;
    if (c->shift - c->word_shift > 5) {
        c->word_shift = c->shift - 5;
    }
    c->ways = (uint32_t)ways;
    c->n_sets = (uint32_t)(lines / ways);
    if (which == 0) {
        r->icache = c;
    } else {
        r->dcache = c;
    }
    return 0;
}

/* The region's timing now (at the start, or after the firmware wrote its controller). */
void fp_set_timing(fp_region *r, int64_t wait_states, int64_t prefetch, int64_t icache_on,
                   int64_t dcache_on)
{
    r->wait_states = wait_states;
    r->prefetch = prefetch;
    r->icache_on = icache_on;
    r->dcache_on = dcache_on;
}

/* Empties region r's instruction (icache != 0) and/or data cache: the firmware invalidated or
   reset it (FlashTiming.configure's invalidate_icache / invalidate_dcache). */
void fp_invalidate(fp_region *r, int64_t icache, int64_t dcache)
{
    fp_cache *which[2] = {icache ? r->icache : NULL, dcache ? r->dcache : NULL};
    for (int i = 0; i < 2; i++) {
        if (which[i]) {
            memset(which[i]->tags, 0, (size_t)which[i]->n_sets * which[i]->ways * 8);
            memset(which[i]->words, 0, (size_t)which[i]->n_sets * which[i]->ways * 4);
        }
    }
}

/* What the report shows of a region: fetch and data stall cycles, cache hits and misses. */
void fp_region_stats(const fp_region *r, int64_t *out)
{
    out[0] = (int64_t)r->fetch_stall;
    out[1] = (int64_t)r->data_stall;
    out[2] = r->icache ? (int64_t)r->icache->hits : 0;
    out[3] = r->icache ? (int64_t)r->icache->misses : 0;
    out[4] = r->dcache ? (int64_t)r->dcache->hits : 0;
    out[5] = r->dcache ? (int64_t)r->dcache->misses : 0;
}

/* The mask of the words of start's line that [start, end) covers (flash.py LineCache.words). */
static uint32_t cache_words(const fp_cache *c, uint64_t start, uint64_t end)
{
    uint64_t per = ((uint64_t)1 << (c->shift - c->word_shift)) - 1;
    uint32_t first = (uint32_t)((start >> c->word_shift) & per);
    uint32_t last = (uint32_t)(((end - 1) >> c->word_shift) & per);
    return (uint32_t)((((uint64_t)1 << (last - first + 1)) - 1) << first);
}

/* Looks up the `words` (a mask) of `line`, allocating the line on a miss; how many of them
   had to be read from flash, 0 on a hit (flash.py LineCache.access). */
static uint32_t cache_access(fp_cache *c, uint64_t line, uint32_t words)
{
    size_t at = (line % c->n_sets) * c->ways;
    uint64_t *set = c->tags + at, key = line + 1;
    uint32_t *held = c->words + at;
    if (set[0] != key) {
        uint32_t w = 1;
        while (w < c->ways && set[w] != key) {
            w++;
        }
        uint32_t have = 0;
        if (w < c->ways) {
            have = held[w];
        } else {
            w = c->ways - 1; /* the least recent (or an empty) entry goes */
        }
        memmove(set + 1, set, w * sizeof *set);
        memmove(held + 1, held, w * sizeof *held);
        set[0] = key;
        held[0] = have;
    }
    uint32_t missing = words & ~held[0];
    if (!missing) {
        c->hits++;
        return 0;
    }
    held[0] |= missing;
    c->misses++;
    return (uint32_t)__builtin_popcount(missing);
}

/* Stall cycles fetching [address, address + size) from r (FlashTiming.fetch). */
static uint64_t fetch_stall(fp_region *r, uint64_t address, uint32_t size, int seq)
{
    if (!size || !r->wait_states) {
        return 0;
    }
    fp_cache *c = r->icache_on ? r->icache : NULL;
    uint32_t shift = c ? c->shift : r->width_shift;
    uint64_t end = address + size, first = address >> shift, last = (end - 1) >> shift;
    uint64_t stall = 0;
    for (uint64_t line = first; line <= last; line++) {
        uint64_t reads = 1;
        if (c) {
            uint64_t lo = line << shift, hi = (line + 1) << shift;
            reads = cache_access(c, line,
                                 cache_words(c, address > lo ? address : lo, end < hi ? end : hi));
            if (!reads) {
                continue;
            }
        }
        if (!(r->prefetch && (seq || line != first))) {
            stall += (uint64_t)r->wait_states * reads;
        }
    }
    r->fetch_stall += stall;
    return stall;
}

static uint64_t hash_str(const char *t)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *t; t++) {
        h = (h ^ (uint8_t)*t) * 1099511628211ULL;
    }
    return h;
}

/* The table entry of a printed mnemonic; NULL when out of memory or the callback failed. */
static const fp_stem *stem_of(fp_state *s, const char *mnemonic)
{
    if (2 * (uint64_t)(s->n_stems + 1) > s->stem_cap) {
        uint64_t cap = s->stem_cap * 2;
        fp_stem *t = calloc(cap, sizeof *t);
        if (!t) {
            return NULL;
        }
        for (uint64_t i = 0; i < s->stem_cap; i++) {
            if (s->stems[i].used) {
                uint64_t j = hash_str(s->stems[i].mnemonic) & (cap - 1);
                while (t[j].used) {
                    j = (j + 1) & (cap - 1);
                }
                t[j] = s->stems[i];
            }
        }
        free(s->stems);
        s->stems = t;
        s->stem_cap = cap;
    }
    uint64_t mask = s->stem_cap - 1;
    for (uint64_t i = hash_str(mnemonic) & mask;; i = (i + 1) & mask) {
        fp_stem *e = &s->stems[i];
        if (!e->used) {
            memset(e, 0, sizeof *e);
            size_t len = strlen(mnemonic);
            memcpy(e->mnemonic, mnemonic, len < sizeof e->mnemonic ? len : sizeof e->mnemonic - 1);
            if (s->stem_cb(e->mnemonic, e) != 0) {
                return NULL;
            }
            e->used = 1;
            s->n_stems++;
            return e;
        }
        if (strcmp(e->mnemonic, mnemonic) == 0) {
            return e;
        }
    }
}

static uint64_t reg_bit(int r) { return r == TD_NONE ? 0 : (uint64_t)1 << r; }
/* model.py _writes_back: a single load/store that writes its address back to the base */
static int writes_back(const td_insn *in)
{
    return in->mem_base != TD_NONE && (reg_bit(in->mem_base) & in->regs_write) != 0;
}

/* model.py _entry_access: where a data access goes, from the block's entry registers (the
   other address register as the pointer when the block moved one); 0: not known. */
static int entry_access(const fp_state *s, const td_insn *in, uint64_t moved, int32_t *acc)
{
    int base = in->mem_base, index = in->mem_index;
    int shift = index != TD_NONE ? in->lsl_shift : 0;
    if (base == TD_NONE || base == TD_PC || base > TD_PC) {
        return 0;
    }
    if (index != TD_NONE && (index > TD_PC || (moved & reg_bit(index)))) {
        index = TD_NONE;
        shift = 0;
    }
    if (moved & reg_bit(base)) {
        if (index == TD_NONE || shift) {
            return 0;
        }
        base = index;
        index = TD_NONE;
    }
    acc[0] = s->uc_reg[base];
    acc[1] = index == TD_NONE ? -1 : s->uc_reg[index];
    acc[2] = shift;
    acc[3] = in->post_indexed ? 0 : in->mem_disp;
    return 1;
}

/* model.py _same_memory_writes: registers an instruction steps within the same memory */
static uint64_t same_memory_writes(const td_insn *in)
{
    const char *m = in->mnemonic;
    if (writes_back(in)) {
        return reg_bit(in->mem_base);
    }
    if (!strcmp(m, "push") || !strcmp(m, "pop") || !strcmp(m, "vpush") || !strcmp(m, "vpop") ||
        (in->dest == TD_SP && !(in->regs_read & ~reg_bit(TD_SP)) &&
         (!strncmp(m, "add", 3) || !strncmp(m, "sub", 3)))) {
        return reg_bit(TD_SP);
    }
    return 0;
}

/* Decodes and costs a new block and registers it; -1: leave it to Python. */
static int64_t native_block(fp_state *s, uint64_t address, uint32_t size)
{
    fp_region *region = s->costing ? region_at(s, address) : NULL;
    if (!region || !region->data || address + size > region->base + region->size) {
        return -1;
    }
    int n = td_decode(region->data + (address - region->base), size, (uint32_t)address,
                      s->insns, MAX_INSNS);
    if (n <= 0) {
        return -1;
    }
    const fp_rules *R = &s->rules;
    int64_t total = 0, taken_extra = 0, flags = FL_NATIVE;
    int prev_kind = 0;
    const td_insn *prev = NULL;
    uint64_t at = address; /* the instruction's address */
    int run = 0, run_stores = 1, charged = 0; /* CycleModel.cost_block's group rule */
    uint64_t moved = 0; /* registers the block changed so far (cost_block's moved) */
    int32_t acc[4], prev_acc[4];
    int have_acc = 0, prev_have = 0, n_pairs = 0;
    fp_pair *pairs = s->n_mem_blocks ? s->block_pairs : NULL;
    for (int k = 0; k < n; k++) {
        const td_insn *in = &s->insns[k];
        const fp_stem *st = stem_of(s, in->mnemonic);
        if (!st || st->cls < 0 || (st->flags & ST_PYTHON)) {
            return -1;
        }
        int32_t cls = st->cls; /* CycleModel.classify */
        if (cls == R->alu && in->dest == TD_PC && (st->flags & ST_MOV_ADD) && R->alu_pc >= 0) {
            cls = R->alu_pc;
        } else if (cls == R->load && in->dest == TD_PC && R->load_pc >= 0) {
            cls = R->load_pc;
        } else if (cls == R->load && in->mem_base == TD_PC && R->load_literal >= 0) {
            cls = R->load_literal;
        } else if (cls == R->load_multiple && in->pc_in_list && R->pop_pc >= 0) {
            cls = R->pop_pc;
        }
        if (cls != st->cls && st->mnemonic_cycles >= 0) {
            return -1; /* the entry holds the base class's mnemonic_cycles, not this one's */
        }
        const fp_class *c = &s->classes[cls];
        int64_t cycles = c->cycles + (int64_t)c->per_register_cycles * in->reg_list_words;
        if (st->mnemonic_cycles >= 0) { /* CycleModel._base_cycles */
            cycles = st->mnemonic_cycles;
        }
        if ((c->kind & K_STORE) && in->mem_index != TD_NONE && c->register_offset_cycles >= 0) {
            cycles = c->register_offset_cycles;
        } else if ((c->kind & K_FP_LDST) && in->has_double_reg && c->double_cycles >= 0) {
            cycles = c->double_cycles;
        } else if ((c->kind & K_FP_MOVE) && in->has_core_reg && c->core_register_cycles >= 0) {
            cycles = c->core_register_cycles;
        } else if (c->kind & K_LOAD_LITERAL) {
            cycles += R->literal_extra;
        }
        if (c->kind & K_FP) {
            flags |= FL_FP;
        }
        have_acc = pairs && entry_access(s, in, moved, acc);
        if (prev) { /* CycleModel._pair_cycles */
            uint64_t addr = reg_bit(in->mem_base) | reg_bit(in->mem_index);
            if (R->pipelining && (prev_kind & K_SINGLE_LOAD) && (c->kind & K_PIPE_FOLLOWER) &&
                !(addr & prev->regs_write) &&
                !(R->same_memory && (prev->mem_base == TD_PC) != (in->mem_base == TD_PC)) &&
                (R->wb_load_pipelines || (c->kind & K_STORE) || !writes_back(in))) {
                int64_t before = cycles;
                cycles -= R->pipe_saved;
                if (cycles < R->pipe_min) {
                    cycles = R->pipe_min;
                }
                if (before > cycles && R->same_memory && prev_have && have_acc &&
                    memcmp(prev_acc, acc, 3 * sizeof *acc) != 0) { /* same registers: same memory */
                    pairs[n_pairs++] = (fp_pair){k, (int32_t)(before - cycles),
                                                 {prev_acc[0], acc[0]}, {prev_acc[1], acc[1]},
                                                 {prev_acc[2], acc[2]}, {prev_acc[3], acc[3]}};
                }
            }
            if ((prev_kind & K_STORE) && (c->kind & K_LOAD_AFTER_STORE)) {
                cycles += R->store_load;
            } else if ((prev_kind & K_STORE) && (c->kind & K_STORE) && writes_back(prev) &&
                       writes_back(in) && in->mem_base == prev->mem_base) {
                cycles += R->wb_store_chain;
            }
            if (R->addr_stall && (prev_kind & K_DATA) && (addr & prev->regs_write)) {
                cycles += R->addr_stall;
            }
            if (R->fp_stall && (prev_kind & K_FP_RESULT) && prev->dest != TD_NONE &&
                (reg_bit(prev->dest) & in->regs_read) &&
                !((c->kind & K_FP_MAC) && in->dest == prev->dest)) {
                cycles += R->fp_stall;
            }
        }
        if (c->taken_cycles >= 0) {
            int64_t extra = c->taken_cycles - c->cycles;
            if ((st->flags & ST_CONDITIONAL) && k == n - 1) {
                taken_extra = extra;
            } else if (!(st->flags & ST_CONDITIONAL)) {
                cycles += extra;
            }
        }
        if (n == 1 && (st->flags & ST_B) && !(st->flags & ST_CONDITIONAL) && in->has_target &&
            in->target == address) {
            flags |= FL_SELF_LOOP;
        }
        if (R->group_extra && in->size == 4 && (at & 2)) {
            run++;
            run_stores = run_stores && (c->kind & K_STORE);
            if (!charged && run >= (run_stores ? R->store_group_min : R->group_min)) {
                cycles += R->group_extra;
                charged = 1;
            }
        } else {
            run = 0;
            run_stores = 1;
            charged = 0;
        }
        at += in->size;
        total += cycles;
        prev = in;
        prev_kind = c->kind;
        prev_have = have_acc;
        memcpy(prev_acc, acc, sizeof acc);
        moved |= in->regs_write & ~same_memory_writes(in);
    }
    int it_seen = 0, it_open = 0; /* an IT instruction; how many it still covers */
    for (int k = 0; k < n; k++) {
        const char *m = s->insns[k].mnemonic;
        if (m[0] == 'i' && m[1] == 't') {
            it_seen = 1;
            it_open = (int)strlen(m) - 1; /* "it" 1, "itt" 2, ... */
        } else if (it_open) {
            it_open--;
        }
    }
    if (it_seen && !it_open) { /* every IT block of this block ends inside it */
        flags |= FL_IT_ENDED;
    }
    /* CycleCounter._new_block: alignment refill, fetch wait states */
    const td_insn *first = &s->insns[0];
    int64_t entry_extra = first->size == 4 && (address & 2) ? R->unaligned_target_extra : 0;
    /* room for the pairs first: once registered, the block must not be left to Python */
    if (n_pairs && reserve((void **)&s->pairs, &s->pairs_cap, s->n_pairs + n_pairs,
                           sizeof *s->pairs)) {
        return -1;
    }
    int64_t i = fp_register(s, address, size, total, total + entry_extra, entry_extra,
                            taken_extra, flags, n);
    if (i >= 0 && n_pairs) {
        add_pairs(s, block_at(s, i), n_pairs, pairs); /* cannot fail: the room is there */
    }
    return i;
}

static uint64_t recent_slot(uint64_t address) { return (address >> 1) & (RECENT - 1); }

/* The block (address, size) when s->recent missed: from the hash table, else decoded and
   costed (in C, or in Python); NULL if it could not be registered. */
__attribute__((noinline)) static fp_block *find(fp_state *s, uint64_t address, uint32_t size)
{
    int64_t i = lookup(s, key_of(address, size));
    if (i < 0) {
        i = native_block(s, address, size);
    }
    if (i < 0) {
        i = s->event(address, size, -1, 0); /* Python decodes, costs and registers it */
        if (i < 0) {
            return NULL;
        }
    }
    return s->recent[recent_slot(address)] = block_at(s, i);
}

/* The UC_HOOK_BLOCK callback: uc_cb_hookcode_t(uc_engine *, uint64_t, uint32_t, void *).
   Consecutive calls depend on each other only through s->cycles and s->prev (a direct-mapped
   cache finds the block from its address alone). */
void fp_block_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    fp_state *s = user_data;
    fp_block *b = s->recent[recent_slot(address)];
    if (!b || b->key != key_of(address, size)) {
        b = find(s, address, size);
        if (!b) {
            return;
        }
    }
    fp_block *p = s->prev;
    uint64_t c = s->cycles;
    int seq = address == (p ? p->end : s->prev_end);
    if (!seq && p) { /* the previous block ended in a taken branch */
        c += (uint64_t)p->taken_extra;
        p->taken_out++;
    }
    /* Unicorn bug: a memory hook on an access inside an IT block stores the IT state and it is
       not cleared when the IT block ends, so the next block would run as if inside one. Python
       checks (and repairs) the state after a block that held an IT instruction. */
    s->it_check = 0;
    if (p && (p->flags & FL_IT_ENDED) && s->it_watch && s->reg_read) {
        uint32_t xpsr = 0;
        s->it_check = s->reg_read(uc, s->xpsr_id, &xpsr) == 0 && (xpsr & XPSR_IT_BITS);
    }
    if (c >= s->deadline || b->special || s->it_check ||
        (b->n_align && align_misses(s, uc, b))) {
        s->cycles = c;
        if (s->event(address, size, b->index, seq)) {
            return; /* Python took an exception or stopped the run: this block does not run */
        }
        c = s->cycles;
    }
    if (b->flash) {
        uint64_t stall = fetch_stall(b->flash, address, size, seq);
        c += stall;
        b->extra += (int64_t)stall;
    }
    if (seq) {
        s->block_start = c;
        c += (uint64_t)b->cost_seq;
    } else {
        s->block_start = c + (uint64_t)b->entry_pen;
        c += (uint64_t)b->cost_entry;
        b->entries++;
    }
    if (b->n_pair) { /* a loop back to itself keeps its pointers in their memories */
        int64_t lost = p == b ? b->split_lost : split_pairs(s, uc, b);
        s->split_bits = b->split_bits;
        c += (uint64_t)lost;
        b->extra += lost;
    } else {
        s->split_bits = 0;
    }
    s->cycles = c;
    b->count++;
    s->executions++;
    s->prev = b;
    s->current = b->index;
}

/* The UC_HOOK_MEM_READ callback on a region with wait states (user_data: its fp_region):
   uc_cb_hookmem_t(uc_engine *, uc_mem_type, uint64_t address, int size, int64_t value,
   void *). A read the data cache misses, or any read without one, stalls the wait states
   (FlashTiming.read, CycleCounter.add_dynamic). */
void fp_data_hook(void *uc, int type, uint64_t address, int size, int64_t value,
                  void *user_data)
{
    (void)uc, (void)type, (void)size, (void)value;
    fp_region *r = user_data;
    fp_cache *c = r->dcache;
    if (r->dcache_on && c &&
        !cache_access(c, address >> c->shift, cache_words(c, address, address + 1))) {
        return;
    }
    fp_state *s = r->s;
    uint64_t cost = (uint64_t)r->wait_states;
    r->data_stall += cost;
    s->cycles += cost;
    s->block_start += cost;
    if (s->current >= 0) {
        block_at(s, s->current)->extra += (int64_t)cost;
    }
}

/* -- operand-dependent instructions: mcusim/timing/model.py CycleModel.operand_cycles for
   divides (Cortex-M3/M4) and long multiplies (Cortex-M3), as a UC_HOOK_CODE callback on each
   such instruction, so Python is not called every time one runs. ---------------------------- */

enum { OP_DIV, OP_LONG_MUL, OP_LONG_MLA };

typedef struct fp_operand {
    fp_state *s;
    uint64_t address;
    int32_t kind, is_signed, reg_a, reg_b; /* reg_*: Unicorn register ids of the sources */
    int32_t cycles_static, cycles_min, cycles_max; /* the class's table values */
} fp_operand;

static int bit_length(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

static int64_t sign_extend(uint32_t v) { return (int64_t)(int32_t)v; }

static int64_t operand_cycles(const fp_operand *op, uint32_t a, uint32_t b)
{
    int64_t c;
    if (op->kind == OP_DIV) {
        uint64_t x = a, y = b;
        if (op->is_signed) {
            int64_t sa = sign_extend(a), sb = sign_extend(b);
            x = (uint64_t)(sa < 0 ? -sa : sa);
            y = (uint64_t)(sb < 0 ? -sb : sb);
        }
        int64_t q = y ? bit_length(x) - bit_length(y) + 1 : 0;
        q = q < 0 ? 0 : q;
        c = 2 + (10 * q + 31) / 32; /* 2 + ceil(10 q / 32) */
    } else {
        uint64_t x = a, y = b;
        if (op->is_signed) { /* significant bits of a signed value: of its ones' complement */
            int64_t sa = sign_extend(a), sb = sign_extend(b);
            x = (uint64_t)(sa < 0 ? ~sa : sa);
            y = (uint64_t)(sb < 0 ? ~sb : sb);
        }
        int n = bit_length(x) > bit_length(y) ? bit_length(x) : bit_length(y);
        int64_t bytes = n ? (n + 7) / 8 : 1;
        c = (op->kind == OP_LONG_MUL ? 1 : 3) + bytes;
    }
    c = c < op->cycles_min ? op->cycles_min : c;
    return c > op->cycles_max ? op->cycles_max : c;
}

/* The UC_HOOK_CODE callback of one such instruction (user_data: its fp_operand). */
void fp_operand_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    (void)size;
    const fp_operand *op = user_data;
    fp_state *s = op->s;
    uint32_t a = 0, b = 0;
    if (s->reg_read(uc, op->reg_a, &a) != 0 || s->reg_read(uc, op->reg_b, &b) != 0 ||
        (op->kind == OP_DIV && b == 0)) {
        s->operand_python(address); /* Python checks CCR.DIV_0_TRP and charges the cycles */
        return;
    }
    int64_t extra = operand_cycles(op, a, b) - op->cycles_static;
    s->cycles += (uint64_t)extra; /* CycleCounter.add_dynamic */
    s->block_start += (uint64_t)extra;
    if (s->prev) {
        s->prev->extra += extra;
    }
}

/* Registers an operand-dependent instruction; returns the user_data for its hook (NULL: out
   of memory). */
fp_operand *fp_add_operand(fp_state *s, uint64_t address, int32_t kind, int32_t is_signed,
                           int32_t reg_a, int32_t reg_b, int32_t cycles_static,
                           int32_t cycles_min, int32_t cycles_max)
{
    fp_operand **list = realloc(s->operands, (size_t)(s->n_operands + 1) * sizeof *list);
    if (!list) {
        return NULL;
    }
    s->operands = list;
    fp_operand *op = malloc(sizeof *op);
    if (!op) {
        return NULL;
    }
    *op = (fp_operand){s, address, kind, is_signed, reg_a, reg_b, cycles_static, cycles_min,
                       cycles_max};
    list[s->n_operands++] = op;
    return op;
}

/* Unicorn's uc_reg_read and Python's fallback for the operand hooks. */
void fp_set_operand_calls(fp_state *s, fp_reg_read_fn reg_read, fp_operand_fn python)
{
    s->reg_read = reg_read;
    s->operand_python = python;
}

/* The IT-state check (it_watch): Unicorn's uc_reg_read and the id of XPSR. */
void fp_set_xpsr_read(fp_state *s, fp_reg_read_fn reg_read, int32_t xpsr_id)
{
    s->reg_read = reg_read;
    s->xpsr_id = xpsr_id;
}

/* For tests: the cycles the operand hook charges for sources a and b. */
int64_t fp_operand_cycles(int32_t kind, int32_t is_signed, uint32_t a, uint32_t b,
                          int32_t cycles_min, int32_t cycles_max)
{
    fp_operand op = {NULL, 0, kind, is_signed, 0, 0, 0, cycles_min, cycles_max};
    return operand_cycles(&op, a, b);
}

/* -- the per-op profiler's stack and arena checks (mcusim/profiler.py _Watched): the same
   loops as its numpy code, without numpy's per-call overhead at every op boundary. ---------- */

/* Saves words [0, n) of `words` into `saved`, then fills them with `paint`. */
void fp_paint_words(uint32_t *words, uint32_t *saved, int64_t n, uint32_t paint)
{
    memcpy(saved, words, (size_t)n * sizeof *words);
    for (int64_t i = 0; i < n; i++) {
        words[i] = paint;
    }
}

/* The lowest of words [0, n) that no longer holds `paint` (n if none); the words still
   holding it get their saved value back. */
int64_t fp_unpaint_words(uint32_t *words, const uint32_t *saved, int64_t n, uint32_t paint)
{
    int64_t lowest = n;
    for (int64_t i = 0; i < n; i++) {
        if (words[i] == paint) {
            words[i] = saved[i];
        } else if (lowest == n) {
            lowest = i;
        }
    }
    return lowest;
}

/* How many of bytes [0, n) differ between `now` and `before`; sets touched[i] for each. */
int64_t fp_bytes_changed(const uint8_t *now, const uint8_t *before, uint8_t *touched, int64_t n)
{
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) {
        if (now[i] != before[i]) {
            count++;
            touched[i] = 1;
        }
    }
    return count;
}

/* A block hook that does nothing: tests/bench/bench_speed.py measures with it the fastest any
   per-block accounting on Unicorn can be (the cost of UC_HOOK_BLOCK itself). */
void fp_noop_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    (void)uc;
    (void)address;
    (void)size;
    (void)user_data;
}
