/* The start of the memory-system test programs (halfway.S, invalidate.S): a two-word vector
 * table for build_bare_m4 (tests/simtest.py) and, at reset, DWT_CYCCNT enabled and its address
 * left in r0 for the timed passes.
 */
#include "../bare.h"

    vector_table_start

.macro start_cycle_counter
    ldr r0, =0xE000EDFC         /* DEMCR.TRCENA */
    ldr r1, [r0]
    orr r1, r1, #0x01000000
    str r1, [r0]
    ldr r0, =0xE0001000         /* DWT_CTRL.CYCCNTENA */
    ldr r1, [r0]
    orr r1, r1, #1
    str r1, [r0]
    ldr r0, =0xE0001004         /* DWT_CYCCNT */
.endm
