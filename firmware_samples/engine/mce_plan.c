/* mce engine core: tensor lifetimes and the greedy first-fit arena planner (see mce_core.h;
 * the arena layout is described at the top of mce_engine.c). */
#include "mce_core.h"

/* ------------------------------------------------------------------ planning */

void mce_set_lifetimes(mce_engine *e)
{
    uint32_t i, k;
    for (k = 0; k < e->n_inputs; k++) {
        mce_tensor *t = &e->tensors[mce_rd_i32(e->model + e->in_vec + 4u * k)];
        if (!t->is_const) {
            t->first = 0;
            if (t->last < 0)
                t->last = 0;
        }
    }
    for (i = 0; i < e->n_ops; i++) {
        const mce_op *op = &e->ops[i];
        for (k = 0; k < op->n_in + op->n_out; k++) {
            int32_t ti = k < op->n_in ? mce_op_tensor(e, op->in_vec, op->n_in, k)
                                      : mce_op_tensor(e, op->out_vec, op->n_out, k - op->n_in);
            mce_tensor *t;
            if (ti < 0)
                continue;
            t = &e->tensors[ti];
            if (t->is_const)
                continue;
            if (t->first < 0)
                t->first = (int32_t)i;
            if (t->last < (int32_t)i)
                t->last = (int32_t)i;
        }
    }
    for (k = 0; k < e->n_outputs; k++) {
        mce_tensor *t = &e->tensors[mce_rd_i32(e->model + e->out_vec + 4u * k)];
        if (!t->is_const) {
            if (t->first < 0)
                t->first = 0;
            t->last = (int32_t)e->n_ops;
        }
    }
}

/*
 * Items the planner places: every non-constant tensor (lifetime [first, last]) and, after
 * them, every operator's kernel scratch (lifetime [i, i], only while operator i runs).
 */
typedef struct {
    uint32_t bytes;
    int32_t first, last;
    int placed;
    uint32_t offset;
} plan_item;

static int plan_get(const mce_engine *e, uint32_t k, plan_item *it)
{
    if (k < e->n_tensors) {
        const mce_tensor *t = &e->tensors[k];
        if (t->first < 0)
            return 0;
        it->bytes = t->bytes;
        it->first = t->first;
        it->last = t->last;
        it->placed = t->placed;
        it->offset = t->offset;
    } else {
        const mce_op *op = &e->ops[k - e->n_tensors];
        if (op->scratch_bytes == 0)
            return 0;
        it->bytes = op->scratch_bytes;
        it->first = it->last = (int32_t)(k - e->n_tensors);
        it->placed = op->scratch_placed;
        it->offset = op->scratch_offset;
    }
    return 1;
}

static void plan_put(mce_engine *e, uint32_t k, uint32_t offset)
{
    if (k < e->n_tensors) {
        e->tensors[k].offset = offset;
        e->tensors[k].placed = 1;
    } else {
        e->ops[k - e->n_tensors].scratch_offset = offset;
        e->ops[k - e->n_tensors].scratch_placed = 1;
    }
}

/* Greedy first-fit, largest first (ties: earlier first use, then lower item index).
 * Returns the activation block size. */
uint32_t mce_plan_arena(mce_engine *e)
{
    const uint32_t n_items = e->n_tensors + e->n_ops;
    uint32_t total = 0, i, placed_count = 0, to_place = 0;
    plan_item it, best, o;
    memset(&best, 0, sizeof best);
    for (i = 0; i < e->n_tensors; i++)
        e->tensors[i].placed = 0;
    for (i = 0; i < e->n_ops; i++)
        e->ops[i].scratch_placed = 0;
    for (i = 0; i < n_items; i++)
        to_place += (uint32_t)plan_get(e, i, &it);
    while (placed_count < to_place) {
        uint32_t best_k = 0, cand = 0, size;
        int have = 0, moved;
        for (i = 0; i < n_items; i++) {
            if (!plan_get(e, i, &it) || it.placed)
                continue;
            if (!have || it.bytes > best.bytes ||
                (it.bytes == best.bytes && it.first < best.first)) {
                best = it;
                best_k = i;
                have = 1;
            }
        }
        size = mce_align_up(best.bytes, ALIGN_ACT);
        do { /* lowest offset not overlapping any placed, simultaneously live item */
            moved = 0;
            for (i = 0; i < n_items; i++) {
                uint32_t oend;
                if (!plan_get(e, i, &o) || !o.placed ||
                    !(o.first <= best.last && best.first <= o.last))
                    continue;
                oend = o.offset + mce_align_up(o.bytes, ALIGN_ACT);
                if (cand < oend && o.offset < cand + size) {
                    cand = oend;
                    moved = 1;
                }
            }
        } while (moved);
        plan_put(e, best_k, cand);
        placed_count++;
        if (cand + size > total)
            total = cand + size;
    }
    return total;
}

