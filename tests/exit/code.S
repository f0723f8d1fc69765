/* Exits through semihosting (SYS_EXIT_EXTENDED) with the code CODE, defined on the command
 * line: tests/test_cli.py checks what the mcusim process returns for codes a process exit
 * status cannot hold (256, 300, -1). */
#include "../bare.h"

    vector_table_start

    .text
    .global reset
    .thumb_func
reset:
    ldr r1, =CODE
    exit_with_r1
    .ltorg
