/*
 * hello.c - the smallest useful check of a target: both consoles work, and a
 * deterministic computation gives the expected numbers.
 *
 * Prints one greeting through semihosting and one through the UART, then the
 * results (on the UART; QEMU shows UART text on stdout, semihosting on stderr):
 *   crc32("123456789") = 0xcbf43926   (the standard CRC-32 check value)
 *   crc32 of a 1024-byte generated table
 *   a sum of integer quotients and remainders (exercises the divider, or
 *   libgcc's division routines on a Cortex-M0+)
 *   a float recurrence whose every step is exact (same on hard and soft float)
 * and returns 0.
 */
#include <stdint.h>

#include "console.h"

#ifndef TARGET_NAME
#define TARGET_NAME "unknown"
#endif

static uint8_t g_table[1024]; /* .bss: filled at run time */
static uint32_t g_seed = 0x2545F491u; /* .data: checks the .data copy */

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    /* Bitwise reflected CRC-32, polynomial 0xEDB88320, init and xorout ~0. */
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void fill_table(void)
{
    /* xorshift32 from a seed held in .data */
    uint32_t x = g_seed;
    for (uint32_t i = 0; i < sizeof g_table; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        g_table[i] = (uint8_t)x;
    }
    g_seed = x;
}

static uint32_t divide_mix(void)
{
    volatile uint32_t num = 1000003u; /* volatile: keep the divides at run time */
    uint32_t acc = 0;
    for (uint32_t k = 1; k <= 100u; k++) {
        acc += num / k + num % (k + 7u);
    }
    return acc;
}

static int32_t signed_mix(void)
{
    volatile int32_t num = -987654;
    int32_t acc = 0;
    for (int32_t k = 1; k <= 20; k++) {
        acc += num / k - num % (k + 3);
    }
    return acc;
}

static uint32_t float_mix(void)
{
    /*
     * acc = acc * 0.5 + i: multiplying by 0.5 is exact, so fused and
     * separate multiply-add round identically and the result does not depend
     * on the FPU or the compiler's contraction choices.
     */
    volatile float half = 0.5f;
    float acc = 0.0f;
    for (int i = 1; i <= 40; i++) {
        acc = acc * half + (float)i;
    }
    return (uint32_t)(acc * 1024.0f);
}

static void line_hex(const char *label, uint32_t v)
{
    con_puts(label);
    con_put_hex32(v);
    con_puts("\n");
}

static void line_u32(const char *label, uint32_t v)
{
    con_puts(label);
    con_put_u32(v);
    con_puts("\n");
}

static void line_i32(const char *label, int32_t v)
{
    con_puts(label);
    con_put_i32(v);
    con_puts("\n");
}

int main(void)
{
    sh_puts("hello from semihosting on " TARGET_NAME "\n");
    con_puts("hello from the UART on " TARGET_NAME "\n");

    static const uint8_t check[] = "123456789";
    line_hex("crc32(\"123456789\") = ", crc32(check, 9u));

    fill_table();
    line_hex("crc32(table[1024]) = ", crc32(g_table, sizeof g_table));
    line_u32("divide_mix = ", divide_mix());
    line_i32("signed_mix = ", signed_mix());
    line_u32("float_mix = ", float_mix());
    sh_puts("hello: done, exit 0\n");
    return 0;
}
