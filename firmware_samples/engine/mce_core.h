/*
 * What the engine core's files share (private to the engine): the context of model parsing and
 * operator preparation, the arena alignments, and the steps mce_init runs.
 *   mce_engine.c        errors, mce_init, mce_invoke (the op dispatch), accessors
 *   mce_parse.c         the TFLite schema read into the tensor and operator tables
 *   mce_prepare.c       helpers and per-op validation/preparation (conv-like ops, pooling)
 *   mce_prepare_more.c  per-op validation/preparation of the other ops
 *   mce_plan.c          tensor lifetimes and the arena planner
 * The schema facts and the arena layout are described at the top of mce_engine.c.
 */
#ifndef MCE_CORE_H
#define MCE_CORE_H

#include <string.h>

#include "mce_fixedpoint.h"
#include "mce_internal.h"

#define ALIGN_ACT 16u
#define ALIGN_TAIL 8u
#define MCE_MAX_CONCAT_INPUTS 16
/* Bound on spatial extents so int32 index arithmetic in kernels cannot overflow. */
#define MCE_MAX_EXTENT (1L << 28)

typedef struct {
    mce_engine *e;
    mce_fb r;
    uint32_t persist;  /* tail bytes requested so far */
    int short_arena;   /* a tail allocation did not fit */
    int32_t op_index;  /* operator being prepared, -1 outside */
} mce_ctx;


/* mce_engine.c */
void mce_msg_append(mce_engine *e, const char *s);
void mce_msg_append_int(mce_engine *e, int64_t v);
mce_status mce_fail(mce_ctx *c, mce_status st, const char *what);
/* mce_prepare.c */
uint32_t mce_align_up(uint32_t v, uint32_t a);
void *mce_tail_alloc(mce_ctx *c, uint32_t bytes);
uint32_t mce_type_size(uint32_t type);
uint32_t mce_elem_count(const mce_tensor *t);
int32_t mce_op_tensor(const mce_engine *e, uint32_t vec, uint32_t n, uint32_t j);
mce_tensor *mce_op_in(const mce_engine *e, const mce_op *op, uint32_t j);
mce_tensor *mce_op_out(const mce_engine *e, const mce_op *op, uint32_t j);
int mce_is_aligned4(const void *p);
mce_status mce_need_type(mce_ctx *c, const mce_tensor *t, uint32_t type, const char *what);
mce_status mce_need_scale(mce_ctx *c, const mce_tensor *t);
mce_status mce_act_range(mce_ctx *c, int32_t act, const mce_tensor *out, int32_t *lo,
                         int32_t *hi);
mce_status mce_setup_bcast(mce_ctx *c, const mce_tensor *a, const mce_tensor *b,
                           const mce_tensor *out, mce_bcast *bc);
mce_status mce_prepare_op(mce_ctx *c, mce_op *op);
uint32_t mce_expected_options(int32_t code);
/* mce_prepare_more.c */
mce_status mce_prep_add(mce_ctx *c, mce_op *op);
mce_status mce_prep_mul(mce_ctx *c, mce_op *op);
mce_status mce_prep_softmax(mce_ctx *c, mce_op *op);
mce_status mce_prep_logistic(mce_ctx *c, mce_op *op);
mce_status mce_prep_reshape(mce_ctx *c, mce_op *op);
mce_status mce_prep_quantize(mce_ctx *c, mce_op *op);
mce_status mce_prep_dequantize(mce_ctx *c, mce_op *op);
mce_status mce_prep_concat(mce_ctx *c, mce_op *op);
mce_status mce_prep_pad(mce_ctx *c, mce_op *op);
mce_status mce_prep_mean(mce_ctx *c, mce_op *op);
/* mce_parse.c */
mce_status mce_parse_tensors(mce_ctx *c, uint32_t tensors_vec, uint32_t buffers_vec,
                             uint32_t n_buffers);
mce_status mce_check_index_vec(mce_ctx *c, uint32_t vec, uint32_t n, int allow_missing);
mce_status mce_parse_ops(mce_ctx *c, uint32_t ops_vec, uint32_t codes_vec, uint32_t n_codes);
/* mce_plan.c */
void mce_set_lifetimes(mce_engine *e);
uint32_t mce_plan_arena(mce_engine *e);

#endif
