/* romfloat.c - the bit, memory and soft float/double entries of mcusim's RP2040 boot ROM
 * stand-in (our own code; the arithmetic is the compiler's libgcc soft-float and newlib's
 * libm, linked into the ROM image as our other sample programs link them).
 *
 * The tables follow RP2040 Datasheet section 2.8.3.2 "Fast Floating Point Library": one
 * table of single-precision entries ('SF') and one of double-precision ones ('SD') at the
 * same offsets, 32 entries each (the version 2/3 ROM size).  Conversions to integers round
 * towards minus infinity and clamp to the result's range, as the datasheet describes the
 * ROM's; fix/ufix variants scale by 2^n first.  The ROM's own routines are faster; only the
 * results are meant to match (verify: the ROM flushes denormals to zero, libgcc does not).
 */
#include <stdint.h>

typedef union { float f; uint32_t u; } fbits;
typedef union { double d; uint64_t u; } dbits;

/* ---- bit manipulation and memory (section 2.8.3.1) ---- */
uint32_t rom_popcount32(uint32_t v) {
    uint32_t n = 0;
    while (v) { v &= v - 1; n++; }
    return n;
}
uint32_t rom_reverse32(uint32_t v) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) { r = (r << 1) | (v & 1); v >>= 1; }
    return r;
}
uint32_t rom_clz32(uint32_t v) {
    uint32_t n = 0;
    if (!v) return 32;
    while (!(v & 0x80000000u)) { v <<= 1; n++; }
    return n;
}
uint32_t rom_ctz32(uint32_t v) {
    uint32_t n = 0;
    if (!v) return 32;
    while (!(v & 1)) { v >>= 1; n++; }
    return n;
}
uint8_t *rom_memset(uint8_t *p, uint8_t c, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) ((volatile uint8_t *)p)[i] = c;
    return p;
}
uint32_t *rom_memset4(uint32_t *p, uint8_t c, uint32_t n) {
    uint32_t w = c * 0x01010101u;
    for (uint32_t i = 0; i < n / 4; i++) ((volatile uint32_t *)p)[i] = w;
    return p;
}
uint8_t *rom_memcpy(uint8_t *d, const uint8_t *s, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) ((volatile uint8_t *)d)[i] = s[i];
    return d;
}
uint32_t *rom_memcpy44(uint32_t *d, const uint32_t *s, uint32_t n) {
    for (uint32_t i = 0; i < n / 4; i++) ((volatile uint32_t *)d)[i] = s[i];
    return d;
}

/* the boot2 check of section 2.8.1.3: CRC32, polynomial 0x04c11db7, initial value
 * 0xffffffff, bits taken most significant first, no final XOR */
uint32_t rom_crc32(const uint8_t *p, uint32_t n) {
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++) crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* ---- newlib's libm cores (the __ieee754_* ones set no errno: the ROM has no RAM) ---- */
double sin(double), cos(double), tan(double);
float sinf(float), cosf(float), tanf(float);
double __ieee754_sqrt(double), __ieee754_exp(double), __ieee754_log(double);
double __ieee754_atan2(double, double);
float __ieee754_sqrtf(float), __ieee754_expf(float), __ieee754_logf(float);
float __ieee754_atan2f(float, float);

/* ---- single precision ---- */
static float scalef(float a, int n) {  /* a * 2^n, exact while in range */
    while (n > 0) { a *= 2.0f; n--; }
    while (n < 0) { a *= 0.5f; n++; }
    return a;
}
static int isnanf_(float a) { return a != a; }

float rom_fadd(float a, float b) { return a + b; }
float rom_fsub(float a, float b) { return a - b; }
float rom_fmul(float a, float b) { return a * b; }
float rom_fdiv(float a, float b) { return a / b; }
int rom_fcmp(float a, float b) { return a < b ? -1 : a > b ? 1 : 0; }
float rom_fsqrt(float a) { return __ieee754_sqrtf(a); }

int32_t rom_float2fix(float a, int n) {
    a = scalef(a, n);
    if (isnanf_(a)) return 0;  /* verify: the datasheet does not say what NaN gives */
    if (a >= 2147483648.0f) return 0x7fffffff;
    if (a < -2147483648.0f) return (int32_t)0x80000000;
    int32_t i = (int32_t)a;
    return (float)i > a ? i - 1 : i;
}
int32_t rom_float2int(float a) { return rom_float2fix(a, 0); }
uint32_t rom_float2ufix(float a, int n) {
    a = scalef(a, n);
    if (isnanf_(a) || a < 1.0f) return 0;
    if (a >= 4294967296.0f) return 0xffffffffu;
    return (uint32_t)a;
}
uint32_t rom_float2uint(float a) { return rom_float2ufix(a, 0); }
float rom_int2float(int32_t i) { return (float)i; }
float rom_fix2float(int32_t i, int n) { return scalef((float)i, -n); }
float rom_uint2float(uint32_t u) { return (float)u; }
float rom_ufix2float(uint32_t u, int n) { return scalef((float)u, -n); }
float rom_fcos(float a) { return cosf(a); }
float rom_fsin(float a) { return sinf(a); }
float rom_ftan(float a) { return tanf(a); }
uint64_t rom_fsincos(float a) {  /* sin in r0, cos in r1 */
    fbits s = {sinf(a)}, c = {cosf(a)};
    return s.u | (uint64_t)c.u << 32;
}
float rom_fexp(float a) { return __ieee754_expf(a); }
float rom_fln(float a) { return __ieee754_logf(a); }
float rom_fatan2(float y, float x) { return __ieee754_atan2f(y, x); }
float rom_int642float(int64_t i) { return (float)i; }
float rom_fix642float(int64_t i, int n) { return scalef((float)i, -n); }
float rom_uint642float(uint64_t u) { return (float)u; }
float rom_ufix642float(uint64_t u, int n) { return scalef((float)u, -n); }
int64_t rom_float2fix64(float a, int n) {
    a = scalef(a, n);
    if (isnanf_(a)) return 0;
    if (a >= 9223372036854775808.0f) return INT64_MAX;
    if (a < -9223372036854775808.0f) return INT64_MIN;
    int64_t i = (int64_t)a;
    return (float)i > a ? i - 1 : i;
}
int64_t rom_float2int64(float a) { return rom_float2fix64(a, 0); }
uint64_t rom_float2ufix64(float a, int n) {
    a = scalef(a, n);
    if (isnanf_(a) || a < 1.0f) return 0;
    if (a >= 18446744073709551616.0f) return UINT64_MAX;
    return (uint64_t)a;
}
uint64_t rom_float2uint64(float a) { return rom_float2ufix64(a, 0); }
double rom_float2double(float a) { return (double)a; }

/* ---- double precision ---- */
static double scaled(double a, int n) {
    while (n > 0) { a *= 2.0; n--; }
    while (n < 0) { a *= 0.5; n++; }
    return a;
}
static int isnand_(double a) { return a != a; }

double rom_dadd(double a, double b) { return a + b; }
double rom_dsub(double a, double b) { return a - b; }
double rom_dmul(double a, double b) { return a * b; }
double rom_ddiv(double a, double b) { return a / b; }
int rom_dcmp(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }
double rom_dsqrt(double a) { return __ieee754_sqrt(a); }
int32_t rom_double2fix(double a, int n) {
    a = scaled(a, n);
    if (isnand_(a)) return 0;
    if (a >= 2147483648.0) return 0x7fffffff;
    if (a < -2147483648.0) return (int32_t)0x80000000;
    int32_t i = (int32_t)a;
    return (double)i > a ? i - 1 : i;
}
int32_t rom_double2int(double a) { return rom_double2fix(a, 0); }
uint32_t rom_double2ufix(double a, int n) {
    a = scaled(a, n);
    if (isnand_(a) || a < 1.0) return 0;
    if (a >= 4294967296.0) return 0xffffffffu;
    return (uint32_t)a;
}
uint32_t rom_double2uint(double a) { return rom_double2ufix(a, 0); }
double rom_int2double(int32_t i) { return (double)i; }
double rom_fix2double(int32_t i, int n) { return scaled((double)i, -n); }
double rom_uint2double(uint32_t u) { return (double)u; }
double rom_ufix2double(uint32_t u, int n) { return scaled((double)u, -n); }
double rom_dcos(double a) { return cos(a); }
double rom_dsin(double a) { return sin(a); }
double rom_dtan(double a) { return tan(a); }
double rom_dexp(double a) { return __ieee754_exp(a); }
double rom_dln(double a) { return __ieee754_log(a); }
double rom_datan2(double y, double x) { return __ieee754_atan2(y, x); }
double rom_int642double(int64_t i) { return (double)i; }
double rom_fix642double(int64_t i, int n) { return scaled((double)i, -n); }
double rom_uint642double(uint64_t u) { return (double)u; }
double rom_ufix642double(uint64_t u, int n) { return scaled((double)u, -n); }
int64_t rom_double2fix64(double a, int n) {
    a = scaled(a, n);
    if (isnand_(a)) return 0;
    if (a >= 9223372036854775808.0) return INT64_MAX;
    if (a < -9223372036854775808.0) return INT64_MIN;
    int64_t i = (int64_t)a;
    return (double)i > a ? i - 1 : i;
}
int64_t rom_double2int64(double a) { return rom_double2fix64(a, 0); }
uint64_t rom_double2ufix64(double a, int n) {
    a = scaled(a, n);
    if (isnand_(a) || a < 1.0) return 0;
    if (a >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)a;
}
uint64_t rom_double2uint64(double a) { return rom_double2ufix64(a, 0); }
float rom_double2float(double a) { return (float)a; }

void rom_fcmp_flags(void), rom_dcmp_flags(void), rom_dsincos(void);

/* The tables, each preceded by its size in words (the byte 2 before the table, which the
 * SDK checks); rom.ld names the tables themselves rom_sf_table and rom_sd_table. */
#define F(fn) (uint32_t)(uintptr_t)(fn)
__attribute__((section(".rodata.sf"), used, aligned(4)))
const struct { uint16_t pad; uint16_t size; uint32_t t[32]; } rom_sf = {0, 32, {
    F(rom_fadd), F(rom_fsub), F(rom_fmul), F(rom_fdiv),
    F(rom_fcmp), F(rom_fcmp_flags), F(rom_fsqrt), F(rom_float2int),
    F(rom_float2fix), F(rom_float2uint), F(rom_float2ufix), F(rom_int2float),
    F(rom_fix2float), F(rom_uint2float), F(rom_ufix2float), F(rom_fcos),
    F(rom_fsin), F(rom_ftan), F(rom_fsincos), F(rom_fexp),
    F(rom_fln), F(rom_fcmp), F(rom_fatan2), F(rom_int642float),
    F(rom_fix642float), F(rom_uint642float), F(rom_ufix642float), F(rom_float2int64),
    F(rom_float2fix64), F(rom_float2uint64), F(rom_float2ufix64), F(rom_float2double),
}};
__attribute__((section(".rodata.sd"), used, aligned(4)))
const struct { uint16_t pad; uint16_t size; uint32_t t[32]; } rom_sd = {0, 32, {
    F(rom_dadd), F(rom_dsub), F(rom_dmul), F(rom_ddiv),
    F(rom_dcmp), F(rom_dcmp_flags), F(rom_dsqrt), F(rom_double2int),
    F(rom_double2fix), F(rom_double2uint), F(rom_double2ufix), F(rom_int2double),
    F(rom_fix2double), F(rom_uint2double), F(rom_ufix2double), F(rom_dcos),
    F(rom_dsin), F(rom_dtan), F(rom_dsincos), F(rom_dexp),
    F(rom_dln), F(rom_dcmp), F(rom_datan2), F(rom_int642double),
    F(rom_fix642double), F(rom_uint642double), F(rom_ufix642double), F(rom_double2int64),
    F(rom_double2fix64), F(rom_double2uint64), F(rom_double2ufix64), F(rom_double2float),
}};
