/* align_probe.c - the tests' probe of the alignment check made at block entry: load64() is one
 * block (LDRD from the pointer it is given, then return). It runs 100 times on a word-aligned
 * address, then once on an address 2 bytes further, which Armv7-M faults on (LDRD needs word
 * alignment, DDI 0403E A3.2.1). Exit code 0 when nothing faulted and the sum is right. */
#define BARE_STACK_TOP 0x20001000u
#include "bare_c.h"

__attribute__((noinline)) uint64_t load64(const volatile uint64_t *p) { return *p; }

void reset(void)
{
    volatile uint32_t *buf = (volatile uint32_t *)0x20000200u;
    uint64_t acc = 0;
    for (int i = 0; i < 4; i++) buf[i] = (uint32_t)(i + 1);
    for (int i = 0; i < 100; i++) acc += load64((const volatile uint64_t *)buf);
    acc += load64((const volatile uint64_t *)((uintptr_t)buf + 2));
    exit_with((acc & 0xFFu) == 100u ? 0u : 1u); /* 100 x the low word 1, plus 0 */
}
