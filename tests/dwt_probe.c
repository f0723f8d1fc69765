/* dwt_probe.c - the tests' probe of the DWT cycle counter: enable it as self-timing firmware
 * does (DEMCR.TRCENA, DWT_CTRL.CYCCNTENA), spin, read it twice. Exit code: bit 0 set when
 * CYCCNT advanced, bits 4-7 DWT_CTRL.NUMCOMP. Armv7-M has the counter (DDI 0403E C1.8.7);
 * Armv6-M has none (DDI 0419E C1.8), so there it reads zero. */
#define BARE_STACK_TOP 0x20001000u
#include "bare_c.h"

#define DEMCR      (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL   (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

void reset(void)
{
    DEMCR |= 1u << 24;
    DWT_CTRL |= 1u;
    uint32_t a = DWT_CYCCNT;
    for (volatile int i = 0; i < 100; i++) {
    }
    uint32_t b = DWT_CYCCNT;
    exit_with((b != a ? 1u : 0u) | ((DWT_CTRL >> 28) << 4));
}
