/*
 * reset.c - requests a system reset through AIRCR (0xE000ED0C, VECTKEY 0x05FA in bits 31:16,
 * SYSRESETREQ bit 2: Armv7-M ARM DDI 0403E B3.2.6).  mcusim ends the run there and says so.
 */
#include <stdint.h>

#include "console.h"

int main(void)
{
    sh_puts("reset: requesting a system reset\n");
    *(volatile uint32_t *)0xE000ED0Cu = (0x05FAu << 16) | (1u << 2);
    __asm volatile("dsb");
    for (;;) {
    }
}
