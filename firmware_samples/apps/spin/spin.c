/*
 * spin.c - never exits: counts in a loop for as long as it runs.  Used to test the cycle
 * limit (--max-cycles), the host-time limit (--timeout) and interrupting a run.
 */
#include <stdint.h>

#include "console.h"

volatile uint32_t g_count;

int main(void)
{
    sh_puts("spin: counting forever\n");
    for (;;) {
        g_count++;
    }
}
