/*
 * exceptions.c - the exception model: SVC with arguments, PendSV, preemption by priority,
 * thread mode on the process stack (PSP), and FP context saved across an exception.
 *
 * Each check prints "ok" or "FAIL"; main returns the number of failures.
 * Registers: ICSR 0xE000ED04 (bit 28 PENDSVSET), SHPR2 0xE000ED1C (SVCall priority in bits
 * 31:24), SHPR3 0xE000ED20 (PendSV 23:16, SysTick 31:24), SysTick 0xE000E010-18:
 * Armv7-M ARM (DDI 0403E) B3.2.4, B3.2.11, B3.2.12, B3.3.  Exception frame and EXC_RETURN:
 * B1.5.6-B1.5.8.
 */
#include <stdint.h>

#include "console.h"

#define ICSR  (*(volatile uint32_t *)0xE000ED04u)
#define SHPR3 (*(volatile uint32_t *)0xE000ED20u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t g_svc_calls, g_pendsv_calls, g_systick_calls, g_nested, g_depth;
static volatile uint32_t g_max_depth;
static uint32_t g_process_stack[256] __attribute__((aligned(8)));
static int g_failures;

static void check(const char *what, int ok)
{
    sh_puts(what);
    sh_puts(ok ? ": ok\n" : ": FAIL\n");
    g_failures += !ok;
}

/* SVC #0 doubles the caller's r0: the handler finds the stacked frame on MSP or PSP. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(".syntax unified\n"
                   "tst lr, #4\n"
                   "ite eq\n"
                   "mrseq r0, msp\n"
                   "mrsne r0, psp\n"
                   "b svc_c\n");
}

void svc_c(uint32_t *frame)
{
    g_svc_calls++;
    frame[0] *= 2u; /* stacked r0 is the caller's return value */
#if defined(__ARM_FP)
    /* clobber the FP caller-saved registers: the thread's values must survive */
    __asm volatile("vmov.f32 s0, #1.0\n vmov.f32 s1, #2.0\n vmov.f32 s15, #3.0\n" ::
                       : "s0", "s1", "s15");
#endif
}

static uint32_t svc_double(uint32_t x)
{
    register uint32_t r0 __asm("r0") = x;
    __asm volatile("svc #0" : "+r"(r0) : : "memory");
    return r0;
}

static volatile uint32_t g_irq0_calls;

void IRQ0_Handler(void)
{
    g_irq0_calls++;
}

/* ITM stimulus port 0 (0xE0000000, Armv7-M ARM C1.7): a debugger's SWO console. Like
 * CMSIS's ITM_SendChar, it writes only when ITM_TCR.ITMENA (0xE0000E80 bit 0) and ITM_TER
 * port 0 (0xE0000E00 bit 0) are set: a debugger sets them; QEMU models no ITM. */
static void itm_puts(const char *s)
{
    volatile uint32_t *port0 = (volatile uint32_t *)0xE0000000u;
    if (!(*(volatile uint32_t *)0xE0000E80u & 1u) || !(*(volatile uint32_t *)0xE0000E00u & 1u)) {
        return;
    }
    while (*s) {
        while (*port0 == 0) {
        }
        *(volatile uint8_t *)port0 = (uint8_t)*s++;
    }
}

void PendSV_Handler(void)
{
    g_depth++;
    if (g_depth > g_max_depth) {
        g_max_depth = g_depth;
    }
    g_pendsv_calls++;
    g_depth--;
}

void SysTick_Handler(void)
{
    g_depth++;
    g_systick_calls++;
    SYST_CSR = 0; /* one tick is enough */
    ICSR = 1u << 28; /* PendSV has the higher priority: it preempts this handler at once */
    __asm volatile("dsb\n isb"); /* architecturally: recognised by the end of the ISB */
    if (g_pendsv_calls) {
        g_nested = 1;
    }
    g_depth--;
}

static volatile uint32_t g_psp_checked;

/* Calls fn() in thread mode on the process stack (CONTROL.SPSEL = 1), then returns to MSP. */
__attribute__((naked, noinline)) static void run_on_psp(void (*fn)(void) __attribute__((unused)),
                                                         uint32_t psp_top __attribute__((unused)))
{
    __asm volatile(".syntax unified\n"
                   "mrs r2, control\n"
                   "push {r2, lr}\n"
                   "msr psp, r1\n"
                   "orr r3, r2, #2\n"
                   "msr control, r3\n"
                   "isb\n"
                   "blx r0\n"
                   "mrs r3, control\n"
                   "bic r3, r3, #2\n"
                   "msr control, r3\n"
                   "isb\n"
                   "pop {r2, pc}\n");
}

__attribute__((noinline)) static void psp_checks(void)
{
    uint32_t sp, sp_after, control;
    __asm volatile("mov %0, sp\n mrs %1, control" : "=r"(sp), "=r"(control));
    uint32_t top = (uint32_t)&g_process_stack[256];
    check("thread mode on psp", (control & 2u) && sp <= top && sp > top - sizeof g_process_stack);
    check("svc from psp", svc_double(50) == 100 && g_svc_calls == 2);
    __asm volatile("mov %0, sp" : "=r"(sp_after));
    check("psp restored after svc", sp_after == sp);
    g_psp_checked = 1;
}

int main(void)
{
    check("svc doubles r0", svc_double(21) == 42 && g_svc_calls == 1);

    ICSR = 1u << 28;
    __asm volatile("dsb\n isb");
    check("pendsv taken", g_pendsv_calls == 1);

    /* PendSV priority 0x40, SysTick 0x80 (lower number = more urgent) */
    SHPR3 = (0x80u << 24) | (0x40u << 16);
    SYST_RVR = 999;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (!g_systick_calls) {
        __asm volatile("wfi");
    }
    check("pendsv preempts systick", g_nested == 1 && g_pendsv_calls == 2 && g_max_depth == 2);

    /* external interrupt 0: enable in NVIC_ISER0 (0xE000E100), pend in NVIC_ISPR0 (0xE000E200) */
    *(volatile uint32_t *)0xE000E100u = 1u;
    *(volatile uint32_t *)0xE000E200u = 1u;
    __asm volatile("dsb\n isb");
    check("irq0 pended by software is taken", g_irq0_calls == 1);
    itm_puts("exceptions: hello over ITM port 0\n");

    run_on_psp(psp_checks, (uint32_t)&g_process_stack[256]);
    check("back on msp", g_psp_checked == 1);

#if defined(__ARM_FP)
    volatile float a = 1.5f, b = 2.25f;
    float prod = a * b; /* an FP instruction in thread mode: the FP context is active */
    float keep = prod + 0.25f;
    svc_double(1);
    check("fp context survives an exception", keep + a == 5.125f);
#endif
    return g_failures;
}
