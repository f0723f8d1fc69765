/* DEPTHWISE_CONV_2D int8 reference kernel (NHWC input, [1,KH,KW,OC] filter). */
/* Reference flavour only: with MCE_KERNELS_OPTIMIZED the kernel comes from the *_opt.c file. */
#if !defined(MCE_KERNELS_OPTIMIZED)
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/*
 * Output channel oc = ic * depth_multiplier + m reads only input channel ic:
 * acc = bias[oc] + sum over the window of (input[ic] + input_offset) * filter[ky][kx][oc],
 * then per-channel requantization, output offset and activation clamp.
 */
void mce_depthwise_conv2d_s8(const mce_dw_params *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output)
{
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + (int32_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out_px = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (ic = 0; ic < p->in_c; ic++) {
                    for (m = 0; m < p->depth_multiplier; m++) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc = 0;
                        for (ky = 0; ky < p->k_h; ky++) {
                            const int32_t iy = iy0 + ky * p->dil_h;
                            if (iy < 0 || iy >= p->in_h)
                                continue;
                            for (kx = 0; kx < p->k_w; kx++) {
                                const int32_t ix = ix0 + kx * p->dil_w;
                                if (ix < 0 || ix >= p->in_w)
                                    continue;
                                acc += ((int32_t)in_b[(iy * p->in_w + ix) * p->in_c + ic] +
                                        p->input_offset) *
                                       (int32_t)filter[(ky * p->k_w + kx) * p->out_c + oc];
                            }
                        }
                        if (bias)
                            acc += bias[oc];
                        acc = mce_mul_by_qmult(acc, p->mult[oc], p->shift[oc]);
                        acc += p->output_offset;
                        out_px[oc] = (int8_t)mce_clamp(acc, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

#endif /* !MCE_KERNELS_OPTIMIZED */
