/* ADD and MUL int8 reference kernels with broadcasting. */
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/* Advance a row-major odometer over out_dims, moving both input offsets by their strides. */
MCE_INLINE void bcast_next(const mce_bcast *bc, int32_t *idx, int32_t *o1, int32_t *o2)
{
    int d;
    for (d = MCE_MAX_DIMS - 1; d >= 0; d--) {
        idx[d]++;
        *o1 += bc->in1_strides[d];
        *o2 += bc->in2_strides[d];
        if (idx[d] < bc->out_dims[d])
            return;
        *o1 -= bc->in1_strides[d] * bc->out_dims[d];
        *o2 -= bc->in2_strides[d] * bc->out_dims[d];
        idx[d] = 0;
    }
}

static int32_t bcast_count(const mce_bcast *bc)
{
    int32_t n = 1;
    int d;
    for (d = 0; d < MCE_MAX_DIMS; d++)
        n *= bc->out_dims[d];
    return n;
}

/*
 * Both inputs are brought to a common scale: (x + offset) << left_shift, then multiplied by
 * their own multiplier (scale_i / (2 * max scale)); the sum is requantized to the output
 * scale, offset and clamped.
 */
void mce_add_s8(const mce_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *output)
{
    int32_t idx[MCE_MAX_DIMS] = {0};
    int32_t o1 = 0, o2 = 0, i, n = bcast_count(&p->bc);
    for (i = 0; i < n; i++) {
        int32_t a = mce_shl((int32_t)in1[o1] + p->input1_offset, p->left_shift);
        int32_t b = mce_shl((int32_t)in2[o2] + p->input2_offset, p->left_shift);
        int32_t sa = mce_mul_by_qmult(a, p->input1_mult, p->input1_shift);
        int32_t sb = mce_mul_by_qmult(b, p->input2_mult, p->input2_shift);
        int32_t v = mce_mul_by_qmult(sa + sb, p->output_mult, p->output_shift) + p->output_offset;
        output[i] = (int8_t)mce_clamp(v, p->act_min, p->act_max);
        bcast_next(&p->bc, idx, &o1, &o2);
    }
}

/* (x1 + offset1) * (x2 + offset2) requantized by scale1*scale2/scale_out. */
void mce_mul_s8(const mce_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *output)
{
    int32_t idx[MCE_MAX_DIMS] = {0};
    int32_t o1 = 0, o2 = 0, i, n = bcast_count(&p->bc);
    for (i = 0; i < n; i++) {
        int32_t prod = ((int32_t)in1[o1] + p->input1_offset) * ((int32_t)in2[o2] + p->input2_offset);
        int32_t v = mce_mul_by_qmult(prod, p->output_mult, p->output_shift) + p->output_offset;
        output[i] = (int8_t)mce_clamp(v, p->act_min, p->act_max);
        bcast_next(&p->bc, idx, &o1, &o2);
    }
}
