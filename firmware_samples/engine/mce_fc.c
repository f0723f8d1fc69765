/* FULLY_CONNECTED int8 reference kernel. */
/* Reference flavour only: with MCE_KERNELS_OPTIMIZED the kernel comes from the *_opt.c file. */
#if !defined(MCE_KERNELS_OPTIMIZED)
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/*
 * out[b][u] = clamp(requant(bias[u] + sum_d (in[b][d] + input_offset) *
 *                                      (w[u][d] + filter_offset)) + output_offset)
 * with one multiplier/shift for the tensor, or one per unit when per_channel is set.
 */
void mce_fully_connected_s8(const mce_fc_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output)
{
    int32_t b, u, d;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + b * p->in_depth;
        for (u = 0; u < p->out_depth; u++) {
            const int8_t *w = filter + u * p->in_depth;
            const int32_t ch = p->per_channel ? u : 0;
            int32_t acc = 0;
            for (d = 0; d < p->in_depth; d++)
                acc += ((int32_t)in_b[d] + p->input_offset) * ((int32_t)w[d] + p->filter_offset);
            if (bias)
                acc += bias[u];
            acc = mce_mul_by_qmult(acc, p->mult[ch], p->shift[ch]);
            acc += p->output_offset;
            output[b * p->out_depth + u] = (int8_t)mce_clamp(acc, p->act_min, p->act_max);
        }
    }
}

#endif /* !MCE_KERNELS_OPTIMIZED */
