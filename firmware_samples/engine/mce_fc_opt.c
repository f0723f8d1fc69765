/*
 * FULLY_CONNECTED int8, optimized flavour (MCE_KERNELS_OPTIMIZED).
 *
 * Same symbol and same results as the reference kernel in mce_fc.c. No scratch memory.
 *
 * Two units (weight rows) per pass share the unpacked input: four input bytes are loaded once
 * and widened with the input offset added (SXTAB16 on bytes 0/2 and, rotated by 8, 1/3);
 * each row's four weight bytes are widened with the filter offset added the same way, and two
 * SMLADs per row do the four multiply-adds. (x + input_offset) and (w + filter_offset) both
 * lie in [-255, 255], so the 16-bit lanes cannot overflow. Depth % 4 and an odd unit count
 * take scalar tails.
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

void mce_fully_connected_s8(const mce_fc_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth, d4 = depth & ~3;
    const uint32_t ioff2 = mce_dup16(p->input_offset), foff2 = mce_dup16(p->filter_offset);
    int32_t b, u, d;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + b * depth;
        int8_t *out_b = output + b * p->out_depth;
        for (u = 0; u + 2 <= p->out_depth; u += 2) {
            const int8_t *w0 = filter + u * depth;
            const int8_t *w1 = w0 + depth;
            const int32_t ch0 = p->per_channel ? u : 0, ch1 = p->per_channel ? u + 1 : 0;
            const int8_t *px = in_b, *pa = w0, *pb = w1;
            const int8_t *const px_end = in_b + d4;
            int32_t s0 = 0, s1 = 0;
            while (px < px_end) {
                const uint32_t x = mce_ld32(px);
                const uint32_t xa = mce_sxtab16(ioff2, x), xb = mce_sxtab16_ror8(ioff2, x);
                uint32_t w = mce_ld32(pa);
                px += 4;
                pa += 4;
                s0 = mce_smlad(xa, mce_sxtab16(foff2, w), s0);
                s0 = mce_smlad(xb, mce_sxtab16_ror8(foff2, w), s0);
                w = mce_ld32(pb);
                pb += 4;
                s1 = mce_smlad(xa, mce_sxtab16(foff2, w), s1);
                s1 = mce_smlad(xb, mce_sxtab16_ror8(foff2, w), s1);
            }
            d = d4;
            for (; d < depth; d++) {
                const int32_t x = (int32_t)in_b[d] + p->input_offset;
                s0 += x * ((int32_t)w0[d] + p->filter_offset);
                s1 += x * ((int32_t)w1[d] + p->filter_offset);
            }
            if (bias) {
                s0 += bias[u];
                s1 += bias[u + 1];
            }
            out_b[u] = mce_requant_s8(s0, p->mult[ch0], p->shift[ch0], p->output_offset,
                                      p->act_min, p->act_max);
            out_b[u + 1] = mce_requant_s8(s1, p->mult[ch1], p->shift[ch1], p->output_offset,
                                          p->act_min, p->act_max);
        }
        if (u < p->out_depth) { /* odd unit count */
            const int8_t *w0 = filter + u * depth;
            const int32_t ch0 = p->per_channel ? u : 0;
            const int8_t *px = in_b, *pa = w0;
            const int8_t *const px_end = in_b + d4;
            int32_t s0 = 0;
            while (px < px_end) {
                const uint32_t x = mce_ld32(px), w = mce_ld32(pa);
                px += 4;
                pa += 4;
                s0 = mce_smlad(mce_sxtab16(ioff2, x), mce_sxtab16(foff2, w), s0);
                s0 = mce_smlad(mce_sxtab16_ror8(ioff2, x), mce_sxtab16_ror8(foff2, w), s0);
            }
            d = d4;
            for (; d < depth; d++)
                s0 += ((int32_t)in_b[d] + p->input_offset) * ((int32_t)w0[d] + p->filter_offset);
            if (bias)
                s0 += bias[u];
            out_b[u] = mce_requant_s8(s0, p->mult[ch0], p->shift[ch0], p->output_offset,
                                      p->act_min, p->act_max);
        }
    }
}

#endif /* MCE_KERNELS_OPTIMIZED */
