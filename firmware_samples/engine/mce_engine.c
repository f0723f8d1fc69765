/*
 * mce engine core: model parsing (TFLite schema over the zero-copy flatbuffer reader),
 * per-operator validation and constant preparation, arena planning and invocation.
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

static void msg_append(mce_engine *e, const char *s)
{
    size_t len = 0, cap = sizeof e->errmsg - 1;
    while (len < cap && e->errmsg[len])
        len++;
    while (len < cap && *s)
        e->errmsg[len++] = *s++;
    e->errmsg[len] = '\0';
}

static void msg_append_int(mce_engine *e, int64_t v)
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
    msg_append(e, &buf[i + 1]);
}

/* Record an error; the message names the operator (index and builtin name) when op >= 0. */
static mce_status fail(mce_ctx *c, mce_status st, const char *what)
{
    mce_engine *e = c->e;
    int32_t op = c->op_index;
    e->errmsg[0] = '\0';
    e->last_status = st;
    e->err_op = op;
    msg_append(e, what);
    if (op >= 0 && e->ops && (uint32_t)op < e->n_ops) {
        msg_append(e, " at operator index ");
        msg_append_int(e, op);
        msg_append(e, " (");
        msg_append(e, mce_op_name(e->ops[op].code));
        msg_append(e, ")");
    } else if (op >= 0) {
        msg_append(e, " at operator index ");
        msg_append_int(e, op);
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

/* ------------------------------------------------------------------ helpers */

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) & ~(a - 1u);
}

static void *tail_alloc(mce_ctx *c, uint32_t bytes)
{
    mce_engine *e = c->e;
    bytes = align_up(bytes, ALIGN_TAIL);
    if (bytes > e->arena_size - c->persist || c->short_arena) {
        c->persist += bytes;
        c->short_arena = 1;
        return NULL;
    }
    c->persist += bytes;
    return e->arena + (e->arena_size - c->persist);
}

static uint32_t type_size(uint32_t type)
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

static uint32_t elem_count(const mce_tensor *t)
{
    uint32_t n = 1, d;
    for (d = 0; d < t->ndim; d++)
        n *= (uint32_t)t->dims[d];
    return n;
}

/* Tensor index of operator input/output j, or -1 when absent/optional. */
static int32_t op_tensor(const mce_engine *e, uint32_t vec, uint32_t n, uint32_t j)
{
    if (j >= n)
        return -1;
    return mce_rd_i32(e->model + vec + 4u * j);
}

static mce_tensor *op_in(const mce_engine *e, const mce_op *op, uint32_t j)
{
    int32_t t = op_tensor(e, op->in_vec, op->n_in, j);
    return t < 0 ? NULL : &e->tensors[t];
}

static mce_tensor *op_out(const mce_engine *e, const mce_op *op, uint32_t j)
{
    int32_t t = op_tensor(e, op->out_vec, op->n_out, j);
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

static int is_aligned4(const void *p)
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
        return fail(c, MCE_ERR_SHAPE, "bad stride/dilation/filter size");
    eff = (int64_t)(k - 1) * dil + 1;
    if (eff > MCE_MAX_EXTENT)
        return fail(c, MCE_ERR_SHAPE, "filter extent too large");
    if (padding == MCE_PAD_SAME)
        out = ((int64_t)in + stride - 1) / stride;
    else if (padding == MCE_PAD_VALID)
        out = ((int64_t)in + stride - eff) / stride;
    else
        return fail(c, MCE_ERR_SHAPE, "unknown padding type");
    if (out != want_out || out < 1)
        return fail(c, MCE_ERR_SHAPE, "output shape does not match padding/stride");
    total = (out - 1) * stride + eff - in;
    if (total < 0)
        total = 0;
    if ((out - 1) * stride + eff > MCE_MAX_EXTENT)
        return fail(c, MCE_ERR_SHAPE, "window extent too large");
    *pad = (int32_t)(total / 2);
    return MCE_OK;
}

static mce_status need_type(mce_ctx *c, const mce_tensor *t, uint32_t type, const char *what)
{
    if (!t)
        return fail(c, MCE_ERR_MODEL, what);
    if (t->type != type)
        return fail(c, MCE_ERR_UNSUPPORTED_TYPE, what);
    return MCE_OK;
}

static mce_status need_scale(mce_ctx *c, const mce_tensor *t)
{
    if (!(t->scale > 0.0f) || t->scale > 1e30f)
        return fail(c, MCE_ERR_QUANT, "tensor lacks a usable quantization scale");
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
    if ((st = need_scale(c, in)) || (st = need_scale(c, out)))
        return st;
    pos = tensor_scales(c, w, &n_scales);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad weight quantization table");
    if (n_scales != 1 && n_scales != (uint32_t)channels)
        return fail(c, MCE_ERR_QUANT, "weight scale count is neither 1 nor the channel count");
    if (per_channel)
        *per_channel = n_scales > 1;
    mult = (int32_t *)tail_alloc(c, 4u * n_scales);
    shift = (int32_t *)tail_alloc(c, 4u * n_scales);
    if (!mult || !shift) {
        *mult_out = *shift_out = NULL;
        return MCE_OK; /* arena too small: keep counting, fail at the end */
    }
    for (i = 0; i < n_scales; i++) {
        float ws = mce_rd_f32(c->r.p + pos + 4u * i);
        double real;
        if (!(ws >= 0.0f) || ws > 1e30f)
            return fail(c, MCE_ERR_QUANT, "bad weight scale");
        real = (double)in->scale * (double)ws / (double)out->scale;
        mce_quantize_multiplier(real, &mult[i], &shift[i]);
        if (shift[i] > 30)
            return fail(c, MCE_ERR_QUANT, "requantization multiplier out of range");
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
    m2 = (int32_t *)tail_alloc(c, 4u * (uint32_t)channels);
    s2 = (int32_t *)tail_alloc(c, 4u * (uint32_t)channels);
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
        return fail(c, MCE_ERR_UNSUPPORTED_TYPE, "bias must be int32");
    if (elem_count(bias) != (uint32_t)channels)
        return fail(c, MCE_ERR_SHAPE, "bias length differs from the output channels");
    if (bias->is_const && !is_aligned4(bias->data))
        return fail(c, MCE_ERR_ALIGN, "bias data is not 4-byte aligned");
    return MCE_OK;
}

static mce_status act_range(mce_ctx *c, int32_t act, const mce_tensor *out, int32_t *lo,
                            int32_t *hi)
{
    if (mce_act_range_s8(act, out->scale, out->zero_point, lo, hi) != 0)
        return fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported fused activation");
    return MCE_OK;
}

/* ------------------------------------------------------------------ per-op prepare */

static mce_status prep_conv(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *w = op_in(e, op, 1), *bias = op_in(e, op, 2);
    mce_tensor *out = op_out(e, op, 0);
    mce_conv_params *p = &op->p.conv;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "CONV_2D input must be int8")) ||
        (st = need_type(c, w, MCE_TYPE_INT8, "CONV_2D filter must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "CONV_2D output must be int8")))
        return st;
    if (in->ndim != 4 || w->ndim != 4 || out->ndim != 4)
        return fail(c, MCE_ERR_SHAPE, "CONV_2D tensors must be 4-D");
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
        return fail(c, MCE_ERR_SHAPE, "CONV_2D channel/batch mismatch");
    if ((st = check_bias(c, bias, p->out_c)))
        return st;
    padding = mce_fb_u8(&c->r, opt, 0, 0);
    p->stride_w = mce_fb_i32(&c->r, opt, 1, 0);
    p->stride_h = mce_fb_i32(&c->r, opt, 2, 0);
    act = (int32_t)mce_fb_u8(&c->r, opt, 3, 0);
    p->dil_w = mce_fb_i32(&c->r, opt, 4, 1);
    p->dil_h = mce_fb_i32(&c->r, opt, 5, 1);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad CONV_2D options");
    if ((st = conv_geometry(c, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w,
                            &p->pad_left)))
        return st;
    if (!zero_points_all_zero(c, w))
        return fail(c, MCE_ERR_QUANT, "CONV_2D int8 weights must have zero point 0");
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
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_depthwise(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *w = op_in(e, op, 1), *bias = op_in(e, op, 2);
    mce_tensor *out = op_out(e, op, 0);
    mce_dw_params *p = &op->p.dw;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D input must be int8")) ||
        (st = need_type(c, w, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D filter must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "DEPTHWISE_CONV_2D output must be int8")))
        return st;
    if (in->ndim != 4 || w->ndim != 4 || out->ndim != 4)
        return fail(c, MCE_ERR_SHAPE, "DEPTHWISE_CONV_2D tensors must be 4-D");
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
        return fail(c, MCE_ERR_SHAPE, "DEPTHWISE_CONV_2D channel/batch mismatch");
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
        return fail(c, MCE_ERR_MODEL, "bad DEPTHWISE_CONV_2D options");
    if ((st = conv_geometry(c, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w,
                            &p->pad_left)))
        return st;
    if (!zero_points_all_zero(c, w))
        return fail(c, MCE_ERR_QUANT, "DEPTHWISE_CONV_2D int8 weights must have zero point 0");
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
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_fc(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *w = op_in(e, op, 1), *bias = op_in(e, op, 2);
    mce_tensor *out = op_out(e, op, 0);
    mce_fc_params *p = &op->p.fc;
    mce_status st;
    uint32_t opt = op->options, in_elems;
    int32_t act;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "FULLY_CONNECTED input must be int8")) ||
        (st = need_type(c, w, MCE_TYPE_INT8, "FULLY_CONNECTED weights must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "FULLY_CONNECTED output must be int8")))
        return st;
    if (w->ndim != 2 || w->dims[1] < 1)
        return fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED weights must be 2-D");
    p->out_depth = w->dims[0];
    p->in_depth = w->dims[1];
    in_elems = elem_count(in);
    if (in_elems % (uint32_t)p->in_depth != 0)
        return fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED input size is not a multiple of depth");
    p->batches = (int32_t)(in_elems / (uint32_t)p->in_depth);
    if (elem_count(out) != (uint32_t)p->batches * (uint32_t)p->out_depth)
        return fail(c, MCE_ERR_SHAPE, "FULLY_CONNECTED output size mismatch");
    if ((st = check_bias(c, bias, p->out_depth)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, opt, 0, 0);
    if (mce_fb_u8(&c->r, opt, 1, 0) != 0)
        return fail(c, MCE_ERR_UNSUPPORTED_OP, "FULLY_CONNECTED shuffled weights format");
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad FULLY_CONNECTED options");
    if ((st = prepare_channel_mults(c, in, w, out, p->out_depth, &p->mult, &p->shift,
                                    &p->per_channel)))
        return st;
    if (p->per_channel) {
        if (!zero_points_all_zero(c, w))
            return fail(c, MCE_ERR_QUANT, "per-channel weights must have zero point 0");
        p->filter_offset = 0;
    } else {
        p->filter_offset = -w->zero_point;
    }
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_pool(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    mce_pool_params *p = &op->p.pool;
    mce_status st;
    uint32_t opt = op->options, padding;
    int32_t act;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "pooling input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "pooling output must be int8")))
        return st;
    if (in->ndim != 4 || out->ndim != 4)
        return fail(c, MCE_ERR_SHAPE, "pooling tensors must be 4-D");
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->depth = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->depth)
        return fail(c, MCE_ERR_SHAPE, "pooling batch/depth mismatch");
    padding = mce_fb_u8(&c->r, opt, 0, 0);
    p->stride_w = mce_fb_i32(&c->r, opt, 1, 0);
    p->stride_h = mce_fb_i32(&c->r, opt, 2, 0);
    p->filter_w = mce_fb_i32(&c->r, opt, 3, 0);
    p->filter_h = mce_fb_i32(&c->r, opt, 4, 0);
    act = (int32_t)mce_fb_u8(&c->r, opt, 5, 0);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad pooling options");
    if ((st = conv_geometry(c, padding, p->in_h, p->filter_h, p->stride_h, 1, p->out_h,
                            &p->pad_top)) ||
        (st = conv_geometry(c, padding, p->in_w, p->filter_w, p->stride_w, 1, p->out_w,
                            &p->pad_left)))
        return st;
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

/* Broadcast two tensors to the output shape (left-padded to MCE_MAX_DIMS). */
static mce_status setup_bcast(mce_ctx *c, const mce_tensor *a, const mce_tensor *b,
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
        return fail(c, MCE_ERR_SHAPE, "input rank exceeds output rank");
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
                return fail(c, MCE_ERR_SHAPE, "shapes do not broadcast to the output");
            }
            stride *= dim;
        }
    }
    for (d = 0; d < MCE_MAX_DIMS; d++) {
        int id1 = d - (MCE_MAX_DIMS - a->ndim), id2 = d - (MCE_MAX_DIMS - b->ndim);
        int32_t d1 = id1 >= 0 ? a->dims[id1] : 1, d2 = id2 >= 0 ? b->dims[id2] : 1;
        if (bc->out_dims[d] != (d1 > d2 ? d1 : d2))
            return fail(c, MCE_ERR_SHAPE, "output shape is not the broadcast shape");
    }
    return MCE_OK;
}

static mce_status prep_add(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *a = op_in(e, op, 0), *b = op_in(e, op, 1), *out = op_out(e, op, 0);
    mce_add_params *p = &op->p.add;
    mce_status st;
    double twice_max, r1, r2, ro;
    int32_t act;
    if ((st = need_type(c, a, MCE_TYPE_INT8, "ADD inputs must be int8")) ||
        (st = need_type(c, b, MCE_TYPE_INT8, "ADD inputs must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "ADD output must be int8")))
        return st;
    if ((st = need_scale(c, a)) || (st = need_scale(c, b)) || (st = need_scale(c, out)))
        return st;
    if ((st = setup_bcast(c, a, b, out, &p->bc)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, op->options, 0, 0);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad ADD options");
    p->left_shift = 20;
    twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    r1 = (double)a->scale / twice_max;
    r2 = (double)b->scale / twice_max;
    ro = twice_max / ((double)(1 << p->left_shift) * (double)out->scale);
    mce_quantize_multiplier(r1, &p->input1_mult, &p->input1_shift);
    mce_quantize_multiplier(r2, &p->input2_mult, &p->input2_shift);
    mce_quantize_multiplier(ro, &p->output_mult, &p->output_shift);
    if (p->output_shift > 30)
        return fail(c, MCE_ERR_QUANT, "ADD output multiplier out of range");
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_mul(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *a = op_in(e, op, 0), *b = op_in(e, op, 1), *out = op_out(e, op, 0);
    mce_mul_params *p = &op->p.mul;
    mce_status st;
    int32_t act;
    if ((st = need_type(c, a, MCE_TYPE_INT8, "MUL inputs must be int8")) ||
        (st = need_type(c, b, MCE_TYPE_INT8, "MUL inputs must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "MUL output must be int8")))
        return st;
    if ((st = need_scale(c, a)) || (st = need_scale(c, b)) || (st = need_scale(c, out)))
        return st;
    if ((st = setup_bcast(c, a, b, out, &p->bc)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, op->options, 0, 0);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad MUL options");
    mce_quantize_multiplier((double)a->scale * (double)b->scale / (double)out->scale,
                            &p->output_mult, &p->output_shift);
    if (p->output_shift > 30)
        return fail(c, MCE_ERR_QUANT, "MUL multiplier out of range");
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    return act_range(c, act, out, &p->act_min, &p->act_max);
}

static mce_status prep_softmax(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    mce_softmax_params *p = &op->p.softmax;
    mce_status st;
    float beta;
    double real, radius;
    uint32_t n;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "SOFTMAX input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "SOFTMAX output must be int8")))
        return st;
    if (in->ndim < 1 || elem_count(in) != elem_count(out) || in->dims[in->ndim - 1] < 1)
        return fail(c, MCE_ERR_SHAPE, "SOFTMAX shape mismatch");
    if ((st = need_scale(c, in)))
        return st;
    if (out->zero_point != -128 || !(out->scale > 0.00390624f && out->scale < 0.00390626f))
        return fail(c, MCE_ERR_QUANT, "SOFTMAX int8 output must have scale 1/256, zero point -128");
    beta = mce_fb_f32(&c->r, op->options, 0, 0.0f);
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad SOFTMAX options");
    n = elem_count(in);
    p->depth = in->dims[in->ndim - 1];
    p->rows = (int32_t)(n / (uint32_t)p->depth);
    /* beta * scale as a Q5.26 input multiplier, capped at the largest Q0.31 value. */
    real = (double)beta * (double)in->scale * (double)(1L << 26);
    if (real > 2147483647.0)
        real = 2147483647.0;
    if (!(real > 0.0))
        return fail(c, MCE_ERR_QUANT, "SOFTMAX beta*scale must be positive");
    mce_quantize_multiplier(real, &p->input_mult, &p->input_left_shift);
    if (p->input_left_shift < 0 || p->input_left_shift > 30)
        return fail(c, MCE_ERR_QUANT, "SOFTMAX beta*scale too small or too large");
    /* Largest |difference| whose rescaled value still fits Q5.26: (2^5 - 1) * 2^26 / 2^shift */
    radius = 31.0 * (double)(1L << 26) / (double)(1L << p->input_left_shift);
    p->diff_min = -(int32_t)mce_floor(radius);
    return MCE_OK;
}

static mce_status prep_logistic(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    mce_logistic_params *p = &op->p.logistic;
    mce_status st;
    int32_t mult, shift;
    double radius;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "LOGISTIC input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "LOGISTIC output must be int8")))
        return st;
    if (elem_count(in) != elem_count(out))
        return fail(c, MCE_ERR_SHAPE, "LOGISTIC shape mismatch");
    if ((st = need_scale(c, in)))
        return st;
    if (out->zero_point != -128 || !(out->scale > 0.00390624f && out->scale < 0.00390626f))
        return fail(c, MCE_ERR_QUANT, "LOGISTIC int8 output must have scale 1/256, zero point -128");
    /* input scale in Q4.27 units: scale * 2^27, split into multiplier and left shift */
    mce_quantize_multiplier((double)in->scale * (double)(1L << 27), &mult, &shift);
    if (shift < 0 || shift > 30)
        return fail(c, MCE_ERR_QUANT, "LOGISTIC input scale out of range");
    radius = 15.0 * (double)(1L << 27) / (double)(1L << shift);
    p->count = elem_count(in);
    p->input_zero_point = in->zero_point;
    p->input_mult = mult;
    p->input_left_shift = shift;
    p->input_range_radius = (int32_t)mce_floor(radius);
    return MCE_OK;
}

static mce_status prep_reshape(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    if (!in || !out)
        return fail(c, MCE_ERR_MODEL, "RESHAPE needs an input and an output");
    if (in->type != out->type)
        return fail(c, MCE_ERR_UNSUPPORTED_TYPE, "RESHAPE changes the type");
    if (in->bytes != out->bytes)
        return fail(c, MCE_ERR_SHAPE, "RESHAPE changes the element count");
    return MCE_OK;
}

static mce_status prep_quantize(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    mce_status st;
    if (!in || !out)
        return fail(c, MCE_ERR_MODEL, "QUANTIZE needs an input and an output");
    if ((st = need_type(c, out, MCE_TYPE_INT8, "QUANTIZE output must be int8")))
        return st;
    if (elem_count(in) != elem_count(out))
        return fail(c, MCE_ERR_SHAPE, "QUANTIZE shape mismatch");
    if ((st = need_scale(c, out)))
        return st;
    if (in->type == MCE_TYPE_FLOAT32) {
        op->variant = 0;
        op->p.quantize.count = elem_count(in);
        op->p.quantize.scale = out->scale;
        op->p.quantize.zero_point = out->zero_point;
        return MCE_OK;
    }
    if (in->type == MCE_TYPE_INT8) {
        mce_requantize_params *p = &op->p.requantize;
        if ((st = need_scale(c, in)))
            return st;
        op->variant = 1;
        p->count = elem_count(in);
        p->input_zero_point = in->zero_point;
        p->output_zero_point = out->zero_point;
        mce_quantize_multiplier((double)in->scale / (double)out->scale, &p->mult, &p->shift);
        if (p->shift > 30)
            return fail(c, MCE_ERR_QUANT, "QUANTIZE requantization out of range");
        return MCE_OK;
    }
    return fail(c, MCE_ERR_UNSUPPORTED_TYPE, "QUANTIZE input must be float32 or int8");
}

static mce_status prep_dequantize(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *out = op_out(e, op, 0);
    mce_status st;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "DEQUANTIZE input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_FLOAT32, "DEQUANTIZE output must be float32")))
        return st;
    if (elem_count(in) != elem_count(out))
        return fail(c, MCE_ERR_SHAPE, "DEQUANTIZE shape mismatch");
    op->p.dequantize.count = elem_count(in);
    op->p.dequantize.scale = (double)in->scale;
    op->p.dequantize.zero_point = in->zero_point;
    return MCE_OK;
}

static mce_status prep_concat(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *out = op_out(e, op, 0);
    mce_concat_params *p = &op->p.concat;
    mce_status st;
    int32_t axis, d, sum = 0;
    uint32_t i;
    if ((st = need_type(c, out, MCE_TYPE_INT8, "CONCATENATION output must be int8")))
        return st;
    if (op->n_in < 1 || op->n_in > MCE_MAX_CONCAT_INPUTS)
        return fail(c, MCE_ERR_LIMIT, "CONCATENATION input count out of range");
    axis = mce_fb_i32(&c->r, op->options, 0, 0);
    if (mce_fb_u8(&c->r, op->options, 1, 0) != MCE_ACT_NONE)
        return fail(c, MCE_ERR_UNSUPPORTED_OP, "CONCATENATION with fused activation");
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad CONCATENATION options");
    if (axis < 0)
        axis += out->ndim;
    if (axis < 0 || axis >= out->ndim)
        return fail(c, MCE_ERR_SHAPE, "CONCATENATION axis out of range");
    p->outer = 1;
    for (d = 0; d < axis; d++)
        p->outer *= out->dims[d];
    p->out_inner = p->outer ? (int32_t)(elem_count(out) / (uint32_t)(p->outer ? p->outer : 1)) : 0;
    for (i = 0; i < op->n_in; i++) {
        mce_tensor *t = op_in(e, op, i);
        if ((st = need_type(c, t, MCE_TYPE_INT8, "CONCATENATION inputs must be int8")))
            return st;
        if (t->ndim != out->ndim)
            return fail(c, MCE_ERR_SHAPE, "CONCATENATION rank mismatch");
        for (d = 0; d < out->ndim; d++)
            if (d != axis && t->dims[d] != out->dims[d])
                return fail(c, MCE_ERR_SHAPE, "CONCATENATION shape mismatch");
        if (t->zero_point != out->zero_point || t->scale != out->scale)
            return fail(c, MCE_ERR_QUANT, "CONCATENATION inputs must share the output quantization");
        sum += t->dims[axis];
    }
    if (sum != out->dims[axis])
        return fail(c, MCE_ERR_SHAPE, "CONCATENATION axis sizes do not add up");
    return MCE_OK;
}

static mce_status prep_pad(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *pads = op_in(e, op, 1), *out = op_out(e, op, 0);
    mce_tensor *cval = op->code == MCE_OP_PADV2 ? op_in(e, op, 2) : NULL;
    mce_pad_params *p = &op->p.pad;
    mce_status st;
    int32_t d;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "PAD input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "PAD output must be int8")) ||
        (st = need_type(c, pads, MCE_TYPE_INT32, "PAD paddings must be int32")))
        return st;
    if (!pads->is_const || pads->ndim != 2 || pads->dims[0] != in->ndim || pads->dims[1] != 2 ||
        out->ndim != in->ndim)
        return fail(c, MCE_ERR_SHAPE, "PAD paddings must be a constant [rank, 2] tensor");
    for (d = 0; d < MCE_MAX_DIMS; d++) {
        int id = d - (MCE_MAX_DIMS - in->ndim);
        p->in_dims[d] = id >= 0 ? in->dims[id] : 1;
        p->out_dims[d] = id >= 0 ? out->dims[id] : 1;
        p->before[d] = 0;
        if (id >= 0) {
            int32_t before = mce_rd_i32(pads->data + 8 * id);
            int32_t after = mce_rd_i32(pads->data + 8 * id + 4);
            if (before < 0 || after < 0 || before > MCE_MAX_EXTENT || after > MCE_MAX_EXTENT ||
                (int64_t)p->in_dims[d] + before + after != p->out_dims[d])
                return fail(c, MCE_ERR_SHAPE, "PAD output shape mismatch");
            p->before[d] = before;
        }
    }
    if (in->zero_point != out->zero_point || in->scale != out->scale)
        return fail(c, MCE_ERR_QUANT, "PAD input and output quantization differ");
    p->pad_value = (int8_t)out->zero_point;
    if (cval) {
        if ((st = need_type(c, cval, MCE_TYPE_INT8, "PADV2 constant must be int8")))
            return st;
        if (!cval->is_const || cval->bytes < 1)
            return fail(c, MCE_ERR_SHAPE, "PADV2 constant must be a constant scalar");
        p->pad_value = (int8_t)cval->data[0];
    }
    return MCE_OK;
}

/*
 * MEAN (int8): axes from a constant int32 tensor (negative axes count from the end,
 * duplicates allowed), keep_dims from ReducerOptions (only the output shape depends on it).
 * One fixed-point path for every case, matching the tflite-micro interpreter at commit
 * 8f6596d (measured: tests/engine/test_engine_mean.py), including equal input and output
 * quantization: a rounded division of the raw sum differs from it in about a fifth of the
 * outputs because the combined multiplier below is truncated.
 *   (mult, shift) = QuantizeMultiplier(input_scale / output_scale)
 *   k = min(floor(log2 count), 32, 31 + shift)
 *   mult' = floor(mult * 2^k / count), shift' = shift - k
 *   out = clamp(mul_by_qmult(sum(x - zp_in), mult', shift') + zp_out)
 */
/* MEAN's parameters must not enlarge mce_op (every model's table would grow). */
typedef char mce_mean_params_fit_the_op_union[sizeof(mce_mean_params) <= sizeof(mce_add_params)
                                                  ? 1
                                                  : -1];

static mce_status prep_mean(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = op_in(e, op, 0), *axes = op_in(e, op, 1), *out = op_out(e, op, 0);
    mce_mean_params *p = &op->p.mean;
    uint8_t red[MCE_MAX_DIMS];
    int32_t d, k, stride, mult, shift, lg, count = 1, out_count = 1, prev = -1;
    uint32_t n_axes, i, keep;
    mce_status st;
    if ((st = need_type(c, in, MCE_TYPE_INT8, "MEAN input must be int8")) ||
        (st = need_type(c, out, MCE_TYPE_INT8, "MEAN output must be int8")) ||
        (st = need_type(c, axes, MCE_TYPE_INT32, "MEAN axes must be int32")))
        return st;
    n_axes = elem_count(axes);
    if ((!axes->is_const && n_axes > 0) || axes->ndim > 1) /* an empty list needs no data */
        return fail(c, MCE_ERR_SHAPE, "MEAN axes must be a constant 0-D or 1-D int32 tensor");
    if (in->ndim < 1)
        return fail(c, MCE_ERR_SHAPE, "MEAN input must have rank 1 or more");
    if (n_axes > 0 && !is_aligned4(axes->data))
        return fail(c, MCE_ERR_ALIGN, "MEAN axes data is not 4-byte aligned");
    memset(red, 0, sizeof red);
    for (i = 0; i < n_axes; i++) {
        int32_t a = mce_rd_i32(axes->data + 4u * i);
        if (a < 0)
            a += in->ndim;
        if (a < 0 || a >= in->ndim)
            return fail(c, MCE_ERR_SHAPE, "MEAN axis out of range");
        red[a] = 1;
    }
    for (d = 0; d < in->ndim; d++) {
        if (in->dims[d] < 1)
            return fail(c, MCE_ERR_SHAPE, "MEAN on a tensor with an empty dimension");
        if (red[d]) {
            if (in->dims[d] > (1L << 23) / count)
                return fail(c, MCE_ERR_LIMIT,
                            "MEAN averages more than 2^23 elements per output (int32 sum)");
            count *= in->dims[d];
        } else {
            out_count *= in->dims[d];
        }
    }
    keep = op->options ? mce_fb_u8(&c->r, op->options, 0, 0) : 0; /* absent: keep_dims false */
    if (c->r.bad)
        return fail(c, MCE_ERR_MODEL, "bad MEAN options");
    if (elem_count(out) != (uint32_t)out_count)
        return fail(c, MCE_ERR_SHAPE, "MEAN output size does not match the reduced input");
    if (keep) {
        if (out->ndim != in->ndim)
            return fail(c, MCE_ERR_SHAPE, "MEAN keep_dims output rank differs from the input");
        for (d = 0; d < in->ndim; d++)
            if (out->dims[d] != (red[d] ? 1 : in->dims[d]))
                return fail(c, MCE_ERR_SHAPE, "MEAN keep_dims output shape mismatch");
    }
    if ((st = need_scale(c, in)) || (st = need_scale(c, out)))
        return st;
    if (in->zero_point < -128 || in->zero_point > 127 || out->zero_point < -128 ||
        out->zero_point > 127)
        return fail(c, MCE_ERR_QUANT, "MEAN zero points must lie in the int8 range");
    mce_quantize_multiplier((double)in->scale / (double)out->scale, &mult, &shift);
    for (lg = 0; lg < 31 && (count >> (lg + 1)) != 0; lg++)
        ;
    if (lg > 31 + shift)
        lg = 31 + shift;
    if (lg < 0)
        lg = 0;
    p->mult = (int32_t)(((int64_t)mult << lg) / count);
    p->shift = shift - lg;
    if (p->shift > 30)
        return fail(c, MCE_ERR_QUANT,
                    "MEAN input/output scale ratio above 2^30 (requantization out of range)");
    p->sum_offset = -count * in->zero_point;
    p->output_zero_point = out->zero_point;
    p->out_count = out_count;
    /* Groups from the innermost dimension outwards (strides in elements), then reversed. */
    p->n_kept = p->n_red = 0;
    stride = 1;
    for (d = in->ndim - 1; d >= 0; d--) {
        int32_t n = in->dims[d];
        if (n == 1)
            continue;
        if (prev == red[d]) {
            if (red[d])
                p->red_dims[p->n_red - 1] *= n;
            else
                p->kept_dims[p->n_kept - 1] *= n;
        } else if (red[d]) {
            p->red_dims[p->n_red] = n;
            p->red_strides[p->n_red++] = stride;
        } else {
            p->kept_dims[p->n_kept] = n;
            p->kept_strides[p->n_kept++] = stride;
        }
        prev = red[d];
        stride *= n;
    }
    for (k = 0; k < p->n_red / 2; k++) {
        int32_t t = p->red_dims[k], u = p->red_strides[k];
        p->red_dims[k] = p->red_dims[p->n_red - 1 - k];
        p->red_strides[k] = p->red_strides[p->n_red - 1 - k];
        p->red_dims[p->n_red - 1 - k] = t;
        p->red_strides[p->n_red - 1 - k] = u;
    }
    for (k = 0; k < p->n_kept / 2; k++) {
        int32_t t = p->kept_dims[k], u = p->kept_strides[k];
        p->kept_dims[k] = p->kept_dims[p->n_kept - 1 - k];
        p->kept_strides[k] = p->kept_strides[p->n_kept - 1 - k];
        p->kept_dims[p->n_kept - 1 - k] = t;
        p->kept_strides[p->n_kept - 1 - k] = u;
    }
    return MCE_OK;
}

static mce_status prepare_op(mce_ctx *c, mce_op *op)
{
    switch (op->code) {
    case MCE_OP_CONV_2D: return prep_conv(c, op);
    case MCE_OP_DEPTHWISE_CONV_2D: return prep_depthwise(c, op);
    case MCE_OP_FULLY_CONNECTED: return prep_fc(c, op);
    case MCE_OP_AVERAGE_POOL_2D:
    case MCE_OP_MAX_POOL_2D: return prep_pool(c, op);
    case MCE_OP_ADD: return prep_add(c, op);
    case MCE_OP_MUL: return prep_mul(c, op);
    case MCE_OP_SOFTMAX: return prep_softmax(c, op);
    case MCE_OP_LOGISTIC: return prep_logistic(c, op);
    case MCE_OP_RESHAPE:
    case MCE_OP_SQUEEZE: return prep_reshape(c, op);
    case MCE_OP_QUANTIZE: return prep_quantize(c, op);
    case MCE_OP_DEQUANTIZE: return prep_dequantize(c, op);
    case MCE_OP_CONCATENATION: return prep_concat(c, op);
    case MCE_OP_PAD:
    case MCE_OP_PADV2: return prep_pad(c, op);
    case MCE_OP_MEAN: return prep_mean(c, op);
    default: break;
    }
    {
        int32_t idx = c->op_index;
        c->op_index = -1;
        fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported operator ");
        msg_append(c->e, mce_op_name(op->code));
        msg_append(c->e, " (builtin ");
        msg_append_int(c->e, op->code);
        msg_append(c->e, ") at operator index ");
        msg_append_int(c->e, idx);
        c->e->err_op = idx;
        return MCE_ERR_UNSUPPORTED_OP;
    }
}

/* Builtin options union type each supported op expects (0: none expected). */
static uint32_t expected_options(int32_t code)
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

/* ------------------------------------------------------------------ parsing */

static mce_status parse_tensors(mce_ctx *c, uint32_t tensors_vec, uint32_t buffers_vec,
                                uint32_t n_buffers)
{
    mce_engine *e = c->e;
    mce_fb *r = &c->r;
    uint32_t i;
    for (i = 0; i < e->n_tensors; i++) {
        mce_tensor *t = &e->tensors[i];
        uint32_t tt = mce_fb_vec_table(r, tensors_vec, e->n_tensors, i);
        uint32_t nd = 0, shape, buf_index, k, esize;
        uint64_t bytes = 1;
        memset(t, 0, sizeof *t);
        t->first = t->last = -1;
        if (r->bad)
            return fail(c, MCE_ERR_MODEL, "tensor table out of bounds");
        shape = mce_fb_vec(r, tt, 0, 4, &nd);
        if (r->bad)
            return fail(c, MCE_ERR_MODEL, "tensor shape out of bounds");
        if (nd > MCE_MAX_DIMS)
            return fail(c, MCE_ERR_LIMIT, "tensor rank above MCE_MAX_DIMS");
        t->ndim = (uint8_t)nd;
        for (k = 0; k < nd; k++) {
            int32_t dim = mce_rd_i32(r->p + shape + 4u * k);
            if (dim < 0)
                return fail(c, MCE_ERR_SHAPE, "negative (dynamic) tensor dimension");
            t->dims[k] = dim;
            bytes *= (uint64_t)dim;
            if (bytes > 0x7fffffffull)
                return fail(c, MCE_ERR_LIMIT, "tensor larger than 2 GiB");
        }
        t->type = (uint8_t)mce_fb_u8(r, tt, 1, 0);
        esize = type_size(t->type);
        bytes *= esize;
        if (bytes > 0x7fffffffull)
            return fail(c, MCE_ERR_LIMIT, "tensor larger than 2 GiB");
        t->bytes = (uint32_t)bytes;
        buf_index = mce_fb_u32(r, tt, 2, 0);
        if (buf_index != 0 || n_buffers > 0) {
            uint32_t bt, dlen = 0, dpos;
            uint64_t off, size;
            if (buf_index >= n_buffers)
                return fail(c, MCE_ERR_MODEL, "tensor buffer index out of range");
            bt = mce_fb_vec_table(r, buffers_vec, n_buffers, buf_index);
            dpos = mce_fb_vec(r, bt, 0, 1, &dlen);
            off = mce_fb_u64(r, bt, 1, 0);
            size = mce_fb_u64(r, bt, 2, 0);
            if (r->bad)
                return fail(c, MCE_ERR_MODEL, "buffer table out of bounds");
            if (dlen > 0) {
                t->data = (uint8_t *)(uintptr_t)(r->p + dpos);
                t->is_const = 1;
            } else if (off > 1 && size > 0) {
                if (off > r->n || size > r->n - off)
                    return fail(c, MCE_ERR_MODEL, "external buffer outside the model");
                t->data = (uint8_t *)(uintptr_t)(r->p + off);
                dlen = (uint32_t)size;
                t->is_const = 1;
            }
            if (t->is_const && (esize == 0 || dlen < t->bytes))
                return fail(c, MCE_ERR_MODEL, "constant buffer smaller than its tensor");
        }
        t->quant = mce_fb_ref(r, tt, 4);
        if (t->quant) {
            uint32_t ns, nz, sp, zp;
            sp = mce_fb_vec(r, t->quant, 2, 4, &ns);
            zp = mce_fb_vec(r, t->quant, 3, 8, &nz);
            if (r->bad)
                return fail(c, MCE_ERR_MODEL, "quantization table out of bounds");
            if (ns > 0)
                t->scale = mce_rd_f32(r->p + sp);
            if (nz > 0) {
                uint32_t lo = mce_rd_u32(r->p + zp), hi = mce_rd_u32(r->p + zp + 4);
                int64_t z = (int64_t)(((uint64_t)hi << 32) | lo);
                if (z < -32768 || z > 65535)
                    return fail(c, MCE_ERR_QUANT, "zero point out of range");
                t->zero_point = (int32_t)z;
            }
            if (ns == 0)
                t->quant = 0;
        }
        if (r->bad)
            return fail(c, MCE_ERR_MODEL, "tensor fields out of bounds");
    }
    return MCE_OK;
}

static mce_status check_index_vec(mce_ctx *c, uint32_t vec, uint32_t n, int allow_missing)
{
    uint32_t k;
    for (k = 0; k < n; k++) {
        int32_t t = mce_rd_i32(c->r.p + vec + 4u * k);
        if (t < -1 || (t == -1 && !allow_missing) || (t >= 0 && (uint32_t)t >= c->e->n_tensors))
            return fail(c, MCE_ERR_MODEL, "tensor index out of range");
    }
    return MCE_OK;
}

static mce_status parse_ops(mce_ctx *c, uint32_t ops_vec, uint32_t codes_vec, uint32_t n_codes)
{
    mce_engine *e = c->e;
    mce_fb *r = &c->r;
    uint32_t i;
    mce_status st;
    for (i = 0; i < e->n_ops; i++) {
        mce_op *op = &e->ops[i];
        uint32_t ot = mce_fb_vec_table(r, ops_vec, e->n_ops, i), code_index, ct, opt_type;
        int32_t dep, bi;
        memset(op, 0, sizeof *op);
        c->op_index = (int32_t)i;
        code_index = mce_fb_u32(r, ot, 0, 0);
        if (r->bad || code_index >= n_codes)
            return fail(c, MCE_ERR_MODEL, "bad operator table or opcode index");
        ct = mce_fb_vec_table(r, codes_vec, n_codes, code_index);
        dep = (int32_t)(int8_t)mce_fb_u8(r, ct, 0, 0);
        bi = mce_fb_i32(r, ct, 3, 0);
        op->code = bi > dep ? bi : dep;
        op->in_vec = mce_fb_vec(r, ot, 1, 4, &op->n_in);
        op->out_vec = mce_fb_vec(r, ot, 2, 4, &op->n_out);
        opt_type = mce_fb_u8(r, ot, 3, 0);
        op->options = mce_fb_ref(r, ot, 4);
        if (r->bad)
            return fail(c, MCE_ERR_MODEL, "operator fields out of bounds");
        if ((st = check_index_vec(c, op->in_vec, op->n_in, 1)) ||
            (st = check_index_vec(c, op->out_vec, op->n_out, 0)))
            return st;
        if (op->n_out < 1)
            return fail(c, MCE_ERR_MODEL, "operator without output");
        {
            uint32_t k;
            for (k = 0; k < op->n_out; k++)
                if (e->tensors[op_tensor(e, op->out_vec, op->n_out, k)].is_const)
                    return fail(c, MCE_ERR_MODEL, "operator writes a constant tensor");
        }
        if (op->code == MCE_OP_CUSTOM) {
            uint32_t len = 0, s = mce_fb_vec(r, ct, 1, 1, &len), k;
            char name[40];
            if (r->bad)
                return fail(c, MCE_ERR_MODEL, "custom code string out of bounds");
            for (k = 0; k < len && k < sizeof name - 1; k++) {
                char ch = (char)r->p[s + k];
                name[k] = (ch >= 32 && ch < 127) ? ch : '?';
            }
            name[k] = '\0';
            c->op_index = -1;
            fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported custom operator ");
            msg_append(e, name);
            msg_append(e, " at operator index ");
            msg_append_int(e, (int32_t)i);
            e->err_op = (int32_t)i;
            return MCE_ERR_UNSUPPORTED_OP;
        }
        if (op->options && opt_type != expected_options(op->code) && expected_options(op->code))
            return fail(c, MCE_ERR_MODEL, "builtin options of the wrong type");
        if (!expected_options(op->code))
            op->options = 0; /* options we never read */
    }
    c->op_index = -1;
    return MCE_OK;
}

/* ------------------------------------------------------------------ planning */

static void set_lifetimes(mce_engine *e)
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
            int32_t ti = k < op->n_in ? op_tensor(e, op->in_vec, op->n_in, k)
                                      : op_tensor(e, op->out_vec, op->n_out, k - op->n_in);
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
static uint32_t plan_arena(mce_engine *e)
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
        size = align_up(best.bytes, ALIGN_ACT);
        do { /* lowest offset not overlapping any placed, simultaneously live item */
            moved = 0;
            for (i = 0; i < n_items; i++) {
                uint32_t oend;
                if (!plan_get(e, i, &o) || !o.placed ||
                    !(o.first <= best.last && best.first <= o.last))
                    continue;
                oend = o.offset + align_up(o.bytes, ALIGN_ACT);
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
        return fail(c, MCE_ERR_ARG, "NULL model or arena");
    if (model_size < 8 || model_size > 0x7fffffffu)
        return fail(c, MCE_ERR_MODEL, "model size out of range");
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
        return fail(c, MCE_ERR_MODEL, "root table offset out of bounds");
    version = mce_fb_u32(r, root, 0, 0);
    subgraphs = mce_fb_vec(r, root, 2, 4, &n_sub);
    codes = mce_fb_vec(r, root, 1, 4, &n_codes);
    buffers = mce_fb_vec(r, root, 4, 4, &n_buffers);
    if (r->bad)
        return fail(c, MCE_ERR_MODEL, "model table out of bounds");
    if (version != 3)
        return fail(c, MCE_ERR_VERSION, "schema version is not 3");
    if (n_sub < 1)
        return fail(c, MCE_ERR_VERSION, "model has no subgraph");
    sg = mce_fb_vec_table(r, subgraphs, n_sub, 0);
    tensors = mce_fb_vec(r, sg, 0, 4, &e->n_tensors);
    e->in_vec = mce_fb_vec(r, sg, 1, 4, &e->n_inputs);
    e->out_vec = mce_fb_vec(r, sg, 2, 4, &e->n_outputs);
    ops = mce_fb_vec(r, sg, 3, 4, &e->n_ops);
    if (r->bad)
        return fail(c, MCE_ERR_MODEL, "subgraph table out of bounds");
    if (e->n_tensors > 65535 || e->n_ops > 65535)
        return fail(c, MCE_ERR_LIMIT, "too many tensors or operators");

    /* Tables first: without them we cannot plan, so a failure here reports a lower bound. */
    e->tensors = (mce_tensor *)tail_alloc(c, e->n_tensors * (uint32_t)sizeof(mce_tensor));
    e->ops = (mce_op *)tail_alloc(c, e->n_ops * (uint32_t)sizeof(mce_op));
    if (c->short_arena) {
        e->tensors = NULL;
        e->ops = NULL;
        e->arena_needed = c->persist;
        e->persistent_bytes = c->persist;
        return fail(c, MCE_ERR_ARENA, "arena too small for the tensor/operator tables");
    }
    if ((st = parse_tensors(c, tensors, buffers, n_buffers)))
        return st;
    if ((st = check_index_vec(c, e->in_vec, e->n_inputs, 0)) ||
        (st = check_index_vec(c, e->out_vec, e->n_outputs, 0)))
        return st;
    for (i = 0; i < e->n_inputs; i++)
        if (e->tensors[mce_rd_i32(e->model + e->in_vec + 4u * i)].is_const)
            return fail(c, MCE_ERR_MODEL, "graph input is a constant tensor");
    if ((st = parse_ops(c, ops, codes, n_codes)))
        return st;
    for (i = 0; i < e->n_ops; i++) {
        c->op_index = (int32_t)i;
        if ((st = prepare_op(c, &e->ops[i])))
            return st;
        if (r->bad)
            return fail(c, MCE_ERR_MODEL, "operator data out of bounds");
    }
    c->op_index = -1;
    set_lifetimes(e);
    for (i = 0; i < e->n_tensors; i++) {
        const mce_tensor *t = &e->tensors[i];
        if (t->first >= 0 && type_size(t->type) == 0)
            return fail(c, MCE_ERR_UNSUPPORTED_TYPE, "activation tensor of unsupported type");
    }
    e->activation_bytes = plan_arena(e);
    e->persistent_bytes = c->persist;
    e->arena_needed = e->activation_bytes + c->persist;
    if (c->short_arena || e->arena_needed > e->arena_size) {
        fail(c, MCE_ERR_ARENA, "arena too small: need ");
        msg_append(e, "");
        msg_append_int(e, e->arena_needed);
        msg_append(e, " bytes, have ");
        msg_append_int(e, e->arena_size);
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
        mce_tensor *in0 = op_in(e, op, 0), *in1 = op_in(e, op, 1), *in2 = op_in(e, op, 2);
        mce_tensor *out = op_out(e, op, 0);
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
                return fail(&ctx, MCE_ERR_SHAPE, "pooling window without input elements");
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
                const mce_tensor *t = op_in(e, op, k);
                ins[k] = (const int8_t *)t->data;
                inner[k] = op->p.concat.outer ? (int32_t)(elem_count(t) / (uint32_t)op->p.concat.outer) : 0;
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
            return fail(&ctx, MCE_ERR_UNSUPPORTED_OP, "unsupported operator");
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
