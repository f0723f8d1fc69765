/* Shared pieces of the tests' bare-metal assembly programs (built by build_bare_m4 in
 * tests/simtest.py for the mps2-an386 map): the start of the vector table (initial SP, reset)
 * and the exit through semihosting SYS_EXIT_EXTENDED with the code in r1.
 */
    .syntax unified
    .thumb

.macro vector_table_start
    .section .vectors, "a"
    .word 0x20010000
    .word reset + 1
.endm

/* exit with the code in r1 (r0, r1, r2 clobbered); never returns */
.macro exit_with_r1
    ldr r0, =0x20000100         /* SYS_EXIT_EXTENDED parameter block */
    ldr r2, =0x20026            /* ADP_Stopped_ApplicationExit */
    str r2, [r0]
    str r1, [r0, #4]
    mov r1, r0
    movs r0, #0x20              /* SYS_EXIT_EXTENDED */
    bkpt 0xab
    b .
.endm
