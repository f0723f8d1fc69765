/*
 * sandbox.c - a semihosted test program of the kind newlib's rdimon builds ("form 2": no
 * vector table, start-up, heap and stack set up from SYS_HEAPINFO, argv from
 * SYS_GET_CMDLINE).  It prints with printf, reads the file named by argv[1] with
 * fopen/fread into malloc'ed memory, then tries what an untrusted firmware might: open
 * /etc/passwd, escape the folder with "..", run a host command (system() and SYS_SYSTEM),
 * remove and rename files outside its folder.  Each attempt is printed with its result, so a test can
 * check that the simulator refused it.  Exit code: 0 when argv[1] was read, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * rdimon's start-up does not enable the FPU, and this hard-float build's printf saves FP
 * registers: enable CP10/CP11 in CPACR (0xE000ED88, Armv7-M ARM DDI 0403E B3.2.20) from a
 * constructor, which the start-up runs before main.
 */
__attribute__((constructor)) static void enable_fpu(void)
{
    *(volatile unsigned *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb");
}

/*
 * newlib's system() never reaches the host (it returns -1 by itself), so the semihosting
 * calls are made directly: SYS_SYSTEM 0x12 {command, length} and SYS_RENAME 0x0F {from,
 * length, to, length} (Arm "Semihosting for AArch32 and AArch64", 2.0).
 */
static int semihost(unsigned op, const void *block)
{
    register unsigned r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int)r0;
}

static int sh_system(const char *cmd)
{
    const void *block[2] = {cmd, (const void *)strlen(cmd)};
    return semihost(0x12, block);
}

static int sh_rename(const char *from, const char *to)
{
    const void *block[4] = {from, (const void *)strlen(from), to, (const void *)strlen(to)};
    return semihost(0x0F, block);
}

static const char *verdict(const void *p)
{
    return p ? "OPENED" : "refused";
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "input.txt";
    size_t n = 0;
    char *buf = malloc(8192);
    FILE *f;

    printf("sandbox: argc %d, reading %s\n", argc, name);
    if (!buf)
        return 2;
    memset(buf, 0, 8192);
    f = fopen(name, "rb");
    if (f) {
        n = fread(buf, 1, 8191, f);
        fclose(f);
        printf("sandbox: read %u bytes: %s\n", (unsigned)n, buf);
    } else {
        printf("sandbox: cannot open %s\n", name);
    }
    printf("sandbox: /etc/passwd %s\n", verdict(fopen("/etc/passwd", "r")));
    printf("sandbox: ../outside.txt %s\n", verdict(fopen("../outside.txt", "r")));
    printf("sandbox: system() returned %d\n", system("echo owned > /tmp/mcusim-owned"));
    printf("sandbox: SYS_SYSTEM returned %d\n", sh_system("echo owned > /tmp/mcusim-owned"));
    printf("sandbox: remove(../outside.txt) returned %d\n", remove("../outside.txt"));
    printf("sandbox: SYS_RENAME(../outside.txt) returned %d\n",
           sh_rename("../outside.txt", "x.txt"));
    free(buf);
    return n ? 0 : 1;
}
