/*
 * fpu_off.c - turns the FPU off (CPACR 0xE000ED88 CP10/CP11 = 0, Armv7-M ARM B3.2.20) and
 * then executes a floating-point instruction.  Silicon raises a UsageFault (NOCP), escalated
 * to HardFault when UsageFault is not enabled; mcusim must report the same, at the FP
 * instruction (global symbol fp_insn).
 */
#include <stdint.h>

#include "console.h"

int main(void)
{
    sh_puts("fpu_off: disabling the FPU, then using it\n");
    *(volatile uint32_t *)0xE000ED88u = 0;
    __asm volatile("dsb\n isb\n"
                   ".global fp_insn\n"
                   "fp_insn:\n"
                   "vadd.f32 s0, s0, s1\n" ::: "s0");
    sh_puts("fpu_off: no fault\n");
    return 1;
}
