/*
 * Dual 16-bit SIMD helpers for the optimized kernel flavour (MCE_KERNELS_OPTIMIZED).
 *
 * On a core with the DSP extension (__ARM_FEATURE_DSP: Cortex-M4, M7, M33/M55 with DSP) each
 * helper is one instruction, through the ACLE intrinsics of <arm_acle.h>:
 *
 *   mce_sxtb16(x)          SXTB16   bytes 0 and 2 of x, sign-extended into two halfwords
 *   mce_sxtab16(a, x)      SXTAB16  a.lo + sext(x.b0), a.hi + sext(x.b2)   (each mod 2^16)
 *   mce_smlad(a, b, acc)   SMLAD    acc + a.lo*b.lo + a.hi*b.hi           (mod 2^32)
 *   mce_smlabb(a, b, acc)  SMLABB   acc + a.lo*b.lo
 *   mce_smlatt(a, b, acc)  SMLATT   acc + a.hi*b.hi
 *   mce_sxtb16_ror8(x)     SXTB16 with ROR #8: bytes 1 and 3 of x, sign-extended
 *   mce_sxtab16_ror8(a, x) SXTAB16 with ROR #8: a.lo + sext(x.b1), a.hi + sext(x.b3)
 *
 * Semantics: Armv7-M Architecture Reference Manual (DDI 0403E), chapter A7, the instruction
 * descriptions of SMLAD, SMLABB/SMLATT, SXTAB16 and SXTB16. SMLAD/SMLABB set the Q flag on
 * signed overflow of the accumulation but still return the wrapped 32-bit sum, which is what
 * the reference kernels' int32 accumulators compute, so results are identical.
 *
 * Elsewhere:
 *   - on an Arm core WITHOUT the DSP extension (Cortex-M0/M0+/M3) the optimized flavour refuses
 *     to build: a silent fallback would label reference code as "optimized" in measurements;
 *     build the reference flavour (no MCE_KERNELS_OPTIMIZED) for those cores;
 *   - on a non-Arm host the helpers are plain C with the same results, so the optimized kernels'
 *     loop structure (im2col, unrolling, tails) can be tested against TFLM on the host.
 */
#ifndef MCE_SIMD_H
#define MCE_SIMD_H

#include <stdint.h>

#include "mce_fixedpoint.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define MCE_SIMD_NATIVE 1

MCE_INLINE uint32_t mce_sxtb16(uint32_t x)
{
    return (uint32_t)__sxtb16((int8x4_t)x);
}
MCE_INLINE uint32_t mce_sxtab16(uint32_t a, uint32_t x)
{
    return (uint32_t)__sxtab16((int16x2_t)a, (int8x4_t)x);
}
MCE_INLINE int32_t mce_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}
MCE_INLINE int32_t mce_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlabb((int32_t)a, (int32_t)b, acc);
}
/* The rotated forms are written as inline assembly: gcc 12 does not fold a separate rotate
 * into the instruction's ROR #8 operand. */
MCE_INLINE uint32_t mce_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
MCE_INLINE uint32_t mce_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
MCE_INLINE int32_t mce_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlatt((int32_t)a, (int32_t)b, acc);
}

#elif defined(__arm__) || defined(__thumb__)
#error "MCE_KERNELS_OPTIMIZED needs the Arm DSP extension (e.g. Cortex-M4/M7); build the reference kernels for this core"

#else /* portable emulation for host tests */
#define MCE_SIMD_NATIVE 0

MCE_INLINE uint32_t mce_lo16(uint32_t v)
{
    return v & 0xffffu;
}
MCE_INLINE int32_t mce_s16(uint32_t v)
{
    return (int32_t)(int16_t)(uint16_t)v;
}
MCE_INLINE uint32_t mce_sxtb16(uint32_t x)
{
    uint32_t lo = (uint32_t)(int32_t)(int8_t)(uint8_t)x;
    uint32_t hi = (uint32_t)(int32_t)(int8_t)(uint8_t)(x >> 16);
    return mce_lo16(lo) | (mce_lo16(hi) << 16);
}
MCE_INLINE uint32_t mce_sxtab16(uint32_t a, uint32_t x)
{
    uint32_t s = mce_sxtb16(x);
    return mce_lo16(a + s) | (mce_lo16((a >> 16) + (s >> 16)) << 16);
}
MCE_INLINE int32_t mce_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    uint32_t p0 = (uint32_t)(mce_s16(a) * mce_s16(b));
    uint32_t p1 = (uint32_t)(mce_s16(a >> 16) * mce_s16(b >> 16));
    return (int32_t)((uint32_t)acc + p0 + p1);
}
MCE_INLINE int32_t mce_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(mce_s16(a) * mce_s16(b)));
}
MCE_INLINE int32_t mce_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(mce_s16(a >> 16) * mce_s16(b >> 16)));
}
MCE_INLINE uint32_t mce_sxtb16_ror8(uint32_t x)
{
    return mce_sxtb16((x >> 8) | (x << 24));
}
MCE_INLINE uint32_t mce_sxtab16_ror8(uint32_t a, uint32_t x)
{
    return mce_sxtab16(a, (x >> 8) | (x << 24));
}
#endif

/* 32-bit loads/stores at any alignment (one LDR/STR on Armv7-M, which allows unaligned
 * word accesses; never LDRD/LDM, which do not). __builtin_memcpy, not memcpy: the firmware is
 * built with -ffreestanding (hence -fno-builtin), where a plain memcpy stays a library call. */
MCE_INLINE uint32_t mce_ld32(const void *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
MCE_INLINE void mce_st32(void *p, uint32_t v)
{
    __builtin_memcpy(p, &v, 4);
}

/* The same 16-bit value in both halves (for SXTAB16 offsets). */
MCE_INLINE uint32_t mce_dup16(int32_t v)
{
    return ((uint32_t)v & 0xffffu) * 0x00010001u;
}

/*
 * mce_srdhm (mce_fixedpoint.h) in fewer instructions, with identical results for every
 * (a, b): the reference computes trunc((a*b + n) / 2^31) with n = 2^30 for a*b >= 0 and
 * n = 1 - 2^30 otherwise. For a*b >= 0 that is floor((a*b + 2^30) / 2^31). For a*b < 0 the
 * dividend is negative, so truncation is the ceiling, and ceil(t / 2^31) =
 * floor((t + 2^31 - 1) / 2^31) = floor((a*b + 2^30) / 2^31) again. Hence one 64-bit
 * multiply-add and an arithmetic shift (SMLAL + two shifts on the M4) instead of a sign test,
 * two nudges and a truncating division. The one overflow, INT32_MIN * INT32_MIN, saturates
 * as in the reference. (Checked against mce_srdhm on 2e8 random and edge-case pairs, and by
 * every bit-exactness test.)
 */
MCE_INLINE int32_t mce_srdhm_fast(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* Requantize one accumulator to an int8 output: mce_mul_by_qmult (left shift, srdhm,
 * rounding right shift), output offset, activation clamp; the same results as the reference
 * kernels' code. */
MCE_INLINE int8_t mce_requant_s8(int32_t acc, int32_t mult, int32_t shift, int32_t out_offset,
                                 int32_t act_min, int32_t act_max)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    acc = mce_rdivpot(mce_srdhm_fast(mce_shl(acc, left), mult), right) + out_offset;
    return (int8_t)mce_clamp(acc, act_min, act_max);
}

#endif /* MCE_SIMD_H */
