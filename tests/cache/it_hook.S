/* A conditional load from flash inside an IT block, the IT block ending before a branch:
 * with a memory hook on flash (wait states), Unicorn leaves the IT state of the load behind,
 * and the block after the branch would run its first instruction as conditional (LT, false
 * there) unless mcusim repairs it. Exits 0 when ADDS ran, 1 when it was skipped.
 */
#include "../bare.h"

    vector_table_start

    .text
    .global reset
    .thumb_func
reset:
    ldr r0, =table
    movs r4, #0
    movs r3, #0
    subs r3, #1                 /* r3 = -1 */
    cmp r3, #0
    it lt
    ldrlt r6, [r0]              /* runs (LT holds): a hooked read inside the IT block */
    cmp r3, r3                  /* now LT is false */
    b 1f
1:  adds r4, #1                 /* must run: it is outside any IT block */
    cmp r4, #1
    ite eq
    moveq r1, #0
    movne r1, #1
    exit_with_r1
    .balign 4
table:
    .word 0x12345678
    .ltorg
