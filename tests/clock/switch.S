/* A firmware that switches its core clock (tests/test_clock_switch.py builds it for a board it
 * writes: mps2-an386 with an STM32L4-style RCC at 0x40021000 and [clock_tree]): it starts on
 * MSI at 4 MHz (the RCC's reset state), turns the PLL on (MSI x 60 / 2 = 120 MHz), waits for
 * PLLRDY, switches SYSCLK to it, then sleeps in WFI until SysTick (1,000 cycles) wakes it, and
 * exits 0 through semihosting. Built with PRINT it prints a line (SYS_WRITE0) right after the
 * switch: its start-up time spans both clocks.
 */
#include "../bare.h"

    vector_table_start
    .rept 13
    .word spin + 1
    .endr
    .word tick + 1              /* 15: SysTick */

    .text
    .global reset
    .thumb_func
reset:
    ldr r0, =0x40021000         /* RCC */
    ldr r1, =0x11003C01         /* PLLCFGR: PLLSRC MSI, M 1, N 60, PLLREN, R 2 */
    str r1, [r0, #0x0C]
    ldr r1, [r0]                /* CR */
    orr r1, r1, #0x01000000     /* PLLON */
    str r1, [r0]
1:  ldr r1, [r0]
    tst r1, #0x02000000         /* PLLRDY */
    beq 1b
    movs r1, #3                 /* CFGR.SW = PLL */
    str r1, [r0, #8]
    .global switched
switched:
#ifdef PRINT
    movs r0, #4                 /* SYS_WRITE0 */
    adr r1, message
    bkpt 0xab
#endif
    ldr r0, =0xE000E010         /* SysTick CSR */
    ldr r1, =999
    str r1, [r0, #4]            /* RVR: a wrap every 1,000 cycles */
    movs r1, #7                 /* ENABLE | TICKINT | CLKSOURCE */
    str r1, [r0]
    wfi
    movs r1, #0
    str r1, [r0]                /* SysTick off */
    movs r1, #0
    exit_with_r1

    .thumb_func
tick:
    bx lr

    .thumb_func
spin:
    b spin
    .ltorg
    .align 2
message:
    .asciz "on the PLL\n"
