/*
 * loop.S - synthetic speed workload for tests/bench/bench_speed.py.
 *
 * A bare Cortex-M image: a two-word vector table (initial SP, reset vector), then a
 * tight integer loop of ITERATIONS passes x 5 instructions (about 50 million guest
 * instructions), then a semihosting SYS_EXIT_EXTENDED whose exit status is the low
 * byte of the loop's result, so every engine that runs it to the end must agree on it.
 *
 * Assembled and linked at bench time into a temporary directory (arm-none-eabi-gcc
 * -mcpu=cortex-m4 -mthumb -nostdlib -Wl,-Ttext=0 -Wl,-Tdata=0x20000000 -Wl,-e,reset):
 * nothing is committed under firmware_samples/. The loader puts .data at its address
 * directly (PT_LOAD physical address), so no start-up copy is needed.
 */
    .syntax unified
    .thumb

    .equ ITERATIONS, 10000000
    .equ SYS_EXIT_EXTENDED, 0x20

    .text                       /* linked at 0 (-Ttext=0): the vector table comes first */
    .global vectors
vectors:
    .word 0x20400000            /* initial SP: top of the 4 MB data SSRAM */
    .word reset                 /* reset vector (a .thumb_func symbol: bit 0 set) */

    .global reset
    .type reset, %function
    .thumb_func
reset:
    ldr     r0, =ITERATIONS
    movs    r1, #0
    movs    r2, #1
1:  adds    r1, r1, r2          /* five instructions per pass: one translated block */
    eors    r2, r2, r1, lsl #3
    adds    r2, r2, #7
    subs    r0, r0, #1
    bne     1b

    ldr     r3, =exit_block
    and     r1, r1, #0xff
    str     r1, [r3, #4]        /* status = result & 0xff */
    movs    r0, #SYS_EXIT_EXTENDED
    mov     r1, r3
    bkpt    0xab
2:  b       2b                  /* a host that ignores the exit leaves us here */
    .size reset, . - reset

    .pool

    .data
    .balign 4
exit_block:
    .word 0x20026               /* ADP_Stopped_ApplicationExit */
    .word 0                     /* exit status, filled in above */
