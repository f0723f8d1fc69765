/* mce engine core: helpers and per-operator validation and constant preparation (conv-like
 * ops, pooling), the prepare dispatch and the options each op expects (see mce_core.h). */
#include "mce_core.h"

/* ------------------------------------------------------------------ helpers */

uint32_t mce_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) & ~(a - 1u);
}

void *mce_tail_alloc(mce_ctx *c, uint32_t bytes)
{
    mce_engine *e = c->e;
    bytes = mce_align_up(bytes, ALIGN_TAIL);
    if (bytes > e->arena_size - c->persist || c->short_arena) {
        c->persist += bytes;
        c->short_arena = 1;
        return NULL;
    }
    c->persist += bytes;
    return e->arena + (e->arena_size - c->persist);
}

uint32_t mce_type_size(uint32_t type)
{
    switch (type) {
    case 0: return 4;  /* FLOAT32 */
    case 1: return 2;  /* FLOAT16 */
    case 2: return 4;  /* INT32 */
    case 3: return 1;  /* UINT8 */
    case 4: return 8;  /* INT64 */
    case 6: return 1;  /* BOOL */
    case 7: return 2;  /* INT16 */
    case 9: return 1;  /* INT8 */
    case 10: return 8; /* FLOAT64 */
    case 15: return 4; /* UINT32 */
    case 16: return 2; /* UINT16 */
    default: return 0; /* strings, packed int4, complex, ...: not supported */
    }
}

uint32_t mce_elem_count(const mce_tensor *t)
{
    uint32_t n = 1, d;
    for (d = 0; d < t->ndim; d++)
        n *= (uint32_t)t->dims[d];
    return n;
}

/* Tensor index of operator input/output j, or -1 when absent/optional. */
int32_t mce_op_tensor(const mce_engine *e, uint32_t vec, uint32_t n, uint32_t j)
{
    if (j >= n)
        return -1;
    return mce_rd_i32(e->model + vec + 4u * j);
}

mce_tensor *mce_op_in(const mce_engine *e, const mce_op *op, uint32_t j)
{
    int32_t t = mce_op_tensor(e, op->in_vec, op->n_in, j);
    return t < 0 ? NULL : &e->tensors[t];
}

mce_tensor *mce_op_out(const mce_engine *e, const mce_op *op, uint32_t j)
{
    int32_t t = mce_op_tensor(e, op->out_vec, op->n_out, j);
    return t < 0 ? NULL : &e->tensors[t];
}

/* Per-channel scale vector of a tensor (position of element 0 and count). */
static uint32_t tensor_scales(mce_ctx *c, const mce_tensor *t, uint32_t *count)
{
    *count = 0;
    if (!t->quant)
        return 0;
    return mce_fb_vec(&c->r, t->quant, 2, 4, count);
}

/* True when every zero point of the tensor is 0. */
static int zero_points_all_zero(mce_ctx *c, const mce_tensor *t)
{
    uint32_t n, i, pos;
    if (!t->quant)
        return 1;
    pos = mce_fb_vec(&c->r, t->quant, 3, 8, &n);
    for (i = 0; i < n; i++)
        if (mce_rd_u32(c->r.p + pos + 8u * i) != 0 || mce_rd_u32(c->r.p + pos + 8u * i + 4u) != 0)
            return 0;
    return 1;
}

int mce_is_aligned4(const void *p)
{
    return ((uintptr_t)p & 3u) == 0;
}

/* Output size and leading padding for one spatial dimension, TFLite conventions. */
static mce_status conv_geometry(mce_ctx *c, uint32_t padding, int32_t in, int32_t k,
                         int32_t stride, int32_t dil, int32_t want_out, int32_t *pad)
{
    int64_t eff, out, total;
    if (stride < 1 || dil < 1 || k < 1 || in < 1 || in > MCE_MAX_EXTENT ||
        stride > MCE_MAX_EXTENT || dil > MCE_MAX_EXTENT)
        return mce_fail(c, MCE_ERR_SHAPE, "bad stride/dilation/filter size");
    eff = (int64_t)(k - 1) * dil + 1;
    if (eff > MCE_MAX_EXTENT)
        return mce_fail(c, MCE_ERR_SHAPE, "filter extent too large");
    if (padding == MCE_PAD_SAME)
        out = ((int64_t)in + stride - 1) / stride;
    else if (padding == MCE_PAD_VALID)
        out = ((int64_t)in + stride - eff) / stride;
    else
        return mce_fail(c, MCE_ERR_SHAPE, "unknown padding type");
    if (out != want_out || out < 1)
        return mce_fail(c, MCE_ERR_SHAPE, "output shape does not match padding/stride");
    total = (out - 1) * stride + eff - in;
    if (total < 0)
        total = 0;
    if ((out - 1) * stride + eff > MCE_MAX_EXTENT)
        return mce_fail(c, MCE_ERR_SHAPE, "window extent too large");
    *pad = (int32_t)(total / 2);
    return MCE_OK;
}

mce_status mce_need_type(mce_ctx *c, const mce_tensor *t, uint32_t type, const char *what)
{
    if (!t)
        return mce_fail(c, MCE_ERR_MODEL, what);
    if (t->type != type)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_TYPE, what);
    return MCE_OK;
}

mce_status mce_need_scale(mce_ctx *c, const mce_tensor *t)
{
    if (!(t->scale > 0.0f) || t->scale > 1e30f)
        return mce_fail(c, MCE_ERR_QUANT, "tensor lacks a usable quantization scale");
    return MCE_OK;
}

/* Per-channel multipliers of conv-like ops: real_c = in_scale * w_scale_c / out_scale. */
static mce_status prepare_channel_mults(mce_ctx *c, const mce_tensor *in, const mce_tensor *w,
                                 const mce_tensor *out, int32_t channels,
                                 const int32_t **mult_out, const int32_t **shift_out,
                                 int32_t *per_channel)
{
    uint32_t n_scales, pos, i;
    int32_t *mult, *shift;
    mce_status st;
    if ((st = mce_need_scale(c, in)) || (st = mce_need_scale(c, out)))
        return st;
    pos = tensor_scales(c, w, &n_scales);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad weight quantization table");
    if (n_scales != 1 && n_scales != (uint32_t)channels)
        return mce_fail(c, MCE_ERR_QUANT, "weight scale count is neither 1 nor the channel count");
    if (per_channel)
        *per_channel = n_scales > 1;
    mult = (int32_t *)mce_tail_alloc(c, 4u * n_scales);
    shift = (int32_t *)mce_tail_alloc(c, 4u * n_scales);
    if (!mult || !shift) {
        *mult_out = *shift_out = NULL;
        return MCE_OK; /* arena too small: keep counting, fail at the end */
    }
    for (i = 0; i < n_scales; i++) {
        float ws = mce_rd_f32(c->r.p + pos + 4u * i);
        double real;
        if (!(ws >= 0.0f) || ws > 1e30f)
            return mce_fail(c, MCE_ERR_QUANT, "bad weight scale");
        real = (double)in->scale * (double)ws / (double)out->scale;
        mce_quantize_multiplier(real, &mult[i], &shift[i]);
        if (shift[i] > 30)
            return mce_fail(c, MCE_ERR_QUANT, "requantization multiplier out of range");
    }
    *mult_out = mult;
    *shift_out = shift;
    return MCE_OK;
}

/* Multiplier arrays for per-tensor conv weights are broadcast to every channel. */
static mce_status expand_single(mce_ctx *c, int32_t channels, const int32_t **mult,
                         const int32_t **shift)
{
    int32_t *m2, *s2, i;
    if (!*mult)
        return MCE_OK;
    m2 = (int32_t *)mce_tail_alloc(c, 4u * (uint32_t)channels);
    s2 = (int32_t *)mce_tail_alloc(c, 4u * (uint32_t)channels);
    if (!m2 || !s2) {
        *mult = *shift = NULL;
        return MCE_OK;
    }
    for (i = 0; i < channels; i++) {
        m2[i] = (*mult)[0];
        s2[i] = (*shift)[0];
    }
    *mult = m2;
    *shift = s2;
    return MCE_OK;
}

static mce_status check_bias(mce_ctx *c, const mce_tensor *bias, int32_t channels)
{
    if (!bias)
        return MCE_OK;
    if (bias->type != MCE_TYPE_INT32)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_TYPE, "bias must be int32");
    if (mce_elem_count(bias) != (uint32_t)channels)
        return mce_fail(c, MCE_ERR_SHAPE, "bias length differs from the output channels");
    if (bias->is_const && !mce_is_aligned4(bias->data))
        return mce_fail(c, MCE_ERR_ALIGN, "bias data is not 4-byte aligned");
    return MCE_OK;
}

mce_status mce_act_range(mce_ctx *c, int32_t act, const mce_tensor *out, int32_t *lo,
                         int32_t *hi)
{
    if (mce_act_range_s8(act, out->scale, out->zero_point, lo, hi) != 0)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported fused activation");
    return MCE_OK;
}

/* ------------------------------------------------------------------ per-op prepare */

static mce_status prep_conv(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *w = mce_op_in(e, op, 1), *bias = mce_op_in(e, op, 2);
    mce_tensor *out = mce_op_out(e, op, 0);
    mce_conv_params *p = &op->p.conv;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "CONV_2D input must be int8")) ||
        (st = mce_need_type(c, w, MCE_TYPE_INT8, "CONV_2D filter must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "CONV_2D output must be int8")))
        return st;
    if (in->ndim != 4 || w->ndim != 4 || out->ndim != 4)
        return mce_fail(c, MCE_ERR_SHAPE, "CONV_2D tensors must be 4-D");
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->out_c = w->dims[0];
    p->k_h = w->dims[1];
    p->k_w = w->dims[2];
    p->filter_in_c = w->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (p->filter_in_c < 1 || p->in_c % p->filter_in_c != 0 || p->out_c < 1 ||
        p->out_c % (p->in_c / p->filter_in_c) != 0 || out->dims[0] != p->batches ||
        out->dims[3] != p->out_c)
        return mce_fail(c, MCE_ERR_SHAPE, "CONV_2D channel/batch mismatch");
    if ((st = check_bias(c, bias, p->out_c)))
        return st;
    padding = mce_fb_u8(&c->r, opt, 0, 0);
    p->stride_w = mce_fb_i32(&c->r, opt, 1, 0);
    p->stride_h = mce_fb_i32(&c->r, opt, 2, 0);
    act = (int32_t)mce_fb_u8(&c->r, opt, 3, 0);
    p->dil_w = mce_fb_i32(&c->r, opt, 4, 1);
    p->dil_h = mce_fb_i32(&c->r, opt, 5, 1);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad CONV_2D options");
    if ((st = conv_geometry(c, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w,
                            &p->pad_left)))
        return st;
    if (!zero_points_all_zero(c, w))
        return mce_fail(c, MCE_ERR_QUANT, "CONV_2D int8 weights must have zero point 0");
    if ((st = prepare_channel_mults(c, in, w, out, p->out_c, &p->mult, &p->shift, NULL)))
        return st;
    {
        uint32_t n;
        tensor_scales(c, w, &n);
        if (n == 1 && (st = expand_single(c, p->out_c, &p->mult, &p->shift)))
            return st;
    }
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    p->scratch = NULL;
    op->scratch_bytes = mce_conv2d_s8_scratch_bytes(p);
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_depthwise(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *w = mce_op_in(e, op, 1), *bias = mce_op_in(e, op, 2);
    mce_tensor *out = mce_op_out(e, op, 0);
    mce_dw_params *p = &op->p.dw;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D input must be int8")) ||
        (st = mce_need_type(c, w, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D filter must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D output must be int8")))
        return st;
    if (in->ndim != 4 || w->ndim != 4 || out->ndim != 4)
        return mce_fail(c, MCE_ERR_SHAPE, "DEPTHWISE_CONV_2D tensors must be 4-D");
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->k_h = w->dims[1];
    p->k_w = w->dims[2];
    p->out_c = w->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (w->dims[0] != 1 || p->in_c < 1 || p->out_c < 1 || p->out_c % p->in_c != 0 ||
        out->dims[0] != p->batches || out->dims[3] != p->out_c)
        return mce_fail(c, MCE_ERR_SHAPE, "DEPTHWISE_CONV_2D channel/batch mismatch");
    p->depth_multiplier = p->out_c / p->in_c;
    if ((st = check_bias(c, bias, p->out_c)))
        return st;
    padding = mce_fb_u8(&c->r, opt, 0, 0);
    p->stride_w = mce_fb_i32(&c->r, opt, 1, 0);
    p->stride_h = mce_fb_i32(&c->r, opt, 2, 0);
    act = (int32_t)mce_fb_u8(&c->r, opt, 4, 0);
    p->dil_w = mce_fb_i32(&c->r, opt, 5, 1);
    p->dil_h = mce_fb_i32(&c->r, opt, 6, 1);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad DEPTHWISE_CONV_2D options");
    if ((st = conv_geometry(c, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w,
                            &p->pad_left)))
        return st;
    if (!zero_points_all_zero(c, w))
        return mce_fail(c, MCE_ERR_QUANT, "DEPTHWISE_CONV_2D int8 weights must have zero point 0");
    if ((st = prepare_channel_mults(c, in, w, out, p->out_c, &p->mult, &p->shift, NULL)))
        return st;
    {
        uint32_t n;
        tensor_scales(c, w, &n);
        if (n == 1 && (st = expand_single(c, p->out_c, &p->mult, &p->shift)))
            return st;
    }
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_fc(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *w = mce_op_in(e, op, 1), *bias = mce_op_in(e, op, 2);
    mce_tensor *out = mce_op_out(e, op, 0);
    mce_fc_params *p = &op->p.fc;
    mce_status st;
    uint32_t opt = op->options, in_elems;
    int32_t act;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "FULLY_CONNECTED input must be int8")) ||
        (st = mce_need_type(c, w, MCE_TYPE_INT8, "FULLY_CONNECTED weights must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "FULLY_CONNECTED output must be int8")))
        return st;
    if (w->ndim != 2 || w->dims[1] < 1)
        return mce_fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED weights must be 2-D");
    p->out_depth = w->dims[0];
    p->in_depth = w->dims[1];
    in_elems = mce_elem_count(in);
    if (in_elems % (uint32_t)p->in_depth != 0)
        return mce_fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED input size is not a multiple of depth");
    p->batches = (int32_t)(in_elems / (uint32_t)p->in_depth);
    if (mce_elem_count(out) != (uint32_t)p->batches * (uint32_t)p->out_depth)
        return mce_fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED output size mismatch");
    if ((st = check_bias(c, bias, p->out_depth)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, opt, 0, 0);
    if (mce_fb_u8(&c->r, opt, 1, 0) != 0)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_OP, "FULLY_CONNECTED shuffled weights format");
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad FULLY_CONNECTED options");
    if ((st = prepare_channel_mults(c, in, w, out, p->out_depth, &p->mult, &p->shift,
                                    &p->per_channel)))
        return st;
    if (p->per_channel) {
        if (!zero_points_all_zero(c, w))
            return mce_fail(c, MCE_ERR_QUANT, "per-channel weights must have zero point 0");
        p->filter_offset = 0;
    } else {
        p->filter_offset = -w->zero_point;
    }
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_pool(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    mce_pool_params *p = &op->p.pool;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "pooling input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "pooling output must be int8")))
        return st;
    if (in->ndim != 4 || out->ndim != 4)
        return mce_fail(c, MCE_ERR_SHAPE, "pooling tensors must be 4-D");
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->depth = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->depth)
        return mce_fail(c, MCE_ERR_SHAPE, "pooling batch/depth mismatch");
    padding = mce_fb_u8(&c->r, opt, 0, 0);
    p->stride_w = mce_fb_i32(&c->r, opt, 1, 0);
    p->stride_h = mce_fb_i32(&c->r, opt, 2, 0);
    p->filter_w = mce_fb_i32(&c->r, opt, 3, 0);
    p->filter_h = mce_fb_i32(&c->r, opt, 4, 0);
    act = (int32_t)mce_fb_u8(&c->r, opt, 5, 0);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad pooling options");
    if ((st = conv_geometry(c, padding, p->in_h, p->filter_h, p->stride_h, 1, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->filter_w, p->stride_w, 1, p->out_w,
                            &p->pad_left)))
        return st;
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

/* Broadcast two tensors to the output shape (left-padded to MCE_MAX_DIMS). */
mce_status mce_setup_bcast(mce_ctx *c, const mce_tensor *a, const mce_tensor *b,
                           const mce_tensor *out, mce_bcast *bc)
{
    const mce_tensor *ins[2];
    int32_t *strides[2];
    int k, d;
    ins[0] = a;
    ins[1] = b;
    strides[0] = bc->in1_strides;
    strides[1] = bc->in2_strides;
    if (a->ndim > out->ndim || b->ndim > out->ndim)
        return mce_fail(c, MCE_ERR_SHAPE, "input rank exceeds output rank");
    for (d = 0; d < MCE_MAX_DIMS; d++) {
        int od = d - (MCE_MAX_DIMS - out->ndim);
        bc->out_dims[d] = od >= 0 ? out->dims[od] : 1;
    }
    for (k = 0; k < 2; k++) {
        int32_t stride = 1;
        for (d = MCE_MAX_DIMS - 1; d >= 0; d--) {
            int id = d - (MCE_MAX_DIMS - ins[k]->ndim);
            int32_t dim = id >= 0 ? ins[k]->dims[id] : 1;
            if (dim == bc->out_dims[d]) {
                strides[k][d] = dim == 1 ? 0 : stride;
            } else if (dim == 1) {
                strides[k][d] = 0;
            } else {
                return mce_fail(c, MCE_ERR_SHAPE, "shapes do not broadcast to the output");
            }
            stride *= dim;
        }
    }
    for (d = 0; d < MCE_MAX_DIMS; d++) {
        int id1 = d - (MCE_MAX_DIMS - a->ndim), id2 = d - (MCE_MAX_DIMS - b->ndim);
        int32_t d1 = id1 >= 0 ? a->dims[id1] : 1, d2 = id2 >= 0 ? b->dims[id2] : 1;
        if (bc->out_dims[d] != (d1 > d2 ? d1 : d2))
            return mce_fail(c, MCE_ERR_SHAPE, "output shape is not the broadcast shape");
    }
    return MCE_OK;
}

mce_status mce_prepare_op(mce_ctx *c, mce_op *op)
{
    switch (op->code) {
    case MCE_OP_CONV_2D: return prep_conv(c, op);
    case MCE_OP_DEPTHWISE_CONV_2D: return prep_depthwise(c, op);
    case MCE_OP_FULLY_CONNECTED: return prep_fc(c, op);
    case MCE_OP_AVERAGE_POOL_2D:
    case MCE_OP_MAX_POOL_2D: return prep_pool(c, op);
    case MCE_OP_ADD: return mce_prep_add(c, op);
    case MCE_OP_MUL: return mce_prep_mul(c, op);
    case MCE_OP_SOFTMAX: return mce_prep_softmax(c, op);
    case MCE_OP_LOGISTIC: return mce_prep_logistic(c, op);
    case MCE_OP_RESHAPE:
    case MCE_OP_SQUEEZE: return mce_prep_reshape(c, op);
    case MCE_OP_QUANTIZE: return mce_prep_quantize(c, op);
    case MCE_OP_DEQUANTIZE: return mce_prep_dequantize(c, op);
    case MCE_OP_CONCATENATION: return mce_prep_concat(c, op);
    case MCE_OP_PAD:
    case MCE_OP_PADV2: return mce_prep_pad(c, op);
    case MCE_OP_MEAN: return mce_prep_mean(c, op);
    default: break;
    }
    {
        int32_t idx = c->op_index;
        c->op_index = -1;
        mce_fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported operator ");
        mce_msg_append(c->e, mce_op_name(op->code));
        mce_msg_append(c->e, " (builtin ");
        mce_msg_append_int(c->e, op->code);
        mce_msg_append(c->e, ") at operator index ");
        mce_msg_append_int(c->e, idx);
        c->e->err_op = idx;
        return MCE_ERR_UNSUPPORTED_OP;
    }
}

/* Builtin options union type each supported op expects (0: none expected). */
uint32_t mce_expected_options(int32_t code)
{
    switch (code) {
    case MCE_OP_CONV_2D: return MCE_OPT_CONV2D;
    case MCE_OP_DEPTHWISE_CONV_2D: return MCE_OPT_DEPTHWISE;
    case MCE_OP_FULLY_CONNECTED: return MCE_OPT_FULLY_CONNECTED;
    case MCE_OP_AVERAGE_POOL_2D:
    case MCE_OP_MAX_POOL_2D: return MCE_OPT_POOL2D;
    case MCE_OP_ADD: return MCE_OPT_ADD;
    case MCE_OP_MUL: return MCE_OPT_MUL;
    case MCE_OP_SOFTMAX: return MCE_OPT_SOFTMAX;
    case MCE_OP_CONCATENATION: return MCE_OPT_CONCATENATION;
    case MCE_OP_MEAN: return MCE_OPT_REDUCER;
    default: return 0;
    }
}

