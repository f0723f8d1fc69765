/*
 * semihost.c - semihosting calls through BKPT 0xAB (see semihost.h).
 */
#include "semihost.h"

uint32_t sh_call(uint32_t op, const void *param)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = param;
    /* The host may read and write memory through r1, hence "memory". */
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_writec(char c)
{
    (void)sh_call(SH_SYS_WRITEC, &c);
}

void sh_write0(const char *s)
{
    (void)sh_call(SH_SYS_WRITE0, s);
}

size_t sh_write(int fd, const void *buf, size_t len)
{
    uint32_t block[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    return (size_t)sh_call(SH_SYS_WRITE, block);
}

void sh_exit(int code)
{
    /* SYS_EXIT_EXTENDED takes a two-word block: reason code, exit status. */
    uint32_t block[2] = {SH_ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    (void)sh_call(SH_SYS_EXIT_EXTENDED, block);
    /* A host that ignored the request leaves us here: stop quietly. */
    for (;;) {
    }
}
