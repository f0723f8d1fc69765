/*
 * fastpath.c - mcusim's native block hook: the per-block cycle accounting of
 * mcusim/timing/accounting.py (CycleCounter.on_block), in C, registered directly with
 * Unicorn's C API. It adds a known block's cost, charges the previous block's taken-branch
 * refill when execution did not fall through, and calls back into Python only for a block
 * it has not seen, when the cycle count reaches the deadline, or for a block marked special.
 * The Python path and this one must give identical counts; tests run both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t (*fp_event_fn)(uint64_t address, uint32_t size, int64_t index, int32_t seq);

typedef struct {
    /* read and written by Python through ctypes: keep this prefix in sync with native.py */
    uint64_t cycles;
    uint64_t deadline;
    uint64_t block_start;
    int64_t prev; /* index of the previous block, -1 after a restart */
    uint64_t prev_end; /* its fall-through address (UINT64_MAX: none) */
    int64_t prev_taken_extra;
    int64_t current; /* index of the block running now, -1 before the first */
    int64_t error; /* set when the Python event handler failed */
    /* private */
    fp_event_fn event;
    uint64_t *keys;
    int64_t *vals;
    uint64_t hcap;
    int64_t n, cap;
    int64_t *cost_seq, *cost_entry, *seq_pen, *entry_pen, *taken_extra;
    uint64_t *end;
    uint8_t *special;
    uint64_t *count, *entries, *taken_out;
} fp_state;

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

#define GROW(field)                                                                       \
    do {                                                                                  \
        void *p = realloc(s->field, (size_t)cap * sizeof *s->field);                      \
        if (!p) {                                                                         \
            return -1;                                                                    \
        }                                                                                 \
        s->field = p;                                                                     \
        memset(s->field + s->cap, 0, (size_t)(cap - s->cap) * sizeof *s->field);         \
    } while (0)

static int grow(fp_state *s)
{
    int64_t cap = s->cap ? 2 * s->cap : 1024;
    GROW(cost_seq);
    GROW(cost_entry);
    GROW(seq_pen);
    GROW(entry_pen);
    GROW(taken_extra);
    GROW(end);
    GROW(special);
    GROW(count);
    GROW(entries);
    GROW(taken_out);
    s->cap = cap;
    return 0;
}

fp_state *fp_new(fp_event_fn event)
{
    fp_state *s = calloc(1, sizeof *s);
    if (!s) {
        return NULL;
    }
    s->event = event;
    s->prev = -1;
    s->prev_end = EMPTY;
    s->current = -1;
    s->hcap = 4096;
    s->keys = malloc(s->hcap * sizeof *s->keys);
    s->vals = malloc(s->hcap * sizeof *s->vals);
    if (!s->keys || !s->vals || grow(s) != 0) {
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
    free(s->cost_seq);
    free(s->cost_entry);
    free(s->seq_pen);
    free(s->entry_pen);
    free(s->taken_extra);
    free(s->end);
    free(s->special);
    free(s->count);
    free(s->entries);
    free(s->taken_out);
    free(s);
}

/* Registers a block; returns its index (-1 when out of memory). */
int64_t fp_register(fp_state *s, uint64_t address, uint32_t size, int64_t cost_seq,
                    int64_t cost_entry, int64_t seq_pen, int64_t entry_pen, int64_t taken_extra,
                    int32_t special)
{
    if (s->n == s->cap && grow(s) != 0) {
        return -1;
    }
    int64_t i = s->n;
    if (insert(s, key_of(address, size), i) != 0) {
        return -1;
    }
    s->n++;
    s->cost_seq[i] = cost_seq;
    s->cost_entry[i] = cost_entry;
    s->seq_pen[i] = seq_pen;
    s->entry_pen[i] = entry_pen;
    s->taken_extra[i] = taken_extra;
    s->end[i] = address + size;
    s->special[i] = (uint8_t)special;
    return i;
}

void fp_set_special(fp_state *s, int64_t index, int32_t special)
{
    if (index >= 0 && index < s->n) {
        s->special[index] = (uint8_t)special;
    }
}

/* Copies the execution counters of blocks [0, n) out. */
void fp_export(const fp_state *s, uint64_t *count, uint64_t *entries, uint64_t *taken_out,
               int64_t n)
{
    if (n > s->n) {
        n = s->n;
    }
    memcpy(count, s->count, (size_t)n * sizeof *count);
    memcpy(entries, s->entries, (size_t)n * sizeof *entries);
    memcpy(taken_out, s->taken_out, (size_t)n * sizeof *taken_out);
}

/* The UC_HOOK_BLOCK callback: uc_cb_hookcode_t(uc_engine *, uint64_t, uint32_t, void *). */
void fp_block_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    (void)uc;
    fp_state *s = user_data;
    int64_t i = lookup(s, key_of(address, size));
    if (i < 0) {
        i = s->event(address, size, -1, 0); /* Python decodes, costs and registers it */
        if (i < 0) {
            return;
        }
    }
    int32_t seq = address == s->prev_end;
    if (!seq) {
        s->cycles += (uint64_t)s->prev_taken_extra;
        if (s->prev >= 0) {
            s->taken_out[s->prev]++;
        }
    }
    if ((s->cycles >= s->deadline || s->special[i]) && s->event(address, size, i, seq)) {
        return; /* Python took an exception or stopped the run: this block does not run */
    }
    uint64_t c = s->cycles;
    if (seq) {
        s->block_start = c + (uint64_t)s->seq_pen[i];
        s->cycles = c + (uint64_t)s->cost_seq[i];
    } else {
        s->block_start = c + (uint64_t)s->entry_pen[i];
        s->cycles = c + (uint64_t)s->cost_entry[i];
        s->entries[i]++;
    }
    s->count[i]++;
    s->prev = i;
    s->current = i;
    s->prev_end = s->end[i];
    s->prev_taken_extra = s->taken_extra[i];
}
