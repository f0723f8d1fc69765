/*
 * SOFTMAX int8 -> int8, bit-exact with TFLite's reference quantized softmax.
 *
 * Per row: d = x - max(x) (<= 0) is rescaled to a Q5.26 value beta*scale*d, exp(d) is
 * evaluated in fixed point (mce_exp_on_negative_values, Q0.31 result), the exps are summed
 * in Q12.19, the sum's reciprocal is formed by Newton-Raphson (mce_one_over_one_plus_x), and
 * each output is exp * reciprocal scaled to 1/256 steps with zero point -128. Differences
 * below diff_min give exp = 0 and the output -128. The work per element is the same whatever
 * the values (masks instead of branches), so the kernel's time depends on the shape only.
 *
 * The polynomial and the constants are the mathematical ones: exp(-1/8), 1/3 and
 * exp(-2^k) for k = -2..4 in Q0.31, and 48/17, -32/17 in Q2.29, each rounded to nearest.
 */
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/* exp(a) for a in [-1/4, 0), a and result in Q0.31: Taylor series around -1/8. */
MCE_INLINE int32_t mce_exp_quarter_interval(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668;
    const int32_t one_third = 715827883;
    int32_t x = a + (1 << 28); /* a + 1/8 */
    int32_t x2 = mce_srdhm(x, x);
    int32_t x3 = mce_srdhm(x2, x);
    int32_t x4 = mce_srdhm(x2, x2);
    int32_t x4_over_4 = mce_rdivpot(x4, 2);
    /* (x^4/4 + x^3)/3 + x^2, halved: x^4/24 + x^3/6 + x^2/2 */
    int32_t poly = mce_rdivpot(mce_srdhm(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth + mce_srdhm(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0 given with `int_bits` integer bits (4 or 5 here); result in Q0.31
 * (exp(0) saturates to INT32_MAX). a = -(k/4) - r with r in [0, 1/4): exp(-r) from the
 * series, then one multiply by exp(-2^j) for each set bit of k/4. */
MCE_INLINE int32_t mce_exp_on_negative_values(int32_t a, int32_t int_bits)
{
    static const int32_t exp_neg_pow2[7] = {
        1672461947, /* exp(-1/4) */
        1302514674, /* exp(-1/2) */
        790015084,  /* exp(-1)   */
        290630308,  /* exp(-2)   */
        39332535,   /* exp(-4)   */
        720401,     /* exp(-8)   */
        242         /* exp(-16)  */
    };
    const int32_t frac_bits = 31 - int_bits;
    const int32_t one_quarter = 1 << (frac_bits - 2);
    int32_t a_mod_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
    int32_t result = mce_exp_quarter_interval(mce_sat_mul_pot(a_mod_minus_quarter, int_bits));
    int32_t remainder = a_mod_minus_quarter - a; /* the multiple of 1/4 still to apply */
    int32_t k;
    for (k = 0; k < 7; k++) {
        /* exp(-2^(k-2)) is only needed while 2^(k-2) is representable: k - 2 < int_bits.
         * The product is formed for every bit and kept by a mask, not a branch: the time
         * does not depend on the value (as gemmlowp's select-based barrel shifter). */
        if (k - 2 < int_bits) {
            int32_t keep = -(int32_t)(((uint32_t)remainder >> (frac_bits - 2 + k)) & 1u);
            result = (mce_srdhm(result, exp_neg_pow2[k]) & keep) | (result & ~keep);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1) given in Q0.31; result in Q0.31. */
MCE_INLINE int32_t mce_one_over_one_plus_x(int32_t a)
{
    const int32_t c48_17 = 1515870810;  /* 48/17 in Q2.29 */
    const int32_t cm32_17 = -1010580540; /* -32/17 in Q2.29 */
    int32_t half_den = mce_rounding_half_sum(a, INT32_MAX); /* (1 + a) / 2, Q0.31 */
    int32_t x = c48_17 + mce_srdhm(half_den, cm32_17); /* Q2.29 initial estimate */
    int i;
    for (i = 0; i < 3; i++) {
        int32_t hd_x = mce_srdhm(half_den, x);            /* Q2.29 */
        int32_t one_minus = (1 << 29) - hd_x;             /* Q2.29 */
        x = x + mce_sat_mul_pot(mce_srdhm(x, one_minus), 2); /* Q4.27 -> Q2.29 */
    }
    return mce_sat_mul_pot(x, 1); /* x/2 in Q1.30 read as Q0.31 */
}

/* exp(beta * scale * diff) in Q0.31 for diff = x - max(x) <= 0, and 0 below diff_min.
 * Every element takes the same work: a diff below the cut-off is evaluated at diff_min
 * and its result masked to 0 (a select, not a branch), so a row's time does not depend
 * on how many of its values are near the maximum. */
MCE_INLINE int32_t mce_softmax_exp(const mce_softmax_params *p, int32_t diff)
{
    int32_t keep = -(int32_t)(diff >= p->diff_min);
    int32_t d = (diff & keep) | (p->diff_min & ~keep);
    int32_t scaled = mce_srdhm(mce_shl(d, p->input_left_shift), p->input_mult);
    return mce_exp_on_negative_values(scaled, 5) & keep;
}

void mce_softmax_s8(const mce_softmax_params *p, const int8_t *input, int8_t *output)
{
    int32_t r, c;
    for (r = 0; r < p->rows; r++) {
        const int8_t *in = input + r * p->depth;
        int8_t *out = output + r * p->depth;
        int32_t mx = -128, sum = 0, headroom, bits_over_unit, recip;
        for (c = 0; c < p->depth; c++)
            if (in[c] > mx)
                mx = in[c];
        for (c = 0; c < p->depth; c++) {
            int32_t e = mce_softmax_exp(p, (int32_t)in[c] - mx);
            /* Q12.19 accumulation; wraps (instead of UB) beyond 4096 classes */
            sum = (int32_t)((uint32_t)sum + (uint32_t)mce_rdivpot(e, 12));
        }
        headroom = mce_clz32((uint32_t)sum);
        bits_over_unit = 12 - headroom;
        recip = mce_one_over_one_plus_x(
            (int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
        for (c = 0; c < p->depth; c++) {
            int32_t e = mce_softmax_exp(p, (int32_t)in[c] - mx);
            int32_t v = mce_rdivpot(mce_srdhm(recip, e), bits_over_unit + 23);
            out[c] = (int8_t)mce_clamp(v - 128, -128, 127); /* e = 0 gives -128 */
        }
    }
}

/*
 * LOGISTIC int8 -> int8 (output scale 1/256, zero point -128), the fixed-point sigmoid of
 * TFLite's reference int8 kernel: x - zp is rescaled to Q4.27; beyond +-radius the output
 * saturates; otherwise sigmoid(|a|) = 1 / (1 + exp(-|a|)) and sigmoid(-|a|) = 1 - that.
 */
void mce_logistic_s8(const mce_logistic_params *p, const int8_t *input, int8_t *output)
{
    uint32_t i;
    for (i = 0; i < p->count; i++) {
        int32_t x = (int32_t)input[i] - p->input_zero_point;
        int32_t v;
        if (x <= -p->input_range_radius) {
            v = -128;
        } else if (x >= p->input_range_radius) {
            v = 127;
        } else {
            int32_t a = mce_mul_by_qmult(x, p->input_mult, p->input_left_shift); /* Q4.27 */
            int32_t r;
            if (a == 0) {
                r = 1 << 30; /* 1/2 */
            } else {
                int32_t pos = mce_one_over_one_plus_x(mce_exp_on_negative_values(a > 0 ? -a : a, 4));
                r = a > 0 ? pos : INT32_MAX - pos;
            }
            v = mce_clamp(mce_rdivpot(r, 23) - 128, -128, 127);
        }
        output[i] = (int8_t)v;
    }
}
