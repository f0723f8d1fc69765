/*
 * systick.c - periodic SysTick interrupts, WFI sleep and the DWT cycle counter.
 *
 * SysTick is loaded with SYSTICK_RELOAD and clocked from the processor clock,
 * so it interrupts every SYSTICK_RELOAD + 1 cycles.  The handler counts; main
 * sleeps in WFI until SYSTICK_TARGET interrupts have been taken, then stops
 * the timer and prints the tick count and the cycles the DWT counted across
 * the wait (expected: about SYSTICK_TARGET * (SYSTICK_RELOAD + 1)).
 * Returns 0 when the count is exact.
 *
 * Registers:
 *   SysTick CSR 0xE000E010 (bit 0 ENABLE, 1 TICKINT, 2 CLKSOURCE = processor
 *   clock), RVR 0xE000E014, CVR 0xE000E018: Armv7-M ARM (DDI 0403E) B3.3.2,
 *   table B3-7; Armv6-M ARM (DDI 0419E) B3.3.2.
 *   DEMCR 0xE000EDFC bit 24 TRCENA: DDI 0403E C1.6.5.
 *   DWT_CTRL 0xE0001000 bit 0 CYCCNTENA, DWT_CYCCNT 0xE0001004: DDI 0403E
 *   C1.8.7 and C1.8.8.  Armv6-M has no CYCCNT, so the Cortex-M0+ build prints
 *   the count of cycles derived from SysTick instead.
 */
#include <stdint.h>

#include "console.h"

#ifndef SYSTICK_RELOAD
#define SYSTICK_RELOAD (10000u - 1u)
#endif
#ifndef SYSTICK_TARGET
#define SYSTICK_TARGET 50u
#endif

#define SYST_CSR    (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR    (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR    (*(volatile uint32_t *)0xE000E018u)
#define DEMCR       (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL    (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT  (*(volatile uint32_t *)0xE0001004u)

#define CSR_ENABLE     (1u << 0)
#define CSR_TICKINT    (1u << 1)
#define CSR_CLKSOURCE  (1u << 2)

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define HAVE_CYCCNT 1
#else
#define HAVE_CYCCNT 0
#endif

static volatile uint32_t g_ticks;

void SysTick_Handler(void)
{
    g_ticks++;
}

static void print_both(const char *label, uint32_t v)
{
    con_puts(label);
    con_put_u32(v);
    con_puts("\n");
    sh_puts(label);
    sh_put_u32(v);
    sh_puts("\n");
}

int main(void)
{
#if HAVE_CYCCNT
    DEMCR |= 1u << 24;  /* TRCENA: power the DWT */
    DWT_CYCCNT = 0u;
    DWT_CTRL |= 1u;     /* CYCCNTENA */
    uint32_t start = DWT_CYCCNT;
#endif

    SYST_CSR = 0u;
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0u;      /* any write clears the counter */
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT | CSR_ENABLE;

    while (g_ticks < SYSTICK_TARGET) {
        __asm__ volatile("wfi");
    }
    SYST_CSR = 0u;

#if HAVE_CYCCNT
    uint32_t cycles = DWT_CYCCNT - start;
#else
    uint32_t cycles = g_ticks * (SYSTICK_RELOAD + 1u);
#endif
    uint32_t ticks = g_ticks;

    print_both("systick: reload = ", SYSTICK_RELOAD);
    print_both("systick: ticks = ", ticks);
    print_both(HAVE_CYCCNT ? "systick: dwt cycles = " : "systick: systick cycles = ", cycles);
    return ticks == SYSTICK_TARGET ? 0 : 2;
}
