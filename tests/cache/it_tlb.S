/* A conditional load inside an IT block from a RAM page nothing has touched yet, the IT block
 * ending before a branch: Unicorn fills its TLB for that page during the load, through
 * mcusim's TLB-fill hook, and unicorn_fill_tlb restores the IT state of the load into the CPU
 * state (cpu_restore_pc_only), where nothing clears it (as unicorn-engine/unicorn#2309 does for
 * memory hooks). The block after the branch would run its first instruction as conditional (LT,
 * false there) unless mcusim repairs it. No memory hook is needed: a zero-wait board shows it.
 * Exits 0 when ADDS ran, 1 when it was skipped.
 */
    .syntax unified
    .thumb
    .section .vectors, "a"
    .word 0x20010000
    .word reset + 1

    .text
    .global reset
    .thumb_func
reset:
    ldr r0, =0x20004000         /* a RAM page not accessed before: not in the TLB */
    movs r4, #0
    movs r3, #0
    subs r3, #1                 /* r3 = -1 */
    cmp r3, #0
    it lt
    ldrlt r6, [r0]              /* runs (LT holds): a TLB fill inside the IT block */
    cmp r3, r3                  /* now LT is false */
    b 1f
1:  adds r4, #1                 /* must run: it is outside any IT block */
    cmp r4, #1
    ite eq
    moveq r1, #0
    movne r1, #1
    ldr r0, =0x20000100         /* SYS_EXIT_EXTENDED parameter block */
    ldr r2, =0x20026            /* ADP_Stopped_ApplicationExit */
    str r2, [r0]
    str r1, [r0, #4]
    mov r1, r0
    movs r0, #0x20              /* SYS_EXIT_EXTENDED */
    bkpt 0xab
    b .
    .ltorg
