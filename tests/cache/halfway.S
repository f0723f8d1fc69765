/* A firmware that turns its flash cache on halfway (tests/test_cycle_model.py builds it for
 * tests/data/mps2-an386-acr.toml: code memory with 3 wait states, a 4-line instruction cache
 * that is off at start, and an STM32-style FLASH_ACR at 0x40022000 controlling it).
 * It times the same 3-pass loop of 14 ADDS twice with DWT_CYCCNT: r4 with the cache off,
 * r6 after writing ACR = LATENCY 3 | ICEN (0x203). Both counts are left for the test at
 * "done".
 */
#include "start.h"

    .text
    .global reset
    .thumb_func
reset:
    ldr r7, =0x40022000         /* FLASH_ACR */
    start_cycle_counter
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
    subs r4, r2, r1             /* pass 1: cache off */
    ldr r1, =0x203
    str r1, [r7]                /* LATENCY 3, ICEN */
    ldr r1, [r0]
    movs r3, #3
    b 2f
    .balign 128
2:  .rept 14
    adds r5, #1
    .endr
    subs r3, #1
    bne 2b
    ldr r2, [r0]
    subs r6, r2, r1             /* pass 2: cache on */
    .global done
    .thumb_func
done:
    b done
    .ltorg
