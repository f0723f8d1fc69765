/*
 * Preparation-time quantization math (runs once in mce_init, not per inference).
 *
 * mce_quantize_multiplier splits a positive real multiplier into a Q0.31 integer in
 * [2^30, 2^31) and a power-of-two exponent, the way TFLite's QuantizeMultiplier does:
 * real = q * 2^shift with q in [0.5, 1), q rounded to 31 fractional bits (ties away from
 * zero); a rounding that reaches 2^31 is halved and the shift incremented; shifts below -31
 * flush the multiplier to zero. We avoid libm: frexp/round/floor are done on the IEEE-754
 * bit patterns, which gives exactly the same values as the C library functions.
 */
#include "mce_internal.h"

/* A double's bits and back, through a union (C11 type punning): no call to the library's
 * memcpy, whose code the kernels that copy (RESHAPE) then meet as cold as inside a model. */
typedef union {
    double d;
    uint64_t u;
} mce_f64_bits;

static uint64_t bits_of(double d)
{
    mce_f64_bits v;
    v.d = d;
    return v.u;
}

static double double_of(uint64_t u)
{
    mce_f64_bits v;
    v.u = u;
    return v.d;
}

/* d = q * 2^exp with q in [0.5, 1); returns 0 for d == 0 or non-finite d. */
static double mce_frexp(double d, int *exp)
{
    uint64_t bits;
    int e;
    int adjust = 0;
    bits = bits_of(d);
    e = (int)((bits >> 52) & 0x7ffu);
    if (e == 0x7ff || d == 0.0) {
        *exp = 0;
        return 0.0;
    }
    if (e == 0) { /* subnormal: scale up by 2^64 first */
        d *= 18446744073709551616.0;
        bits = bits_of(d);
        e = (int)((bits >> 52) & 0x7ffu);
        adjust = -64;
    }
    *exp = e - 1022 + adjust;
    bits = (bits & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1022 << 52);
    return double_of(bits);
}

double mce_round(double x)
{
    double t;
    if (!(x > -4503599627370496.0 && x < 4503599627370496.0))
        return x; /* |x| >= 2^52 is integral already (or NaN) */
    t = (double)(int64_t)x; /* truncation toward zero */
    if (x - t >= 0.5)
        t += 1.0;
    else if (t - x >= 0.5)
        t -= 1.0;
    return t;
}

float mce_roundf(float x)
{
    float t;
    if (!(x > -8388608.0f && x < 8388608.0f))
        return x;
    t = (float)(int32_t)x;
    if (x - t >= 0.5f)
        t += 1.0f;
    else if (t - x >= 0.5f)
        t -= 1.0f;
    return t;
}

double mce_floor(double x)
{
    double t;
    if (!(x > -4503599627370496.0 && x < 4503599627370496.0))
        return x;
    t = (double)(int64_t)x;
    if (t > x)
        t -= 1.0;
    return t;
}

void mce_quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    int e = 0;
    double q;
    int64_t q_fixed;
    if (real == 0.0) {
        *mult = 0;
        *shift = 0;
        return;
    }
    q = mce_frexp(real, &e);
    q_fixed = (int64_t)mce_round(q * 2147483648.0);
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        e++;
    }
    if (e < -31) {
        e = 0;
        q_fixed = 0;
    }
    *mult = (int32_t)q_fixed;
    *shift = e;
}

/* zero_point + round(f / scale) with float division, as TFLite computes activation bounds. */
static int32_t quantize_bound(float f, float scale, int32_t zp)
{
    float v = mce_roundf(f / scale);
    if (v > 1e9f)
        v = 1e9f;
    if (v < -1e9f)
        v = -1e9f;
    return zp + (int32_t)v;
}

int mce_act_range_s8(int32_t act, float scale, int32_t zp, int32_t *lo, int32_t *hi)
{
    int32_t qmin = -128, qmax = 127;
    if (act == MCE_ACT_NONE) {
        *lo = qmin;
        *hi = qmax;
        return 0;
    }
    if (!(scale > 0.0f))
        return -1;
    if (act == MCE_ACT_RELU) {
        *lo = quantize_bound(0.0f, scale, zp);
        *hi = qmax;
    } else if (act == MCE_ACT_RELU6) {
        *lo = quantize_bound(0.0f, scale, zp);
        *hi = quantize_bound(6.0f, scale, zp);
    } else if (act == MCE_ACT_RELU_N1_TO_1) {
        *lo = quantize_bound(-1.0f, scale, zp);
        *hi = quantize_bound(1.0f, scale, zp);
    } else {
        return -1;
    }
    if (*lo < qmin)
        *lo = qmin;
    if (*hi > qmax)
        *hi = qmax;
    return 0;
}
