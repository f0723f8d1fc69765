/* m0_unaligned_probe.c - the tests' probe of Armv6-M alignment faults (DDI 0419E A3.2.1: every
 * unaligned access faults): an LDM from an odd address, or (with -DHALF) an LDRH from one. */
#define BARE_STACK_TOP 0x20001000u
#include "bare_c.h"

void reset(void)
{
#ifdef HALF
    uint32_t v;
    __asm__ volatile("bad_half: ldrh %0, [%1]" : "=r"(v) : "r"(0x20000301u) : "memory");
#else
    register uint32_t r0 __asm__("r0") = 0x20000201u;
    __asm__ volatile("bad_ldm: ldm r0!, {r1, r2}" : "+r"(r0) : : "r1", "r2", "memory");
#endif
    exit_with(0);
}
