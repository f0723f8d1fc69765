/*
 * mce engine core: model parsing (TFLite schema over the zero-copy flatbuffer reader),
 * per-operator validation and constant preparation, arena planning and invocation.
 * This file holds errors, mce_init, mce_invoke (the op dispatch) and the accessors; the steps
 * mce_init runs live in mce_parse.c, mce_prepare.c/mce_prepare_more.c and mce_plan.c
 * (declared in mce_core.h).
 *
 * TFLite schema facts used (field numbers are schema order, 0-based):
 *   Model:         1 operator_codes, 2 subgraphs, 4 buffers (0 version, must be 3)
 *   OperatorCode:  0 deprecated_builtin_code (int8), 1 custom_code, 3 builtin_code (int32);
 *                  the effective code is the larger of the two
 *   SubGraph:      0 tensors, 1 inputs, 2 outputs, 3 operators
 *   Tensor:        0 shape, 1 type, 2 buffer, 4 quantization
 *   Quantization:  2 scale (float[]), 3 zero_point (int64[]), 6 quantized_dimension
 *   Operator:      0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
 *   Buffer:        0 data (ubyte[]), 1 offset (uint64), 2 size (uint64) for data stored
 *                  after the flatbuffer (offset counted from the start of the file)
 * Buffer 0 is the conventional empty buffer; a tensor whose buffer holds bytes is constant.
 *
 * Arena layout (16-byte aligned base): [activations 0..A) ... [persistent tail]. The tail,
 * allocated downwards from the end, holds the tensor table, the operator table and per-channel
 * multipliers/shifts. Activation offsets come from a greedy first-fit planner that places
 * tensors largest first (ties: earlier first use, then lower index) at the lowest offset that
 * does not overlap any already placed tensor whose lifetime [first op, last op] intersects.
 */
#include "mce_core.h"

/* ------------------------------------------------------------------ errors */

const char *mce_status_str(mce_status s)
{
    switch (s) {
    case MCE_OK: return "MCE_OK";
    case MCE_ERR_ARG: return "MCE_ERR_ARG";
    case MCE_ERR_MODEL: return "MCE_ERR_MODEL";
    case MCE_ERR_VERSION: return "MCE_ERR_VERSION";
    case MCE_ERR_UNSUPPORTED_OP: return "MCE_ERR_UNSUPPORTED_OP";
    case MCE_ERR_UNSUPPORTED_TYPE: return "MCE_ERR_UNSUPPORTED_TYPE";
    case MCE_ERR_SHAPE: return "MCE_ERR_SHAPE";
    case MCE_ERR_QUANT: return "MCE_ERR_QUANT";
    case MCE_ERR_ARENA: return "MCE_ERR_ARENA";
    case MCE_ERR_ALIGN: return "MCE_ERR_ALIGN";
    case MCE_ERR_LIMIT: return "MCE_ERR_LIMIT";
    }
    return "MCE_ERR_UNKNOWN";
}

void mce_msg_append(mce_engine *e, const char *s)
{
    size_t len = 0, cap = sizeof e->errmsg - 1;
    while (len < cap && e->errmsg[len])
        len++;
    while (len < cap && *s)
        e->errmsg[len++] = *s++;
    e->errmsg[len] = '\0';
}

void mce_msg_append_int(mce_engine *e, int64_t v)
{
    char buf[24];
    int i = 22;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    buf[23] = '\0';
    do {
        buf[i--] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u && i > 0);
    if (v < 0)
        buf[i--] = '-';
    mce_msg_append(e, &buf[i + 1]);
}

/* Record an error; the message names the operator (index and builtin name) when op >= 0. */
mce_status mce_fail(mce_ctx *c, mce_status st, const char *what)
{
    mce_engine *e = c->e;
    int32_t op = c->op_index;
    e->errmsg[0] = '\0';
    e->last_status = st;
    e->err_op = op;
    mce_msg_append(e, what);
    if (op >= 0 && e->ops && (uint32_t)op < e->n_ops) {
        mce_msg_append(e, " at operator index ");
        mce_msg_append_int(e, op);
        mce_msg_append(e, " (");
        mce_msg_append(e, mce_op_name(e->ops[op].code));
        mce_msg_append(e, ")");
    } else if (op >= 0) {
        mce_msg_append(e, " at operator index ");
        mce_msg_append_int(e, op);
    }
    return st;
}

const char *mce_error_message(const mce_engine *e)
{
    if (!e)
        return "no engine";
    return e->errmsg[0] ? e->errmsg : mce_status_str(e->last_status);
}

int32_t mce_error_op_index(const mce_engine *e)
{
    return e ? e->err_op : -1;
}

uint32_t mce_arena_needed(const mce_engine *e)
{
    return e ? e->arena_needed : 0;
}

const char *mce_kernel_flavour(void)
{
#if !defined(MCE_KERNELS_OPTIMIZED)
    return "reference";
#elif defined(__ARM_FEATURE_DSP)
    return "optimized-dsp";
#else
    return "optimized-portable";
#endif
}

/* ------------------------------------------------------------------ init */

mce_status mce_init(mce_engine *e, const void *model, size_t model_size, void *arena,
                    size_t arena_size)
{
    mce_ctx ctx;
    mce_ctx *c = &ctx;
    mce_fb *r = &ctx.r;
    uint32_t root, subgraphs, n_sub, sg, codes, n_codes, buffers, n_buffers, tensors, ops, i;
    uint32_t version;
    uintptr_t base;
    mce_status st;
    if (!e)
        return MCE_ERR_ARG;
    memset(e, 0, sizeof *e);
    e->err_op = -1;
    memset(c, 0, sizeof *c);
    c->e = e;
    c->op_index = -1;
    if (!model || !arena)
        return mce_fail(c, MCE_ERR_ARG, "NULL model or arena");
    if (model_size < 8 || model_size > 0x7fffffffu)
        return mce_fail(c, MCE_ERR_MODEL, "model size out of range");
    e->model = (const uint8_t *)model;
    e->model_size = (uint32_t)model_size;
    base = ((uintptr_t)arena + (ALIGN_ACT - 1u)) & ~(uintptr_t)(ALIGN_ACT - 1u);
    e->arena = (uint8_t *)base;
    arena_size = arena_size > (size_t)(base - (uintptr_t)arena)
                     ? arena_size - (size_t)(base - (uintptr_t)arena)
                     : 0;
    e->arena_size = arena_size > 0x7fffffffu ? 0x7fffffffu : (uint32_t)arena_size;
    e->arena_size &= ~(ALIGN_TAIL - 1u);

    r->p = e->model;
    r->n = e->model_size;
    r->bad = 0;
    root = mce_fb_u32_at(r, 0);
    if (root < 8 || root >= r->n)
        return mce_fail(c, MCE_ERR_MODEL, "root table offset out of bounds");
    version = mce_fb_u32(r, root, 0, 0);
    subgraphs = mce_fb_vec(r, root, 2, 4, &n_sub);
    codes = mce_fb_vec(r, root, 1, 4, &n_codes);
    buffers = mce_fb_vec(r, root, 4, 4, &n_buffers);
    if (r->bad)
        return mce_fail(c, MCE_ERR_MODEL, "model table out of bounds");
    if (version != 3)
        return mce_fail(c, MCE_ERR_VERSION, "schema version is not 3");
    if (n_sub < 1)
        return mce_fail(c, MCE_ERR_VERSION, "model has no subgraph");
    sg = mce_fb_vec_table(r, subgraphs, n_sub, 0);
    tensors = mce_fb_vec(r, sg, 0, 4, &e->n_tensors);
    e->in_vec = mce_fb_vec(r, sg, 1, 4, &e->n_inputs);
    e->out_vec = mce_fb_vec(r, sg, 2, 4, &e->n_outputs);
    ops = mce_fb_vec(r, sg, 3, 4, &e->n_ops);
    if (r->bad)
        return mce_fail(c, MCE_ERR_MODEL, "subgraph table out of bounds");
    if (e->n_tensors > 65535 || e->n_ops > 65535)
        return mce_fail(c, MCE_ERR_LIMIT, "too many tensors or operators");

    /* Tables first: without them we cannot plan, so a failure here reports a lower bound. */
    e->tensors = (mce_tensor *)mce_tail_alloc(c, e->n_tensors * (uint32_t)sizeof(mce_tensor));
    e->ops = (mce_op *)mce_tail_alloc(c, e->n_ops * (uint32_t)sizeof(mce_op));
    if (c->short_arena) {
        e->tensors = NULL;
        e->ops = NULL;
        e->arena_needed = c->persist;
        e->persistent_bytes = c->persist;
        return mce_fail(c, MCE_ERR_ARENA, "arena too small for the tensor/operator tables");
    }
    if ((st = mce_parse_tensors(c, tensors, buffers, n_buffers)))
        return st;
    if ((st = mce_check_index_vec(c, e->in_vec, e->n_inputs, 0)) ||
        (st = mce_check_index_vec(c, e->out_vec, e->n_outputs, 0)))
        return st;
    for (i = 0; i < e->n_inputs; i++)
        if (e->tensors[mce_rd_i32(e->model + e->in_vec + 4u * i)].is_const)
            return mce_fail(c, MCE_ERR_MODEL, "graph input is a constant tensor");
    if ((st = mce_parse_ops(c, ops, codes, n_codes)))
        return st;
    for (i = 0; i < e->n_ops; i++) {
        c->op_index = (int32_t)i;
        if ((st = mce_prepare_op(c, &e->ops[i])))
            return st;
        if (r->bad)
            return mce_fail(c, MCE_ERR_MODEL, "operator data out of bounds");
    }
    c->op_index = -1;
    mce_set_lifetimes(e);
    for (i = 0; i < e->n_tensors; i++) {
        const mce_tensor *t = &e->tensors[i];
        if (t->first >= 0 && mce_type_size(t->type) == 0)
            return mce_fail(c, MCE_ERR_UNSUPPORTED_TYPE, "activation tensor of unsupported type");
    }
    e->activation_bytes = mce_plan_arena(e);
    e->persistent_bytes = c->persist;
    e->arena_needed = e->activation_bytes + c->persist;
    if (c->short_arena || e->arena_needed > e->arena_size) {
        mce_fail(c, MCE_ERR_ARENA, "arena too small: need ");
        mce_msg_append(e, "");
        mce_msg_append_int(e, e->arena_needed);
        mce_msg_append(e, " bytes, have ");
        mce_msg_append_int(e, e->arena_size);
        return MCE_ERR_ARENA;
    }
    for (i = 0; i < e->n_tensors; i++) {
        mce_tensor *t = &e->tensors[i];
        if (!t->is_const)
            t->data = t->first >= 0 ? e->arena + t->offset : NULL;
    }
    for (i = 0; i < e->n_ops; i++) {
        mce_op *op = &e->ops[i];
        if (op->code == MCE_OP_CONV_2D)
            op->p.conv.scratch = op->scratch_bytes ? e->arena + op->scratch_offset : NULL;
    }
    e->ready = 1;
    e->last_status = MCE_OK;
    return MCE_OK;
}

/* ------------------------------------------------------------------ invoke */

mce_status mce_invoke(mce_engine *e)
{
    mce_ctx ctx;
    uint32_t i;
    if (!e || !e->ready)
        return MCE_ERR_ARG;
    memset(&ctx, 0, sizeof ctx);
    ctx.e = e;
    for (i = 0; i < e->n_ops; i++) {
        mce_op *op = &e->ops[i];
        mce_tensor *in0 = mce_op_in(e, op, 0), *in1 = mce_op_in(e, op, 1), *in2 = mce_op_in(e, op, 2);
        mce_tensor *out = mce_op_out(e, op, 0);
        const int32_t *bias = in2 ? (const int32_t *)(const void *)in2->data : NULL;
        switch (op->code) {
        case MCE_OP_CONV_2D:
            mce_conv2d_s8(&op->p.conv, (const int8_t *)in0->data, (const int8_t *)in1->data,
                          bias, (int8_t *)out->data);
            break;
        case MCE_OP_DEPTHWISE_CONV_2D:
            mce_depthwise_conv2d_s8(&op->p.dw, (const int8_t *)in0->data,
                                    (const int8_t *)in1->data, bias, (int8_t *)out->data);
            break;
        case MCE_OP_FULLY_CONNECTED:
            mce_fully_connected_s8(&op->p.fc, (const int8_t *)in0->data,
                                   (const int8_t *)in1->data, bias, (int8_t *)out->data);
            break;
        case MCE_OP_AVERAGE_POOL_2D:
            if (mce_avg_pool2d_s8(&op->p.pool, (const int8_t *)in0->data, (int8_t *)out->data)) {
                ctx.op_index = (int32_t)i;
                return mce_fail(&ctx, MCE_ERR_SHAPE, "pooling window without input elements");
            }
            break;
        case MCE_OP_MAX_POOL_2D:
            mce_max_pool2d_s8(&op->p.pool, (const int8_t *)in0->data, (int8_t *)out->data);
            break;
        case MCE_OP_ADD:
            mce_add_s8(&op->p.add, (const int8_t *)in0->data, (const int8_t *)in1->data,
                       (int8_t *)out->data);
            break;
        case MCE_OP_MUL:
            mce_mul_s8(&op->p.mul, (const int8_t *)in0->data, (const int8_t *)in1->data,
                       (int8_t *)out->data);
            break;
        case MCE_OP_SOFTMAX:
            mce_softmax_s8(&op->p.softmax, (const int8_t *)in0->data, (int8_t *)out->data);
            break;
        case MCE_OP_LOGISTIC:
            mce_logistic_s8(&op->p.logistic, (const int8_t *)in0->data, (int8_t *)out->data);
            break;
        case MCE_OP_RESHAPE:
        case MCE_OP_SQUEEZE:
            mce_reshape(in0->data, out->data, out->bytes);
            break;
        case MCE_OP_QUANTIZE:
            if (op->variant == 0)
                mce_quantize_f32_s8(&op->p.quantize, (const float *)(const void *)in0->data,
                                    (int8_t *)out->data);
            else
                mce_requantize_s8(&op->p.requantize, (const int8_t *)in0->data,
                                  (int8_t *)out->data);
            break;
        case MCE_OP_DEQUANTIZE:
            mce_dequantize_s8_f32(&op->p.dequantize, (const int8_t *)in0->data,
                                  (float *)(void *)out->data);
            break;
        case MCE_OP_CONCATENATION: {
            const int8_t *ins[MCE_MAX_CONCAT_INPUTS];
            int32_t inner[MCE_MAX_CONCAT_INPUTS];
            uint32_t k;
            for (k = 0; k < op->n_in; k++) {
                const mce_tensor *t = mce_op_in(e, op, k);
                ins[k] = (const int8_t *)t->data;
                inner[k] = op->p.concat.outer ? (int32_t)(mce_elem_count(t) / (uint32_t)op->p.concat.outer) : 0;
            }
            mce_concatenation_s8(&op->p.concat, ins, inner, (int32_t)op->n_in, (int8_t *)out->data);
            break;
        }
        case MCE_OP_PAD:
        case MCE_OP_PADV2:
            mce_pad_s8(&op->p.pad, (const int8_t *)in0->data, (int8_t *)out->data);
            break;
        case MCE_OP_MEAN:
            mce_mean_s8(&op->p.mean, (const int8_t *)in0->data, (int8_t *)out->data);
            break;
        default:
            ctx.op_index = (int32_t)i;
            return mce_fail(&ctx, MCE_ERR_UNSUPPORTED_OP, "unsupported operator");
        }
    }
    return MCE_OK;
}

/* ------------------------------------------------------------------ accessors */

uint32_t mce_num_inputs(const mce_engine *e)
{
    return e && e->ready ? e->n_inputs : 0;
}

uint32_t mce_num_outputs(const mce_engine *e)
{
    return e && e->ready ? e->n_outputs : 0;
}

static mce_status tensor_info(const mce_engine *e, uint32_t vec, uint32_t n, uint32_t index,
                       mce_tensor_info *info)
{
    const mce_tensor *t;
    int d;
    if (!e || !e->ready || !info || index >= n)
        return MCE_ERR_ARG;
    t = &e->tensors[mce_rd_i32(e->model + vec + 4u * index)];
    info->data = t->data;
    info->bytes = t->bytes;
    info->type = t->type;
    info->ndim = t->ndim;
    for (d = 0; d < MCE_MAX_DIMS; d++)
        info->dims[d] = d < t->ndim ? t->dims[d] : 0;
    info->scale = t->scale;
    info->zero_point = t->zero_point;
    return MCE_OK;
}

mce_status mce_input(const mce_engine *e, uint32_t index, mce_tensor_info *info)
{
    return e ? tensor_info(e, e->in_vec, e->n_inputs, index, info) : MCE_ERR_ARG;
}

mce_status mce_output(const mce_engine *e, uint32_t index, mce_tensor_info *info)
{
    return e ? tensor_info(e, e->out_vec, e->n_outputs, index, info) : MCE_ERR_ARG;
}
