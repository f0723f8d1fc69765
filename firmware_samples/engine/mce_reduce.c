/* MEAN int8 reference kernel (reduction over any set of axes, no scratch). */
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/*
 * For every output element (row-major over the kept dimension groups): the int32 sum of
 * (x - input zero point) over the reduced dimension groups, scaled by the prepared multiplier
 * (input_scale / output_scale / count as a Q0.31 value and shift, see prep_mean in
 * mce_prepare_more.c) with the usual double rounding, plus the output zero point, saturated to
 * int8. The sum starts at -count * zero point and adds raw values: the same int32 result,
 * without a subtraction per element (|sum| <= 255 * 2^23 by the engine's count limit).
 *
 * The innermost reduced group is one strided run; the other reduced groups and the kept
 * groups advance as odometers that carry a flat input offset.
 */
void mce_mean_s8(const mce_mean_params *p, const int8_t *input, int8_t *output)
{
    int32_t kept_idx[MCE_MEAN_MAX_GROUPS] = {0};
    int32_t red_idx[MCE_MEAN_MAX_GROUPS];
    const int32_t nr = p->n_red;
    const int32_t run = nr > 0 ? p->red_dims[nr - 1] : 1;
    const int32_t run_stride = nr > 0 ? p->red_strides[nr - 1] : 0;
    int32_t o, k, base = 0;
    for (o = 0; o < p->out_count; o++) {
        int32_t acc = p->sum_offset, off = base, v;
        for (k = 0; k < nr; k++)
            red_idx[k] = 0;
        for (;;) {
            int32_t j, i = off;
            for (j = 0; j < run; j++) {
                acc += input[i];
                i += run_stride;
            }
            for (k = nr - 2; k >= 0; k--) {
                off += p->red_strides[k];
                if (++red_idx[k] < p->red_dims[k])
                    break;
                off -= p->red_strides[k] * p->red_dims[k];
                red_idx[k] = 0;
            }
            if (k < 0)
                break;
        }
        v = mce_mul_by_qmult(acc, p->mult, p->shift) + p->output_zero_point;
        output[o] = (int8_t)mce_clamp(v, -128, 127);
        for (k = p->n_kept - 1; k >= 0; k--) {
            base += p->kept_strides[k];
            if (++kept_idx[k] < p->kept_dims[k])
                break;
            base -= p->kept_strides[k] * p->kept_dims[k];
            kept_idx[k] = 0;
        }
    }
}
