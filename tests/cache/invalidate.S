/* A firmware that invalidates its flash cache (tests/test_cycle_model.py builds it for a board
 * it writes: tests/data/mps2-an386-cache.toml with a 16-line instruction cache, on from the
 * start, and an Apollo3-style CACHECTRL CTRL register at 0x40018008 whose bit 0 invalidates).
 * It times the same 3-pass loop of 14 ADDS three times with DWT_CYCCNT: r4 cold, r6 warm,
 * then writes CTRL.INVALIDATE = 1, and r9 cold again. The counts are left for the test at
 * "done".
 */
#include "start.h"

    .text
    .global reset
    .thumb_func
reset:
    ldr r7, =0x40018008         /* CACHECTRL CTRL */
    start_cycle_counter
    mov r8, #0                  /* pass */
again:
    ldr r1, [r0]
    movs r3, #3
    b 1f
    .balign 128
1:  .rept 14
    adds r5, #1
    .endr
    subs r3, #1
    bne 1b
    ldr r2, [r0]
    subs r2, r2, r1
    cmp r8, #1
    blt first
    beq second
    mov r9, r2                  /* pass 3: after the invalidation */
    .global done
    .thumb_func
done:
    b done
first:
    mov r4, r2                  /* pass 1: cold */
    mov r8, #1
    b again
second:
    mov r6, r2                  /* pass 2: warm */
    mov r8, #2
    movs r1, #1
    str r1, [r7]                /* CTRL.INVALIDATE */
    b again
    .ltorg
