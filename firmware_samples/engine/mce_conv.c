/* CONV_2D int8 reference kernel (NHWC input, OHWI filter, per-channel requantization). */
/* Reference flavour only: with MCE_KERNELS_OPTIMIZED the kernel comes from the *_opt.c file. */
#if !defined(MCE_KERNELS_OPTIMIZED)
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/*
 * For every output element: acc = bias[oc] + sum over the filter window and the group's
 * input channels of (input + input_offset) * filter. Window taps that fall into the
 * padding are skipped (equivalent to an input equal to the zero point). The accumulator is
 * requantized with the channel's multiplier/shift, offset by the output zero point and
 * clamped to the activation range.
 */
void mce_conv2d_s8(const mce_conv_params *p, const int8_t *input, const int8_t *filter,
                   const int32_t *bias, int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t oc_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + (int32_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t group = 0, in_group = 0;
                for (oc = 0; oc < p->out_c; oc++) {
                    const int32_t ic0 = group * p->filter_in_c;
                    const int8_t *f_oc = filter + oc * p->k_h * p->k_w * p->filter_in_c;
                    int32_t acc = 0;
                    for (ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx * p->dil_w;
                            const int8_t *in_px;
                            const int8_t *f_px;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            in_px = in_b + (iy * p->in_w + ix) * p->in_c + ic0;
                            f_px = f_oc + (ky * p->k_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ic++)
                                acc += ((int32_t)in_px[ic] + p->input_offset) * (int32_t)f_px[ic];
                        }
                    }
                    if (bias)
                        acc += bias[oc];
                    acc = mce_mul_by_qmult(acc, p->mult[oc], p->shift[oc]);
                    acc += p->output_offset;
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] =
                        (int8_t)mce_clamp(acc, p->act_min, p->act_max);
                    if (++in_group == oc_per_group) { /* next group (no division per output) */
                        in_group = 0;
                        group++;
                    }
                }
            }
        }
    }
}

/* The reference kernel needs no scratch memory. */
uint32_t mce_conv2d_s8_scratch_bytes(const mce_conv_params *p)
{
    (void)p;
    return 0;
}

#endif /* !MCE_KERNELS_OPTIMIZED */
