/* Our own probe of the rp2040 target: the boot ROM's tables, SIO (CPUID, the hardware
 * divider, spinlocks, FIFO status), the microsecond timer with an alarm interrupt, the atomic
 * register aliases and UART0, at the addresses and with the layouts of the RP2040 Datasheet
 * (§2.8.3 bootrom contents, §2.3.1.7 SIO, §4.6.5 timer, §2.1.2 atomic access, §4.2 UART).
 * tests/test_rp2040.py builds it; no vendor code. It prints "rp2040 ok t=<µs>\n" on UART0
 * (the timer's count when it prints) and exits through semihosting SYS_EXIT_EXTENDED with a
 * bitmask of the checks that failed (0: all passed).
 * -DWATCHDOG: then let the watchdog reset the chip, spinning with interrupts masked.
 * Vector table at 0x10000100 (after the 256 bytes of boot2), code after it, no .data/.bss.
 */
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define SIO 0xD0000000u
#define TIMER 0x40054000u
#define UART0 0x40034000u
#define CLOCKS 0x40008000u
#define NVIC_ISER 0xE000E100u
#define FLAG REG(0x20000000u) /* set by the alarm's handler */

typedef void *(*lookup_fn)(const uint16_t *table, uint32_t code);
#define CODE(a, b) ((uint32_t)(a) | (uint32_t)(b) << 8)

static void *rom_func(uint32_t code) {
    lookup_fn lookup = (lookup_fn)(uintptr_t) * (const uint16_t *)0x18;
    return lookup((const uint16_t *)(uintptr_t) * (const uint16_t *)0x14, code);
}
static void *rom_data(uint32_t code) {
    lookup_fn lookup = (lookup_fn)(uintptr_t) * (const uint16_t *)0x18;
    return lookup((const uint16_t *)(uintptr_t) * (const uint16_t *)0x16, code);
}

static void putc_uart(char c) {
    while (REG(UART0 + 0x18) & (1u << 5)) { /* UARTFR.TXFF */
    }
    REG(UART0) = (uint8_t)c;
}
static void puts_uart(const char *s) {
    while (*s) putc_uart(*s++);
}
static void putu_uart(uint32_t v) { /* decimal, with the SIO divider */
    char buf[12];
    int n = 0;
    do {
        REG(SIO + 0x060) = v;  /* DIV_UDIVIDEND */
        REG(SIO + 0x064) = 10; /* DIV_UDIVISOR */
        while (!(REG(SIO + 0x078) & 1)) { /* DIV_CSR.READY */
        }
        uint32_t r = REG(SIO + 0x074);
        v = REG(SIO + 0x070);
        buf[n++] = (char)('0' + r);
    } while (v);
    while (n) putc_uart(buf[--n]);
}

static void sh_exit(uint32_t code) {
    volatile uint32_t block[2] = {0x20026, code}; /* ADP_Stopped_ApplicationExit */
    register uint32_t r0 __asm__("r0") = 0x20;    /* SYS_EXIT_EXTENDED */
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}

void alarm0_handler(void) {
    REG(TIMER + 0x34) = 1; /* INTR: clear alarm 0 */
    FLAG = FLAG + 1;
}

void reset(void) {
    uint32_t fail = 0;

    /* boot ROM: magic, version, the lookup through the tables */
    if (*(volatile uint32_t *)0x10 != 0x0301754d) fail |= 1u << 0; /* 'M' 'u' 1, version 3 */
    uint32_t (*popcount)(uint32_t) = (uint32_t(*)(uint32_t))rom_func(CODE('P', '3'));
    uint32_t (*clz)(uint32_t) = (uint32_t(*)(uint32_t))rom_func(CODE('L', '3'));
    uint32_t (*ctz)(uint32_t) = (uint32_t(*)(uint32_t))rom_func(CODE('T', '3'));
    uint32_t (*rev)(uint32_t) = (uint32_t(*)(uint32_t))rom_func(CODE('R', '3'));
    if (!popcount || popcount(0xF0F00001u) != 9) fail |= 1u << 1;
    if (!clz || clz(0x00010000u) != 15 || !ctz || ctz(0x00010000u) != 16) fail |= 1u << 2;
    if (!rev || rev(1) != 0x80000000u) fail |= 1u << 2;
    void *(*memcpy_rom)(void *, const void *, uint32_t) =
        (void *(*)(void *, const void *, uint32_t))rom_func(CODE('M', 'C'));
    volatile uint32_t *ram = (volatile uint32_t *)0x20000100u;
    ram[0] = 0;
    memcpy_rom((void *)ram, "abc", 4);
    if (ram[0] != 0x00636261u) fail |= 1u << 3;
    if (rom_func(CODE('Z', 'Z')) != 0) fail |= 1u << 3; /* an unknown code gives NULL */
    const uint32_t *sf = (const uint32_t *)rom_data(CODE('S', 'F'));
    const uint32_t *sd = (const uint32_t *)rom_data(CODE('S', 'D'));
    if (!sf || !sd || ((const uint8_t *)sf)[-2] < 32) fail |= 1u << 4;
    if (sf) {
        uint32_t (*fdiv)(uint32_t, uint32_t) = (uint32_t(*)(uint32_t, uint32_t))sf[3];
        int32_t (*f2i)(uint32_t) = (int32_t(*)(uint32_t))sf[7];
        if (fdiv(0x40e00000u, 0x40000000u) != 0x40600000u) fail |= 1u << 4; /* 7 / 2 = 3.5 */
        if (f2i(0xc0600000u) != -4) fail |= 1u << 4; /* -3.5 rounds towards -inf */
    }
    if (sd) {
        uint64_t (*dmul)(uint64_t, uint64_t) = (uint64_t(*)(uint64_t, uint64_t))sd[2];
        if (dmul(0x4008000000000000ull, 0x4010000000000000ull) != 0x4028000000000000ull)
            fail |= 1u << 4; /* 3 * 4 = 12 */
    }

    /* SIO: CPUID, FIFO status, the divider and its 8-cycle READY, spinlocks */
    if (REG(SIO + 0x000) != 0) fail |= 1u << 5;
    if ((REG(SIO + 0x050) & 3) != 2) fail |= 1u << 5; /* FIFO_ST: RDY, not VLD */
    REG(SIO + 0x068) = (uint32_t)-7;                  /* DIV_SDIVIDEND */
    REG(SIO + 0x06C) = 2;                             /* DIV_SDIVISOR */
    uint32_t csr_at_once = REG(SIO + 0x078);
    __asm__ volatile("nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop");
    uint32_t csr_later = REG(SIO + 0x078);
    if ((csr_at_once & 3) != 2 || (csr_later & 3) != 3) fail |= 1u << 6; /* DIRTY, READY */
    if (REG(SIO + 0x070) != (uint32_t)-3 || REG(SIO + 0x074) != (uint32_t)-1)
        fail |= 1u << 7; /* -7 / 2 = -3 remainder -1 (towards zero) */
    if (REG(SIO + 0x078) & 2) fail |= 1u << 7; /* reading QUOTIENT cleared DIRTY */
    REG(SIO + 0x060) = 1000003;
    REG(SIO + 0x064) = 7;
    __asm__ volatile("nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop");
    if (REG(SIO + 0x070) != 142857 || REG(SIO + 0x074) != 4) fail |= 1u << 7;
    if (REG(SIO + 0x114) != (1u << 5)) fail |= 1u << 8; /* SPINLOCK5: claimed, its bit */
    if (REG(SIO + 0x114) != 0) fail |= 1u << 8;         /* held: 0 */
    if (REG(SIO + 0x05C) != (1u << 5)) fail |= 1u << 8; /* SPINLOCK_ST */
    REG(SIO + 0x114) = 1;                               /* release */
    if (REG(SIO + 0x05C) != 0) fail |= 1u << 8;

    /* CLOCKS: the glitchless mux's SELECTED is one-hot in CTRL.SRC; atomic aliases */
    if (REG(CLOCKS + 0x44) != 2) fail |= 1u << 9;  /* clk_sys from its aux source: PLL_SYS */
    REG(CLOCKS + 0x3000 + 0x3C) = 1; /* CLK_SYS_CTRL.SRC = 0 (clk_ref) through the clear alias */
    if (REG(CLOCKS + 0x44) != 1) fail |= 1u << 9;
    REG(CLOCKS + 0x2000 + 0x3C) = 1; /* and back to PLL_SYS through the set alias */
    if (REG(CLOCKS + 0x44) != 2) fail |= 1u << 9;

    /* TIMER: counts, and alarm 0 wakes a WFI 1000 µs later through IRQ 0 */
    uint32_t t0 = REG(TIMER + 0x28); /* TIMERAWL */
    uint32_t target = t0 + 1000;
    FLAG = 0;
    REG(TIMER + 0x2000 + 0x38) = 1; /* INTE bit 0 through the set alias */
    REG(NVIC_ISER) = 1;             /* TIMER_IRQ_0 */
    REG(TIMER + 0x10) = target;     /* ALARM0: arms it */
    if (!(REG(TIMER + 0x20) & 1)) fail |= 1u << 10; /* ARMED */
    while (!FLAG) __asm__ volatile("wfi");
    uint32_t t1 = REG(TIMER + 0x0C); /* TIMELR (latches TIMEHR) */
    if (REG(TIMER + 0x08) != 0) fail |= 1u << 11;   /* TIMEHR */
    /* read within 20 µs of the alarm: the wake-up, the handler and its return take about
     * 3 µs at 125 MHz and 7 µs at 48 MHz (a few hundred cycles, XIP cache misses included) */
    if (t1 - target > 20 || REG(TIMER + 0x20) & 1) fail |= 1u << 11;
    if (FLAG != 1) fail |= 1u << 12;

    puts_uart("rp2040 ok t=");
    putu_uart(REG(TIMER + 0x28));
    putc_uart('\n');
#ifdef WATCHDOG
    /* the watchdog resets the chip 1000 µs after it is loaded (2 counts a tick, RP2040-E1),
     * even in a loop that masks every interrupt */
    REG(0x40058000 + 0x04) = 2000;         /* LOAD */
    REG(0x40058000 + 0x2000) = 1u << 30; /* CTRL.ENABLE through the set alias */
    __asm__ volatile("cpsid i\n 1: b 1b");
#endif
    sh_exit(fail);
}

__attribute__((section(".vectors"), used)) void (*const vectors[])(void) = {
    (void (*)(void))0x20042000u, reset, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    alarm0_handler, /* IRQ 0: TIMER_IRQ_0 */
};
