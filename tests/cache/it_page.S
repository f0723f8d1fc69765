/* An IT block cut by a page boundary: the IT instruction is the last halfword of a 1 KiB page
 * (Unicorn's translation page on Arm), so the block ends inside the IT block, its IT state is
 * stored in the CPU state, and the next block starts on a page nothing has fetched yet, whose
 * TLB fill (an instruction fetch, through mcusim's hook) must leave that state alone: MOVNE is
 * still covered by the IT and must not run (NE is false). Exits with r1: 0, or 1 when MOVNE ran
 * as if unconditional.
 */
#include "../bare.h"

    vector_table_start

    .text
    .global reset
    .thumb_func
reset:
    movs r1, #0
    cmp r1, r1                  /* Z set: NE is false */
    b page_end
    .balign 1024
    .space 1022, 0              /* never executed */
page_end:                       /* the last halfword of the page */
    it ne
    movne r1, #1                /* the first instruction of the next page */
    exit_with_r1
    .ltorg
