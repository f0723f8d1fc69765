/*
 * fault.c - deliberately faults so the simulator's fault report can be tested.
 *
 * FAULT_KIND selects the fault at build time (the committed ELF uses 1):
 *   1  32-bit load from FAULT_ADDR (default 0xCFFFFFF0: nothing is mapped
 *      there on any sample target; on Armv7-M it is a BusFault escalated to
 *      HardFault, on Armv6-M a HardFault)
 *   2  32-bit store to FAULT_ADDR
 *   3  an undefined instruction (UDF #0): UsageFault/HardFault
 * On a real chip the fault ends in HardFault_Handler's endless loop; the
 * program never returns normally.  If the access unexpectedly succeeds it
 * says so and exits with code 1.  The faulting instruction is at the global
 * symbol fault_insn.
 */
#include <stdint.h>

#include "console.h"

#ifndef FAULT_KIND
#define FAULT_KIND 1
#endif
#ifndef FAULT_ADDR
#define FAULT_ADDR 0xCFFFFFF0u
#endif

int main(void)
{
    volatile uint32_t *p = (volatile uint32_t *)FAULT_ADDR;
    uint32_t v = 0;

    sh_puts("fault: about to fault (kind ");
    sh_put_u32(FAULT_KIND);
    sh_puts(", address ");
    sh_put_hex32(FAULT_ADDR);
    sh_puts(")\n");

    /*
     * The faulting instruction carries the global label fault_insn, so a test
     * can compare the simulator's reported fault PC with the ELF symbol.
     */
#if FAULT_KIND == 1
    __asm__ volatile(".global fault_insn\nfault_insn:\n\tldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
#elif FAULT_KIND == 2
    __asm__ volatile(".global fault_insn\nfault_insn:\n\tstr %0, [%1]" : : "r"(0xDEADBEEFu), "r"(p) : "memory");
#elif FAULT_KIND == 3
    (void)p;
    __asm__ volatile(".global fault_insn\nfault_insn:\n\tudf #0");
#else
#error "FAULT_KIND must be 1, 2 or 3"
#endif

    sh_puts("fault: no fault happened (read ");
    sh_put_hex32(v);
    sh_puts(")\n");
    return 1;
}
