/*
 * CONV_2D int8, optimized flavour (MCE_KERNELS_OPTIMIZED): im2col + dual 16-bit MACs.
 *
 * Same symbol and same results as the reference kernel in mce_conv.c (integer sums are exact,
 * so the order of the multiply-adds does not matter; requantization is the same code).
 *
 * Per batch and filter group, output pixels are taken two at a time. Each pixel's receptive
 * field (K = k_h * k_w * filter_in_c values, filter order ky, kx, ic) is copied into an int16
 * column in the scratch buffer with the input offset already added; padding taps become 0,
 * which is what an input equal to the zero point contributes. Within every group of four
 * values a column stores them as x0 x2 x1 x3, the order SXTB16 unpacks a filter word in: one
 * 32-bit filter load gives (w0,w2) and (w1,w3), two column loads give (x0,x2) and (x1,x3),
 * and two SMLADs do the four multiply-adds. The two columns are interleaved group by group
 * (column 0's four values, then column 1's), so one pointer walks both. Two output channels
 * and two columns are computed together: every unpacked filter word is used twice and every
 * column word twice. The last K % 4 values (after all groups) and odd channel or pixel counts
 * take scalar tails.
 *
 * Scratch (planned in the arena for the operator's lifetime, mce_conv2d_s8_scratch_bytes):
 * int16 [K/4 groups][2 columns][4] followed by [2 columns][4] for the tail.
 */
#if defined(MCE_KERNELS_OPTIMIZED)

/* Hot loops compiled at -O2 whatever the build's level: at -Os gcc 12 weighs spills by size,
 * not by loop depth, and spills accumulators inside the inner loops. Placed before the
 * includes so the always_inline helpers get the same level. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif

#include "mce_kernels.h"
#include "mce_simd.h"

uint32_t mce_conv2d_s8_scratch_bytes(const mce_conv_params *p)
{
    uint32_t k = (uint32_t)p->k_h * (uint32_t)p->k_w * (uint32_t)p->filter_in_c;
    return 2u * (2u * (k & ~3u) + 8u);
}

/* Receptive field of output pixel (oy, ox) for input channels [ic0, ic0 + c) into column
 * `col` (0 or 1) of the scratch. Value j < k4 goes to scratch[8 * (j / 4) + 4 * col + q] with
 * q = 0, 2, 1, 3 for j % 4 = 0, 1, 2, 3; value j >= k4 to scratch[2 * k4 + 4 * col + j - k4]. */
MCE_INLINE void fill_column(const mce_conv_params *p, const int8_t *in_b, int32_t ic0,
                            int32_t oy, int32_t ox, int32_t k4, int16_t *scratch, int32_t col)
{
    const int32_t c = p->filter_in_c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const uint32_t off2 = mce_dup16(p->input_offset);
    int16_t *const groups = scratch + 4 * col;
    int16_t *const tail = scratch + 2 * k4 + 4 * col - k4;
    int32_t ky, kx, i, j = 0;
    for (ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky * p->dil_h;
        const int row_in = iy >= 0 && iy < p->in_h;
        for (kx = 0; kx < p->k_w; kx++, j += c) {
            const int32_t ix = ix0 + kx * p->dil_w;
            const int8_t *src;
            if (row_in && ix >= 0 && ix < p->in_w) {
                src = in_b + (iy * p->in_w + ix) * p->in_c + ic0;
                if ((c & 3) == 0) {
                    /* j is a multiple of 4 and k4 == k: four bytes -> (x0,x2) (x1,x3) */
                    int16_t *dst = groups + 2 * j;
                    for (i = 0; i < c; i += 4, dst += 8) {
                        const uint32_t x = mce_ld32(src + i);
                        mce_st32(dst, mce_sxtab16(off2, x));
                        mce_st32(dst + 2, mce_sxtab16_ror8(off2, x));
                    }
                    continue;
                }
            } else {
                src = NULL; /* padding */
            }
            for (i = 0; i < c; i++) {
                const int32_t jj = j + i;
                const int16_t v = src ? (int16_t)((int32_t)src[i] + p->input_offset) : 0;
                if (jj < k4)
                    groups[2 * (jj & ~3) + ((jj ^ (((jj + 1) >> 1) & 1) * 3) & 3)] = v;
                else
                    tail[jj] = v;
            }
        }
    }
}

void mce_conv2d_s8(const mce_conv_params *p, const int8_t *input, const int8_t *filter,
                   const int32_t *bias, int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t oc_per_group = p->out_c / groups;
    const int32_t k = p->k_h * p->k_w * p->filter_in_c;
    const int32_t k4 = k & ~3;
    const int32_t n_px = p->out_h * p->out_w;
    int16_t *const scratch = (int16_t *)p->scratch;
    const int16_t *const tail0 = scratch + 2 * k4, *const tail1 = tail0 + 4;
    int32_t b, g;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + b * n_px * p->out_c;
        for (g = 0; g < groups; g++) {
            const int32_t oc_lo = g * oc_per_group, oc_hi = oc_lo + oc_per_group;
            int32_t px = 0, oy = 0, ox = 0;
            while (px < n_px) {
                const int32_t ncols = n_px - px >= 2 ? 2 : 1;
                int8_t *out0 = out_b + px * p->out_c;
                int8_t *out1 = out0 + p->out_c;
                int32_t c, oc, j;
                for (c = 0; c < ncols; c++) {
                    fill_column(p, in_b, g * p->filter_in_c, oy, ox, k4, scratch, c);
                    if (++ox == p->out_w) {
                        ox = 0;
                        oy++;
                    }
                }
                if (ncols == 2) {
                    /* 2 channels x 2 pixels */
                    for (oc = oc_lo; oc + 2 <= oc_hi; oc += 2) {
                        const int8_t *w0 = filter + oc * k;
                        const int8_t *w1 = w0 + k;
                        const int8_t *pa = w0, *pb = w1;
                        const int16_t *x = scratch;
                        int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
                        for (; pa < w0 + k4; pa += 4, pb += 4, x += 8) {
                            const uint32_t x0a = mce_ld32(x), x0b = mce_ld32(x + 2);
                            const uint32_t x1a = mce_ld32(x + 4), x1b = mce_ld32(x + 6);
                            uint32_t w = mce_ld32(pa);
                            uint32_t wa = mce_sxtb16(w), wb = mce_sxtb16_ror8(w);
                            s00 = mce_smlad(wa, x0a, s00);
                            s00 = mce_smlad(wb, x0b, s00);
                            s01 = mce_smlad(wa, x1a, s01);
                            s01 = mce_smlad(wb, x1b, s01);
                            w = mce_ld32(pb);
                            wa = mce_sxtb16(w);
                            wb = mce_sxtb16_ror8(w);
                            s10 = mce_smlad(wa, x0a, s10);
                            s10 = mce_smlad(wb, x0b, s10);
                            s11 = mce_smlad(wa, x1a, s11);
                            s11 = mce_smlad(wb, x1b, s11);
                        }
                        for (j = 0; j < k - k4; j++) {
                            s00 += tail0[j] * w0[k4 + j];
                            s01 += tail1[j] * w0[k4 + j];
                            s10 += tail0[j] * w1[k4 + j];
                            s11 += tail1[j] * w1[k4 + j];
                        }
                        if (bias) {
                            s00 += bias[oc];
                            s01 += bias[oc];
                            s10 += bias[oc + 1];
                            s11 += bias[oc + 1];
                        }
                        out0[oc] = mce_requant_s8(s00, p->mult[oc], p->shift[oc],
                                                  p->output_offset, p->act_min, p->act_max);
                        out1[oc] = mce_requant_s8(s01, p->mult[oc], p->shift[oc],
                                                  p->output_offset, p->act_min, p->act_max);
                        out0[oc + 1] = mce_requant_s8(s10, p->mult[oc + 1], p->shift[oc + 1],
                                                      p->output_offset, p->act_min, p->act_max);
                        out1[oc + 1] = mce_requant_s8(s11, p->mult[oc + 1], p->shift[oc + 1],
                                                      p->output_offset, p->act_min, p->act_max);
                    }
                    if (oc < oc_hi) { /* odd channel count: 1 channel x 2 pixels */
                        const int8_t *w0 = filter + oc * k;
                        const int8_t *pa = w0;
                        const int16_t *x = scratch;
                        int32_t s00 = 0, s01 = 0;
                        for (; pa < w0 + k4; pa += 4, x += 8) {
                            const uint32_t w = mce_ld32(pa);
                            const uint32_t wa = mce_sxtb16(w), wb = mce_sxtb16_ror8(w);
                            s00 = mce_smlad(wa, mce_ld32(x), s00);
                            s00 = mce_smlad(wb, mce_ld32(x + 2), s00);
                            s01 = mce_smlad(wa, mce_ld32(x + 4), s01);
                            s01 = mce_smlad(wb, mce_ld32(x + 6), s01);
                        }
                        for (j = 0; j < k - k4; j++) {
                            s00 += tail0[j] * w0[k4 + j];
                            s01 += tail1[j] * w0[k4 + j];
                        }
                        if (bias) {
                            s00 += bias[oc];
                            s01 += bias[oc];
                        }
                        out0[oc] = mce_requant_s8(s00, p->mult[oc], p->shift[oc],
                                                  p->output_offset, p->act_min, p->act_max);
                        out1[oc] = mce_requant_s8(s01, p->mult[oc], p->shift[oc],
                                                  p->output_offset, p->act_min, p->act_max);
                    }
                } else {
                    /* last pixel of an odd count: 1 pixel, one channel at a time */
                    for (oc = oc_lo; oc < oc_hi; oc++) {
                        const int8_t *w0 = filter + oc * k;
                        const int8_t *pa = w0;
                        const int16_t *x = scratch;
                        int32_t s = 0;
                        for (; pa < w0 + k4; pa += 4, x += 8) {
                            const uint32_t w = mce_ld32(pa);
                            s = mce_smlad(mce_sxtb16(w), mce_ld32(x), s);
                            s = mce_smlad(mce_sxtb16_ror8(w), mce_ld32(x + 2), s);
                        }
                        for (j = 0; j < k - k4; j++)
                            s += tail0[j] * w0[k4 + j];
                        if (bias)
                            s += bias[oc];
                        out0[oc] = mce_requant_s8(s, p->mult[oc], p->shift[oc], p->output_offset,
                                                  p->act_min, p->act_max);
                    }
                }
                px += ncols;
            }
        }
    }
}

#endif /* MCE_KERNELS_OPTIMIZED */
