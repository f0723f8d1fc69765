/* Our own probe of the rp2040 target's DMA controller, written from the RP2040 Datasheet
 * (§2.5.7 DMA register list and CTRL bits, §2.5.3.1 DREQ_UART0_TX = 20, §2.3.2 DMA_IRQ_0 = 11,
 * §4.2 UART UARTDMACR.TXDMAE, §2.1.2 atomic aliases). tests/test_rp2040.py builds it; no vendor
 * code. Channel 0 sends "dma ok\n" to UART0 paced by DREQ_UART0_TX with DMA_IRQ_0 enabled;
 * channel 1 copies words memory to memory (TREQ_SEL 0x3f) with its interrupt disabled. Exits
 * through semihosting SYS_EXIT_EXTENDED with a bitmask of the checks that failed (0: all passed).
 * -DCHAIN: channel 0 chains to channel 1, which mcusim does not model: the run must stop.
 */
#define BARE_OWN_VECTORS
#define BARE_EXIT_BLOCK 0x20000200u
#include "../bare_c.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define DMA 0x50000000u
#define CH(n, off) REG(DMA + 0x40u * (n) + (off))
#define READ_ADDR 0x00u
#define WRITE_ADDR 0x04u
#define TRANS_COUNT 0x08u
#define CTRL_TRIG 0x0Cu
#define AL1_CTRL 0x10u
#define AL3_READ_ADDR_TRIG 0x3Cu
#define INTR REG(DMA + 0x400u)
#define INTE0 REG(DMA + 0x404u)
#define INTS0 REG(DMA + 0x40Cu)
#define UART0 0x40034000u
#define UARTDMACR_SET REG(UART0 + 0x2000u + 0x048u)
#define NVIC_ISER 0xE000E100u
#define FLAG REG(0x20000000u) /* DMA_IRQ_0 handler runs */
#define SEEN REG(0x20000004u) /* INTS0 as the handler saw it */

#define EN (1u << 0)
#define SIZE_BYTE (0u << 2)
#define SIZE_WORD (2u << 2)
#define INCR_READ (1u << 4)
#define INCR_WRITE (1u << 5)
#define CHAIN_TO(n) ((uint32_t)(n) << 11)
#define TREQ(n) ((uint32_t)(n) << 15)
#define BUSY (1u << 24)

static const char text[] = "dma ok\n";
static const uint32_t src[8] = {1, 2, 3, 4, 5, 6, 7, 0xdeadbeef};
#define DST ((volatile uint32_t *)0x20000100u)

void dma_irq0_handler(void) {
    SEEN = INTS0;
    INTS0 = SEEN; /* write 1 to clear */
    FLAG = FLAG + 1;
}

void reset(void) {
    uint32_t fail = 0;
    FLAG = SEEN = 0;
    REG(DMA + 0x2000u + 0x404u) = 1u; /* INTE0 bit 0 through the set alias */
    REG(NVIC_ISER) = 1u << 11;        /* DMA_IRQ_0 */

    /* channel 0: UART0 has not enabled its TX DMA request yet: the channel waits, busy */
    CH(0, READ_ADDR) = (uint32_t)text;
    CH(0, WRITE_ADDR) = UART0; /* UARTDR */
    CH(0, TRANS_COUNT) = sizeof text - 1;
#ifdef CHAIN
    CH(0, CTRL_TRIG) = EN | SIZE_BYTE | INCR_READ | CHAIN_TO(1) | TREQ(20);
#else
    CH(0, CTRL_TRIG) = EN | SIZE_BYTE | INCR_READ | CHAIN_TO(0) | TREQ(20);
#endif
    if (!(CH(0, CTRL_TRIG) & BUSY) || CH(0, TRANS_COUNT) != sizeof text - 1) fail |= 1u << 0;
    if (FLAG) fail |= 1u << 0;
    UARTDMACR_SET = 1u << 1; /* TXDMAE: the request is there, the text goes out */
    if (CH(0, CTRL_TRIG) & BUSY) fail |= 1u << 1;
    if (CH(0, TRANS_COUNT) != 0) fail |= 1u << 2;
    if (CH(0, READ_ADDR) != (uint32_t)text + sizeof text - 1 || CH(0, WRITE_ADDR) != UART0)
        fail |= 1u << 3;
    if (FLAG != 1 || SEEN != 1u) fail |= 1u << 4; /* DMA_IRQ_0 taken, INTS0 bit 0 */
    if (INTR & 1u) fail |= 1u << 4;             /* and cleared by the handler */

    /* channel 1: words, memory to memory, permanent request, interrupt not enabled; set up
     * through AL1_CTRL (no trigger) and started by AL3_READ_ADDR_TRIG */
    CH(1, WRITE_ADDR) = (uint32_t)DST;
    CH(1, TRANS_COUNT) = 8;
    CH(1, AL1_CTRL) = EN | SIZE_WORD | INCR_READ | INCR_WRITE | CHAIN_TO(1) | TREQ(0x3f);
    if (CH(1, CTRL_TRIG) & BUSY || DST[7] == 0xdeadbeef) fail |= 1u << 5; /* not yet */
    CH(1, AL3_READ_ADDR_TRIG) = (uint32_t)src;
    for (int i = 0; i < 8; i++)
        if (DST[i] != src[i]) fail |= 1u << 6;
    if (CH(1, CTRL_TRIG) & BUSY || CH(1, TRANS_COUNT) != 0) fail |= 1u << 7;
    if (!(INTR & 2u) || INTS0 != 0 || FLAG != 1) fail |= 1u << 8; /* raw flag only */
    INTR = 2u;
    if (INTR) fail |= 1u << 8;
    exit_with(fail);
}

__attribute__((section(".vectors"), used)) void (*const vectors[])(void) = {
    (void (*)(void))0x20042000u, reset, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dma_irq0_handler, /* IRQ 11: DMA_IRQ_0 */
};
