/* mce engine core: per-operator validation and constant preparation of the element-wise,
 * activation, shape and reduction ops (see mce_core.h). */
#include "mce_core.h"

mce_status mce_prep_add(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *a = mce_op_in(e, op, 0), *b = mce_op_in(e, op, 1), *out = mce_op_out(e, op, 0);
    mce_add_params *p = &op->p.add;
    mce_status st;
    double twice_max, r1, r2, ro;
    int32_t act;
    if ((st = mce_need_type(c, a, MCE_TYPE_INT8, "ADD inputs must be int8")) ||
        (st = mce_need_type(c, b, MCE_TYPE_INT8, "ADD inputs must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "ADD output must be int8")))
        return st;
    if ((st = mce_need_scale(c, a)) || (st = mce_need_scale(c, b)) || (st = mce_need_scale(c, out)))
        return st;
    if ((st = mce_setup_bcast(c, a, b, out, &p->bc)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, op->options, 0, 0);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad ADD options");
    p->left_shift = 20;
    twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    r1 = (double)a->scale / twice_max;
    r2 = (double)b->scale / twice_max;
    ro = twice_max / ((double)(1 << p->left_shift) * (double)out->scale);
    mce_quantize_multiplier(r1, &p->input1_mult, &p->input1_shift);
    mce_quantize_multiplier(r2, &p->input2_mult, &p->input2_shift);
    mce_quantize_multiplier(ro, &p->output_mult, &p->output_shift);
    if (p->output_shift > 30)
        return mce_fail(c, MCE_ERR_QUANT, "ADD output multiplier out of range");
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

mce_status mce_prep_mul(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *a = mce_op_in(e, op, 0), *b = mce_op_in(e, op, 1), *out = mce_op_out(e, op, 0);
    mce_mul_params *p = &op->p.mul;
    mce_status st;
    int32_t act;
    if ((st = mce_need_type(c, a, MCE_TYPE_INT8, "MUL inputs must be int8")) ||
        (st = mce_need_type(c, b, MCE_TYPE_INT8, "MUL inputs must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "MUL output must be int8")))
        return st;
    if ((st = mce_need_scale(c, a)) || (st = mce_need_scale(c, b)) || (st = mce_need_scale(c, out)))
        return st;
    if ((st = mce_setup_bcast(c, a, b, out, &p->bc)))
        return st;
    act = (int32_t)mce_fb_u8(&c->r, op->options, 0, 0);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad MUL options");
    mce_quantize_multiplier((double)a->scale * (double)b->scale / (double)out->scale,
                            &p->output_mult, &p->output_shift);
    if (p->output_shift > 30)
        return mce_fail(c, MCE_ERR_QUANT, "MUL multiplier out of range");
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    return mce_act_range(c, act, out, &p->act_min, &p->act_max);
}

mce_status mce_prep_softmax(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    mce_softmax_params *p = &op->p.softmax;
    mce_status st;
    float beta;
    double real, radius;
    uint32_t n;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "SOFTMAX input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "SOFTMAX output must be int8")))
        return st;
    if (in->ndim < 1 || mce_elem_count(in) != mce_elem_count(out) || in->dims[in->ndim - 1] < 1)
        return mce_fail(c, MCE_ERR_SHAPE, "SOFTMAX shape mismatch");
    if ((st = mce_need_scale(c, in)))
        return st;
    if (out->zero_point != -128 || !(out->scale > 0.00390624f && out->scale < 0.00390626f))
        return mce_fail(c, MCE_ERR_QUANT, "SOFTMAX int8 output must have scale 1/256, zero point -128");
    beta = mce_fb_f32(&c->r, op->options, 0, 0.0f);
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad SOFTMAX options");
    n = mce_elem_count(in);
    p->depth = in->dims[in->ndim - 1];
    p->rows = (int32_t)(n / (uint32_t)p->depth);
    /* beta * scale as a Q5.26 input multiplier, capped at the largest Q0.31 value. */
    real = (double)beta * (double)in->scale * (double)(1L << 26);
    if (real > 2147483647.0)
        real = 2147483647.0;
    if (!(real > 0.0))
        return mce_fail(c, MCE_ERR_QUANT, "SOFTMAX beta*scale must be positive");
    mce_quantize_multiplier(real, &p->input_mult, &p->input_left_shift);
    if (p->input_left_shift < 0 || p->input_left_shift > 30)
        return mce_fail(c, MCE_ERR_QUANT, "SOFTMAX beta*scale too small or too large");
    /* Largest |difference| whose rescaled value still fits Q5.26: (2^5 - 1) * 2^26 / 2^shift */
    radius = 31.0 * (double)(1L << 26) / (double)(1L << p->input_left_shift);
    p->diff_min = -(int32_t)mce_floor(radius);
    return MCE_OK;
}

mce_status mce_prep_logistic(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    mce_logistic_params *p = &op->p.logistic;
    mce_status st;
    int32_t mult, shift;
    double radius;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "LOGISTIC input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "LOGISTIC output must be int8")))
        return st;
    if (mce_elem_count(in) != mce_elem_count(out))
        return mce_fail(c, MCE_ERR_SHAPE, "LOGISTIC shape mismatch");
    if ((st = mce_need_scale(c, in)))
        return st;
    if (out->zero_point != -128 || !(out->scale > 0.00390624f && out->scale < 0.00390626f))
        return mce_fail(c, MCE_ERR_QUANT, "LOGISTIC int8 output must have scale 1/256, zero point -128");
    /* input scale in Q4.27 units: scale * 2^27, split into multiplier and left shift */
    mce_quantize_multiplier((double)in->scale * (double)(1L << 27), &mult, &shift);
    if (shift < 0 || shift > 30)
        return mce_fail(c, MCE_ERR_QUANT, "LOGISTIC input scale out of range");
    radius = 15.0 * (double)(1L << 27) / (double)(1L << shift);
    p->count = mce_elem_count(in);
    p->input_zero_point = in->zero_point;
    p->input_mult = mult;
    p->input_left_shift = shift;
    p->input_range_radius = (int32_t)mce_floor(radius);
    return MCE_OK;
}

mce_status mce_prep_reshape(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    if (!in || !out)
        return mce_fail(c, MCE_ERR_MODEL, "RESHAPE needs an input and an output");
    if (in->type != out->type)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_TYPE, "RESHAPE changes the type");
    if (in->bytes != out->bytes)
        return mce_fail(c, MCE_ERR_SHAPE, "RESHAPE changes the element count");
    return MCE_OK;
}

mce_status mce_prep_quantize(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    mce_status st;
    if (!in || !out)
        return mce_fail(c, MCE_ERR_MODEL, "QUANTIZE needs an input and an output");
    if ((st = mce_need_type(c, out, MCE_TYPE_INT8, "QUANTIZE output must be int8")))
        return st;
    if (mce_elem_count(in) != mce_elem_count(out))
        return mce_fail(c, MCE_ERR_SHAPE, "QUANTIZE shape mismatch");
    if ((st = mce_need_scale(c, out)))
        return st;
    if (in->type == MCE_TYPE_FLOAT32) {
        op->variant = 0;
        op->p.quantize.count = mce_elem_count(in);
        op->p.quantize.scale = out->scale;
        op->p.quantize.zero_point = out->zero_point;
        return MCE_OK;
    }
    if (in->type == MCE_TYPE_INT8) {
        mce_requantize_params *p = &op->p.requantize;
        if ((st = mce_need_scale(c, in)))
            return st;
        op->variant = 1;
        p->count = mce_elem_count(in);
        p->input_zero_point = in->zero_point;
        p->output_zero_point = out->zero_point;
        mce_quantize_multiplier((double)in->scale / (double)out->scale, &p->mult, &p->shift);
        if (p->shift > 30)
            return mce_fail(c, MCE_ERR_QUANT, "QUANTIZE requantization out of range");
        return MCE_OK;
    }
    return mce_fail(c, MCE_ERR_UNSUPPORTED_TYPE, "QUANTIZE input must be float32 or int8");
}

mce_status mce_prep_dequantize(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *out = mce_op_out(e, op, 0);
    mce_status st;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "DEQUANTIZE input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_FLOAT32, "DEQUANTIZE output must be float32")))
        return st;
    if (mce_elem_count(in) != mce_elem_count(out))
        return mce_fail(c, MCE_ERR_SHAPE, "DEQUANTIZE shape mismatch");
    op->p.dequantize.count = mce_elem_count(in);
    op->p.dequantize.scale = (double)in->scale;
    op->p.dequantize.zero_point = in->zero_point;
    return MCE_OK;
}

mce_status mce_prep_concat(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *out = mce_op_out(e, op, 0);
    mce_concat_params *p = &op->p.concat;
    mce_status st;
    int32_t axis, d, sum = 0;
    uint32_t i;
    if ((st = mce_need_type(c, out, MCE_TYPE_INT8, "CONCATENATION output must be int8")))
        return st;
    if (op->n_in < 1 || op->n_in > MCE_MAX_CONCAT_INPUTS)
        return mce_fail(c, MCE_ERR_LIMIT, "CONCATENATION input count out of range");
    axis = mce_fb_i32(&c->r, op->options, 0, 0);
    if (mce_fb_u8(&c->r, op->options, 1, 0) != MCE_ACT_NONE)
        return mce_fail(c, MCE_ERR_UNSUPPORTED_OP, "CONCATENATION with fused activation");
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad CONCATENATION options");
    if (axis < 0)
        axis += out->ndim;
    if (axis < 0 || axis >= out->ndim)
        return mce_fail(c, MCE_ERR_SHAPE, "CONCATENATION axis out of range");
    p->outer = 1;
    for (d = 0; d < axis; d++)
        p->outer *= out->dims[d];
    p->out_inner = p->outer ? (int32_t)(mce_elem_count(out) / (uint32_t)(p->outer ? p->outer : 1)) : 0;
    for (i = 0; i < op->n_in; i++) {
        mce_tensor *t = mce_op_in(e, op, i);
        if ((st = mce_need_type(c, t, MCE_TYPE_INT8, "CONCATENATION inputs must be int8")))
            return st;
        if (t->ndim != out->ndim)
            return mce_fail(c, MCE_ERR_SHAPE, "CONCATENATION rank mismatch");
        for (d = 0; d < out->ndim; d++)
            if (d != axis && t->dims[d] != out->dims[d])
                return mce_fail(c, MCE_ERR_SHAPE, "CONCATENATION shape mismatch");
        if (t->zero_point != out->zero_point || t->scale != out->scale)
            return mce_fail(c, MCE_ERR_QUANT, "CONCATENATION inputs must share the output quantization");
        sum += t->dims[axis];
    }
    if (sum != out->dims[axis])
        return mce_fail(c, MCE_ERR_SHAPE, "CONCATENATION axis sizes do not add up");
    return MCE_OK;
}

mce_status mce_prep_pad(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *pads = mce_op_in(e, op, 1), *out = mce_op_out(e, op, 0);
    mce_tensor *cval = op->code == MCE_OP_PADV2 ? mce_op_in(e, op, 2) : NULL;
    mce_pad_params *p = &op->p.pad;
    mce_status st;
    int32_t d;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "PAD input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "PAD output must be int8")) ||
        (st = mce_need_type(c, pads, MCE_TYPE_INT32, "PAD paddings must be int32")))
        return st;
    if (!pads->is_const || pads->ndim != 2 || pads->dims[0] != in->ndim || pads->dims[1] != 2 ||
        out->ndim != in->ndim)
        return mce_fail(c, MCE_ERR_SHAPE, "PAD paddings must be a constant [rank, 2] tensor");
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
                return mce_fail(c, MCE_ERR_SHAPE, "PAD output shape mismatch");
            p->before[d] = before;
        }
    }
    if (in->zero_point != out->zero_point || in->scale != out->scale)
        return mce_fail(c, MCE_ERR_QUANT, "PAD input and output quantization differ");
    p->pad_value = (int8_t)out->zero_point;
    if (cval) {
        if ((st = mce_need_type(c, cval, MCE_TYPE_INT8, "PADV2 constant must be int8")))
            return st;
        if (!cval->is_const || cval->bytes < 1)
            return mce_fail(c, MCE_ERR_SHAPE, "PADV2 constant must be a constant scalar");
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

mce_status mce_prep_mean(mce_ctx *c, mce_op *op)
{
    mce_engine *e = c->e;
    mce_tensor *in = mce_op_in(e, op, 0), *axes = mce_op_in(e, op, 1), *out = mce_op_out(e, op, 0);
    mce_mean_params *p = &op->p.mean;
    uint8_t red[MCE_MAX_DIMS];
    int32_t d, k, stride, mult, shift, lg, count = 1, out_count = 1, prev = -1;
    uint32_t n_axes, i, keep;
    mce_status st;
    if ((st = mce_need_type(c, in, MCE_TYPE_INT8, "MEAN input must be int8")) ||
        (st = mce_need_type(c, out, MCE_TYPE_INT8, "MEAN output must be int8")) ||
        (st = mce_need_type(c, axes, MCE_TYPE_INT32, "MEAN axes must be int32")))
        return st;
    n_axes = mce_elem_count(axes);
    if ((!axes->is_const && n_axes > 0) || axes->ndim > 1) /* an empty list needs no data */
        return mce_fail(c, MCE_ERR_SHAPE, "MEAN axes must be a constant 0-D or 1-D int32 tensor");
    if (in->ndim < 1)
        return mce_fail(c, MCE_ERR_SHAPE, "MEAN input must have rank 1 or more");
    if (n_axes > 0 && !mce_is_aligned4(axes->data))
        return mce_fail(c, MCE_ERR_ALIGN, "MEAN axes data is not 4-byte aligned");
    memset(red, 0, sizeof red);
    for (i = 0; i < n_axes; i++) {
        int32_t a = mce_rd_i32(axes->data + 4u * i);
        if (a < 0)
            a += in->ndim;
        if (a < 0 || a >= in->ndim)
            return mce_fail(c, MCE_ERR_SHAPE, "MEAN axis out of range");
        red[a] = 1;
    }
    for (d = 0; d < in->ndim; d++) {
        if (in->dims[d] < 1)
            return mce_fail(c, MCE_ERR_SHAPE, "MEAN on a tensor with an empty dimension");
        if (red[d]) {
            if (in->dims[d] > (1L << 23) / count)
                return mce_fail(c, MCE_ERR_LIMIT,
                            "MEAN averages more than 2^23 elements per output (int32 sum)");
            count *= in->dims[d];
        } else {
            out_count *= in->dims[d];
        }
    }
    keep = op->options ? mce_fb_u8(&c->r, op->options, 0, 0) : 0; /* absent: keep_dims false */
    if (c->r.bad)
        return mce_fail(c, MCE_ERR_MODEL, "bad MEAN options");
    if (mce_elem_count(out) != (uint32_t)out_count)
        return mce_fail(c, MCE_ERR_SHAPE, "MEAN output size does not match the reduced input");
    if (keep) {
        if (out->ndim != in->ndim)
            return mce_fail(c, MCE_ERR_SHAPE, "MEAN keep_dims output rank differs from the input");
        for (d = 0; d < in->ndim; d++)
            if (out->dims[d] != (red[d] ? 1 : in->dims[d]))
                return mce_fail(c, MCE_ERR_SHAPE, "MEAN keep_dims output shape mismatch");
    }
    if ((st = mce_need_scale(c, in)) || (st = mce_need_scale(c, out)))
        return st;
    if (in->zero_point < -128 || in->zero_point > 127 || out->zero_point < -128 ||
        out->zero_point > 127)
        return mce_fail(c, MCE_ERR_QUANT, "MEAN zero points must lie in the int8 range");
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
        return mce_fail(c, MCE_ERR_QUANT,
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

