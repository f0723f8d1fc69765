/*
 * DEPTHWISE_CONV_2D int8, optimized flavour (MCE_KERNELS_OPTIMIZED).
 *
 * Same symbol and same results as the reference kernel in mce_depthwise.c. No scratch memory.
 *
 * The filter window is first clipped to the input (no per-tap bounds checks; padding taps
 * contribute nothing, as in the reference). With depth multiplier 1, four channels are done
 * at once: one 32-bit load of four input bytes and one of four filter bytes, SXTAB16 adds the
 * input offset while widening bytes 0/2 and (rotated by 8) bytes 1/3 to halfword pairs,
 * SXTB16 widens the filter the same way, and SMLABB/SMLATT accumulate the four channels in
 * four registers. Remaining channels (in_c % 4) and depth multipliers above 1 use scalar code
 * over the same clipped window.
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

/* Taps [*lo, *hi) of a filter dimension that land inside the input. */
MCE_INLINE void clip_taps(int32_t origin, int32_t k, int32_t dil, int32_t in_size, int32_t *lo,
                          int32_t *hi)
{
    int32_t a = 0, z = k;
    while (a < k && origin + a * dil < 0)
        a++;
    while (z > a && origin + (z - 1) * dil >= in_size)
        z--;
    *lo = a;
    *hi = z;
}

void mce_depthwise_conv2d_s8(const mce_dw_params *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output)
{
    const uint32_t off2 = mce_dup16(p->input_offset);
    const int32_t in_c = p->in_c, out_c = p->out_c, dm = p->depth_multiplier;
    const int32_t c4 = dm == 1 ? (in_c & ~3) : 0;
    const int32_t x_step = p->dil_w * in_c;                  /* next tap in a row */
    const int32_t in_row_step = p->dil_h * p->in_w * in_c;   /* next window row (input) */
    const int32_t w_row_step = p->k_w * out_c;               /* next window row (filter) */
    int32_t b, oy, ox, ch, m, ky, kx;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + b * p->in_h * p->in_w * in_c;
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            clip_taps(iy0, p->k_h, p->dil_h, p->in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out_px = output + ((b * p->out_h + oy) * p->out_w + ox) * out_c;
                int32_t kx0, kx1;
                clip_taps(ix0, p->k_w, p->dil_w, p->in_w, &kx0, &kx1);
                /* four channels at a time (depth multiplier 1) */
                /* first in-window tap of this pixel; rows and taps step by fixed amounts */
                const int8_t *const in_px0 =
                    in_b + ((iy0 + ky0 * p->dil_h) * p->in_w + ix0 + kx0 * p->dil_w) * in_c;
                const int8_t *const w_px0 = filter + (ky0 * p->k_w + kx0) * out_c;
                const int32_t rows = ky1 - ky0, taps = kx1 - kx0;
                for (ch = 0; ch < c4; ch += 4) {
                    const int8_t *prow = in_px0 + ch, *wrow = w_px0 + ch;
                    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, r;
                    for (r = rows; r > 0; r--, prow += in_row_step, wrow += w_row_step) {
                        const int8_t *px = prow, *pw = wrow;
                        for (kx = taps; kx > 0; kx--) {
                            const uint32_t x = mce_ld32(px), w = mce_ld32(pw);
                            const uint32_t xa = mce_sxtab16(off2, x);
                            const uint32_t xb = mce_sxtab16_ror8(off2, x);
                            const uint32_t wa = mce_sxtb16(w);
                            px += x_step;
                            pw += out_c;
                            s0 = mce_smlabb(xa, wa, s0);
                            s2 = mce_smlatt(xa, wa, s2);
                            s1 = mce_smlabb(xb, mce_sxtb16_ror8(w), s1);
                            s3 = mce_smlatt(xb, mce_sxtb16_ror8(w), s3);
                        }
                    }
                    if (bias) {
                        s0 += bias[ch];
                        s1 += bias[ch + 1];
                        s2 += bias[ch + 2];
                        s3 += bias[ch + 3];
                    }
                    out_px[ch] = mce_requant_s8(s0, p->mult[ch], p->shift[ch], p->output_offset,
                                                p->act_min, p->act_max);
                    out_px[ch + 1] = mce_requant_s8(s1, p->mult[ch + 1], p->shift[ch + 1],
                                                    p->output_offset, p->act_min, p->act_max);
                    out_px[ch + 2] = mce_requant_s8(s2, p->mult[ch + 2], p->shift[ch + 2],
                                                    p->output_offset, p->act_min, p->act_max);
                    out_px[ch + 3] = mce_requant_s8(s3, p->mult[ch + 3], p->shift[ch + 3],
                                                    p->output_offset, p->act_min, p->act_max);
                }
                /* remaining input channels, every depth multiplier */
                for (ch = c4; ch < in_c; ch++) {
                    for (m = 0; m < dm; m++) {
                        const int32_t oc = ch * dm + m;
                        int32_t s = 0;
                        for (ky = ky0; ky < ky1; ky++) {
                            const int8_t *in_row = in_b + (iy0 + ky * p->dil_h) * p->in_w * in_c + ch;
                            const int8_t *w_row = filter + ky * p->k_w * out_c + oc;
                            for (kx = kx0; kx < kx1; kx++)
                                s += ((int32_t)in_row[(ix0 + kx * p->dil_w) * in_c] +
                                      p->input_offset) *
                                     (int32_t)w_row[kx * out_c];
                        }
                        if (bias)
                            s += bias[oc];
                        out_px[oc] = mce_requant_s8(s, p->mult[oc], p->shift[oc],
                                                    p->output_offset, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

#endif /* MCE_KERNELS_OPTIMIZED */
