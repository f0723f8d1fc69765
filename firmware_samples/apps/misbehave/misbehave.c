/*
 * misbehave.c - firmware that misbehaves on purpose, one way per run, so the simulator's
 * reports of each can be tested.  The scenario is the first argument of the command line
 * (semihosting SYS_GET_CMDLINE, mcusim run ... --args NAME):
 *
 *   stack          unbounded recursion: the stack grows below its region (__stack_limit__)
 *   flash_write    a 32-bit store into the code (read-only on boards whose code is in flash)
 *   exec_ram       a call to code placed in RAM (a fault where RAM is not executable)
 *   exec_periph    a call into the peripheral region (Execute Never on every Cortex-M)
 *   ldrd           LDRD from an address that is not word aligned (faults on Armv7-M always)
 *   ldm            LDM from an address that is not word aligned (faults always)
 *   unaligned      LDR from an odd address: allowed on Armv7-M, a fault on Armv6-M
 *   unaligned_trp  the same after setting CCR.UNALIGN_TRP (faults on Armv7-M)
 *   div0           UDIV by zero: the result is 0 unless CCR.DIV_0_TRP is set
 *   div0_trp       UDIV by zero with CCR.DIV_0_TRP set: UsageFault, escalated to HardFault
 *   div0_trp_usg   the same with UsageFault enabled in SHCSR: a UsageFault proper
 *   lockup         MSP pointed at unmapped memory, then SVC: the exception frame cannot be
 *                  stacked, nor the HardFault's: the core locks up
 *
 * The instruction expected to fault carries a global label (bad_ldrd, ...).  When nothing faults
 * the program prints what it got and exits 0.
 *
 * Register addresses: Armv7-M ARM (DDI 0403E) B3.2.2 table B3-4: CCR 0xE000ED14 (bit 3
 * UNALIGN_TRP, bit 4 DIV_0_TRP, B3.2.8), SHCSR 0xE000ED24 (bit 18 USGFAULTENA, B3.2.13).
 */
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "semihost.h"

#define SCB_CCR   (*(volatile uint32_t *)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SH_SYS_GET_CMDLINE 0x15u
/* A global label on the next instruction, so a test can compare it with the fault PC. */
#define BAD(name) ".global bad_" name "\nbad_" name ":\n\t"

static char cmdline[96];
static uint32_t words[8] __attribute__((aligned(8))) = {1, 2, 3, 4, 5, 6, 7, 8};
static uint16_t ram_code[4] __attribute__((aligned(4)));
volatile uint32_t sink;

static const char *scenario(void)
{
    struct { char *buf; uint32_t len; } p = {cmdline, sizeof cmdline};
    if (sh_call(SH_SYS_GET_CMDLINE, &p) != 0)
        return "";
    const char *s = strchr(cmdline, ' ');
    return s ? s + 1 : "";
}

__attribute__((noinline)) static uint32_t recurse(uint32_t n)
{
    volatile uint32_t pad[32];
    pad[0] = n;
    pad[31] = n + 1;
    return n ? recurse(n - 1) + pad[0] + pad[31] : 0;
}

static void report(const char *what, uint32_t v)
{
    sh_puts("misbehave: ");
    sh_puts(what);
    sh_puts(" = ");
    sh_put_hex32(v);
    sh_puts("\n");
}

int main(void)
{
    const char *s = scenario();
    const uint8_t *bytes = (const uint8_t *)words;
    uint32_t v = 0;

    sh_puts("misbehave: scenario ");
    sh_puts(s);
    sh_puts("\n");
    if (!strcmp(s, "stack")) {
        v = recurse(100000);
    } else if (!strcmp(s, "flash_write")) {
        volatile uint32_t *code = (volatile uint32_t *)((uintptr_t)&main & ~3u);
        __asm__ volatile(BAD("flash_write") "str %0, [%1]" : : "r"(0u), "r"(code) : "memory");
    } else if (!strcmp(s, "exec_ram")) {
        ram_code[0] = 0x4770; /* bx lr */
        ((void (*)(void))((uintptr_t)ram_code | 1u))();
        v = 1;
    } else if (!strcmp(s, "exec_periph")) {
        ((void (*)(void))(0x40004000u | 1u))();
        v = 1;
#if __ARM_ARCH_7M__ || __ARM_ARCH_7EM__
    } else if (!strcmp(s, "ldrd")) {
        uint32_t lo, hi;
        __asm__ volatile(BAD("ldrd") "ldrd %0, %1, [%2]"
                         : "=r"(lo), "=r"(hi) : "r"(bytes + 2) : "memory");
        v = lo ^ hi;
    } else if (!strcmp(s, "ldm")) {
        uint32_t a, b;
        __asm__ volatile("mov r0, %2\n" BAD("ldm") "ldm r0, {r2, r3}\n\tmov %0, r2\n\tmov %1, r3"
                         : "=r"(a), "=r"(b) : "r"(bytes + 1) : "r0", "r2", "r3", "memory");
        v = a ^ b;
    } else if (!strcmp(s, "div0") || !strcmp(s, "div0_trp") || !strcmp(s, "div0_trp_usg")) {
        volatile uint32_t zero = 0;
        uint32_t n = 1234, z = zero;
        if (strcmp(s, "div0"))
            SCB_CCR |= 1u << 4;
        if (!strcmp(s, "div0_trp_usg"))
            SCB_SHCSR |= 1u << 18;
        __asm__ volatile(BAD("div0") "udiv %0, %1, %2" : "=r"(v) : "r"(n), "r"(z));
#endif
    } else if (!strcmp(s, "unaligned") || !strcmp(s, "unaligned_trp")) {
        if (!strcmp(s, "unaligned_trp"))
            SCB_CCR |= 1u << 3;
        __asm__ volatile(BAD("unaligned") "ldr %0, [%1]" : "=r"(v) : "r"(bytes + 1) : "memory");
    } else if (!strcmp(s, "lockup")) {
        __asm__ volatile("msr msp, %0\n\tisb\n" BAD("lockup") "svc #0"
                         : : "r"(0xCFFFFF00u) : "memory");
    } else {
        sh_puts("misbehave: unknown scenario\n");
        return 2;
    }
    report("no fault, value", v);
    return 0;
}
