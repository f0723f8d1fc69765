/* A firmware with the runner contract's symbols (firmware_samples/apps/runner/mce_runner.h)
 * and tiny buffers, to test how `mcusim profile --runner` checks a runner before and after the
 * run. It runs no model: it prints one line through semihosting and exits 0 without writing
 * mce_runner_status. -DINPUT_IN_BSS puts mce_runner_input in .bss (which the contract forbids:
 * start-up zeroes it); -DINPUT_BYTES=n sets the input buffer's capacity (default 16);
 * 'end' marks the end of .bss; -DWITH_HEAP also defines newlib's _sbrk, whose heap starts at
 * 'end', so the buffers (in .noinit, after .bss) lie in the heap, as with a linker script
 * without .noinit.
 */
#ifndef INPUT_BYTES
#define INPUT_BYTES 16
#endif
    .syntax unified
    .thumb
    .section .vectors, "a"
    .word 0x20010000
    .word reset + 1

    .text
    .global reset
    .thumb_func
reset:
    ldr r1, =message
    movs r0, #0x04              /* SYS_WRITE0 */
    bkpt 0xab
    ldr r0, =0x20000100         /* SYS_EXIT_EXTENDED parameter block */
    ldr r2, =0x20026            /* ADP_Stopped_ApplicationExit */
    str r2, [r0]
    movs r1, #0
    str r1, [r0, #4]
    mov r1, r0
    movs r0, #0x20              /* SYS_EXIT_EXTENDED */
    bkpt 0xab
    b .
#ifdef WITH_HEAP
    .global _sbrk
    .thumb_func
_sbrk:
    bx lr
#endif
    .ltorg
message:
    .asciz "fake runner: no engine here\n"

    .section .noinit, "aw", %nobits
    .balign 16
    .global mce_runner_model
    .type mce_runner_model, %object
mce_runner_model:
    .space 65536
    .size mce_runner_model, . - mce_runner_model

#ifdef INPUT_IN_BSS
    .section .bss, "aw", %nobits
#endif
    .balign 16
    .global mce_runner_input
    .type mce_runner_input, %object
mce_runner_input:
    .space INPUT_BYTES
    .size mce_runner_input, . - mce_runner_input

    .section .bss, "aw", %nobits
    .balign 16
    .global mce_runner_output
    .type mce_runner_output, %object
mce_runner_output:
    .space 16
    .size mce_runner_output, . - mce_runner_output
    .global mce_runner_status
    .type mce_runner_status, %object
mce_runner_status:
    .space 44
    .size mce_runner_status, . - mce_runner_status
    .global end                 /* the end of .bss, as in our sections.ld */
end:
