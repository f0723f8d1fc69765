/* Firmware that can never go on, in three ways (tests/test_stuck.py builds each variant):
 *   MASKED_SPIN  SysTick interrupting every 1,000 cycles, then "cpsid i; b ." (an
 *                Error_Handler): the tick can never be taken, so the loop is final.
 *   POLL         waits for bit 1 of 0x40021000 (an RCC-style ready flag nobody models).
 *   POLL_UART    waits for a received byte: bit 1 (RX full) of the modelled UART's STATE
 *                register, which always reads 0 (no input is ever given).
 *   UNMASKED     the same spin with interrupts enabled: SysTick keeps firing, so it is
 *                not final (the test stops it with --max-cycles).
 * For mps2-an386: code at 0x0, RAM at 0x20000000.
 */
    .syntax unified
    .thumb
    .section .vectors, "a"
    .word 0x20010000
    .word reset + 1
    .rept 13
    .word spin + 1
    .endr
    .word tick + 1              /* 15: SysTick */

    .text
    .global reset
    .thumb_func
reset:
#if defined(MASKED_SPIN) || defined(UNMASKED)
    ldr r0, =0xE000E010         /* SysTick CSR */
    ldr r1, =999
    str r1, [r0, #4]            /* RVR */
    movs r1, #7                 /* ENABLE | TICKINT | CLKSOURCE */
    str r1, [r0]
#endif
#ifdef MASKED_SPIN
    cpsid i
#endif
#ifdef POLL_UART
    ldr r0, =0x40004004
1:  ldr r1, [r0]
    tst r1, #2
    beq 1b
#endif
#ifdef POLL
    ldr r0, =0x40021000
1:  ldr r1, [r0]
    tst r1, #2
    beq 1b
#endif
    .thumb_func
Error_Handler:
    b Error_Handler

    .thumb_func
tick:
    bx lr

    .thumb_func
spin:
    b spin
    .ltorg
