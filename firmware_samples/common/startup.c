/*
 * startup.c - one start-up file for every sample target.
 *
 * Holds the vector table (section .vectors, placed first in the code region by
 * each target's link.ld) and Reset_Handler, which prepares the C environment
 * and runs board_init(), main() and then ends the program through
 * semihosting with main's return value as the exit code.
 *
 * Vector table layout: Armv7-M Architecture Reference Manual (DDI 0403E),
 * section B1.5.2 "Exception number definition" and B1.5.3 "The vector table";
 * Armv6-M ARM (DDI 0419E) section B1.5.2/B1.5.3 for the Cortex-M0+ (whose
 * slots 4-6 and 12 are reserved: the handlers placed there are never used).
 */
#include <stdint.h>

#include "board.h"
#include "semihost.h"

int main(void);

/* Symbols defined by targets/<name>/link.ld. */
extern uint32_t _estack[];
extern uint32_t _sidata[];
extern uint32_t _sdata[];
extern uint32_t _edata[];
extern uint32_t _sbss[];
extern uint32_t _ebss[];

/* System control block registers (Armv7-M ARM DDI 0403E, B3.2.2, table B3-4). */
#define SCB_VTOR   (*(volatile uint32_t *)0xE000ED08u)
/* Coprocessor access control (DDI 0403E B3.2.20; Cortex-M4 TRM, FPU chapter). */
#define SCB_CPACR  (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);

/* Exceptions an application may override by defining a function of the same name. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

/* External interrupts 0..31 (chip-specific meaning; generic names here). */
#define WEAK_IRQ(n) void IRQ##n##_Handler(void) __attribute__((weak, alias("Default_Handler")))
WEAK_IRQ(0);  WEAK_IRQ(1);  WEAK_IRQ(2);  WEAK_IRQ(3);
WEAK_IRQ(4);  WEAK_IRQ(5);  WEAK_IRQ(6);  WEAK_IRQ(7);
WEAK_IRQ(8);  WEAK_IRQ(9);  WEAK_IRQ(10); WEAK_IRQ(11);
WEAK_IRQ(12); WEAK_IRQ(13); WEAK_IRQ(14); WEAK_IRQ(15);
WEAK_IRQ(16); WEAK_IRQ(17); WEAK_IRQ(18); WEAK_IRQ(19);
WEAK_IRQ(20); WEAK_IRQ(21); WEAK_IRQ(22); WEAK_IRQ(23);
WEAK_IRQ(24); WEAK_IRQ(25); WEAK_IRQ(26); WEAK_IRQ(27);
WEAK_IRQ(28); WEAK_IRQ(29); WEAK_IRQ(30); WEAK_IRQ(31);

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used))
const vector_t g_vector_table[16 + 32] = {
    (vector_t)(uintptr_t)_estack, /* 0: initial main stack pointer */
    Reset_Handler,                /* 1 */
    NMI_Handler,                  /* 2 */
    HardFault_Handler,            /* 3 */
    MemManage_Handler,            /* 4 (reserved on Armv6-M) */
    BusFault_Handler,             /* 5 (reserved on Armv6-M) */
    UsageFault_Handler,           /* 6 (reserved on Armv6-M) */
    0, 0, 0, 0,                   /* 7-10: reserved */
    SVC_Handler,                  /* 11 */
    DebugMon_Handler,             /* 12 (reserved on Armv6-M) */
    0,                            /* 13: reserved */
    PendSV_Handler,               /* 14 */
    SysTick_Handler,              /* 15 */
    IRQ0_Handler,  IRQ1_Handler,  IRQ2_Handler,  IRQ3_Handler,
    IRQ4_Handler,  IRQ5_Handler,  IRQ6_Handler,  IRQ7_Handler,
    IRQ8_Handler,  IRQ9_Handler,  IRQ10_Handler, IRQ11_Handler,
    IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler,
    IRQ16_Handler, IRQ17_Handler, IRQ18_Handler, IRQ19_Handler,
    IRQ20_Handler, IRQ21_Handler, IRQ22_Handler, IRQ23_Handler,
    IRQ24_Handler, IRQ25_Handler, IRQ26_Handler, IRQ27_Handler,
    IRQ28_Handler, IRQ29_Handler, IRQ30_Handler, IRQ31_Handler,
};

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /*
     * Grant full access to CP10 and CP11 (the FPU), bits 23:20 of CPACR, and
     * make sure the change is seen before any floating-point instruction
     * (DSB then ISB, as the Cortex-M4 TRM's FPU enable sequence asks).
     */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif

    /*
     * Point VTOR at our table.  It already is on the targets whose table sits
     * at the reset address; on the RP2040 the table follows the 256-byte boot2
     * block, where the boot2 stage would normally set VTOR.
     */
    SCB_VTOR = (uint32_t)(uintptr_t)g_vector_table;

    /* Initialised data: copy its load image from flash to RAM. */
    const uint32_t *src = _sidata;
    for (uint32_t *dst = _sdata; dst < _edata;) {
        *dst++ = *src++;
    }
    /* Zero-initialised data. */
    for (uint32_t *dst = _sbss; dst < _ebss;) {
        *dst++ = 0u;
    }

    board_init();
    int ret = main();
    sh_exit(ret);
}

/* Any exception without its own handler parks here; the simulator reports it. */
void Default_Handler(void)
{
    for (;;) {
    }
}

/* A separate loop for HardFault so a debugger shows which one was taken. */
__attribute__((weak)) void HardFault_Handler(void)
{
    for (;;) {
    }
}
