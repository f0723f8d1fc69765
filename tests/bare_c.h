/* Shared pieces of the tests' bare-metal C programs (built by build_bare_m4 in
 * tests/simtest.py): the two-word vector table (initial SP, reset) and the exit through
 * semihosting SYS_EXIT_EXTENDED with an exit code. Define BARE_STACK_TOP before including, or
 * BARE_OWN_VECTORS for a program with a vector table of its own; BARE_EXIT_BLOCK moves the
 * two-word argument block of the exit call (default 0x20000100).
 */
#include <stdint.h>

#ifndef BARE_OWN_VECTORS
void reset(void);
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[2] = {
    BARE_STACK_TOP, (uintptr_t)reset};
#endif
#ifndef BARE_EXIT_BLOCK
#define BARE_EXIT_BLOCK 0x20000100u /* no .data/.bss here */
#endif

static __attribute__((noreturn)) void exit_with(uint32_t code)
{
	volatile uint32_t *block = (volatile uint32_t *)(BARE_EXIT_BLOCK);
	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = code;
	register uint32_t r0 __asm__("r0") = 0x20; /* SYS_EXIT_EXTENDED */
	register volatile uint32_t *r1 __asm__("r1") = block;
	__asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
	for (;;) {
	}
}
