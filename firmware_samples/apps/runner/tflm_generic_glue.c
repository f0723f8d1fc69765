/*
 * tflm_generic_glue.c - what TFLM's cortex_m_generic target leaves to the application, for a
 * build whose programs (kernel tests, benchmarks, tflm_runner.cc) run under mcusim or QEMU as
 * newlib rdimon programs ("form 2" images: no vector table, entry _mainCRTStartup).
 *
 * cortex_m_generic builds a library: its DebugLog() prints nothing until the application
 * registers a callback (RegisterDebugLogCallback, TFLM releases of 2021-2022), and nothing in
 * newlib's start-up enables the FPU of a hard-float build. This file does both from a
 * constructor that runs before main() and before default-priority constructors: CPACR CP10/CP11
 * full access (Armv7-M ARM DDI 0403E B3.2.20, then DSB/ISB) when built for an FPU, and a
 * DebugLog callback that writes each string with semihosting SYS_WRITE0 (0x04).
 *
 * Link it after the library, e.g. in the LDFLAGS the TFLM Makefile appends to:
 *   LDFLAGS="--specs=rdimon.specs tflm_generic_glue.o" make -f .../Makefile TARGET=cortex_m_generic ...
 * The callback registration is a weak reference, so programs that never log still link.
 */
#include <stdint.h>

extern void RegisterDebugLogCallback(void (*cb)(const char *s)) __attribute__((weak));

static void semihost_write0(const char *s)
{
    register uint32_t r0 __asm__("r0") = 0x04u; /* SYS_WRITE0 */
    register const char *r1 __asm__("r1") = s;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

__attribute__((constructor(101))) static void tflm_generic_glue_init(void)
{
#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10, CP11 full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    if (RegisterDebugLogCallback) RegisterDebugLogCallback(semihost_write0);
}
