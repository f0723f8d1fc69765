/* A conditional load inside an IT block from a RAM page nothing has touched yet, the IT block
 * ending before a branch: Unicorn fills its TLB for that page during the load, through
 * mcusim's TLB-fill hook, and unicorn_fill_tlb restores the IT state of the load into the CPU
 * state (cpu_restore_pc_only), where nothing clears it (as unicorn-engine/unicorn#2309 does for
 * memory hooks). The block after the branch would run its first instruction as conditional (LT,
 * false there) unless mcusim repairs it. No memory hook is needed: a zero-wait board shows it.
 * Exits 0 when ADDS ran, 1 when it was skipped.
 */
#include "../bare.h"

    vector_table_start

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
    exit_with_r1
    .ltorg
