/*
 * Fixed-point arithmetic with the rounding rules TFLite's integer kernels use (the gemmlowp
 * conventions). Our own implementation of these published semantics:
 *
 *   srdhm(a, b)        "saturating rounding doubling high multiply": round(a*b / 2^31) with
 *                      ties rounded away from zero, and the single overflow case
 *                      a == b == INT32_MIN saturating to INT32_MAX.
 *   rdivpot(x, e)      x / 2^e rounded to nearest, ties away from zero.
 *   mul_by_qmult       x * m * 2^shift: left shift first (shift > 0), then srdhm, then a
 *                      rounding right shift (shift < 0) -- "double rounding".
 *
 * Q-format values below are raw int32 with an implied number of integer bits; a "Qn" value
 * has n integer bits and 31-n fractional bits.
 */
#ifndef MCE_FIXEDPOINT_H
#define MCE_FIXEDPOINT_H

#include <stdint.h>

/* Force inlining so that every cycle of a kernel is attributed to the kernel's own symbol
 * by the profiler (at -Os gcc would otherwise outline these helpers). */
#if defined(__GNUC__)
#define MCE_INLINE static inline __attribute__((always_inline))
#else
#define MCE_INLINE static inline
#endif

MCE_INLINE int32_t mce_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C division truncates toward zero, as required. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

MCE_INLINE int32_t mce_rdivpot(int32_t x, int32_t exponent)
{
    int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* Arithmetic right shift of a negative value: implementation-defined in C99, but both
     * gcc targets we build for shift arithmetically. */
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* Wrapping left shift (no signed-overflow UB). */
MCE_INLINE int32_t mce_shl(int32_t x, int32_t s)
{
    return (int32_t)((uint32_t)x << s);
}

MCE_INLINE int32_t mce_mul_by_qmult(int32_t x, int32_t mult, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    return mce_rdivpot(mce_srdhm(mce_shl(x, left), mult), right);
}

MCE_INLINE int32_t mce_clamp(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* x * 2^e with saturation (e > 0), or rounding division (e < 0). */
MCE_INLINE int32_t mce_sat_mul_pot(int32_t x, int32_t e)
{
    if (e == 0)
        return x;
    if (e < 0)
        return mce_rdivpot(x, -e);
    {
        int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
        if (x > threshold)
            return INT32_MAX;
        if (x < -threshold)
            return INT32_MIN;
        return mce_shl(x, e);
    }
}

/* Round (a + b) / 2 with ties away from zero, computed without overflow. */
MCE_INLINE int32_t mce_rounding_half_sum(int32_t a, int32_t b)
{
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

MCE_INLINE int32_t mce_clz32(uint32_t x)
{
    int32_t n = 0;
    if (x == 0)
        return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

#endif /* MCE_FIXEDPOINT_H */
