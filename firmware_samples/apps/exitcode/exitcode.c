/*
 * exitcode.c - checks that main's return value reaches the host as the exit
 * code (Reset_Handler passes it to SYS_EXIT_EXTENDED).  Prints one line on
 * each console and returns 3.
 */
#include "console.h"

int main(void)
{
    con_puts("exitcode: returning 3\n");
    sh_puts("exitcode: returning 3\n");
    return 3;
}
