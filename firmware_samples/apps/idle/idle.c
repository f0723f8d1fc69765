/*
 * idle.c - reads a peripheral register no target model declares, then sleeps in WFI with no
 * interrupt enabled.  On hardware it would sleep forever; mcusim must report "halted" at the
 * WFI and list the unmodelled register read (0x40010000 is not a peripheral of the MPS2
 * boards' declared map).
 */
#include <stdint.h>

#include "console.h"

int main(void)
{
    uint32_t v = *(volatile uint32_t *)0x40010000u;
    sh_puts("idle: read 0x40010000 = ");
    sh_put_hex32(v);
    sh_puts(", now WFI with no interrupt source\n");
    for (;;) {
        __asm volatile("wfi");
    }
}
