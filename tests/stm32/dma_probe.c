/* Our own bare-metal probe of the stm32f407 DMA1 + USART2 models (tests/test_stm32_dma.py),
 * written from RM0090's register descriptions: DMA1 at 0x4002 6000 (§10.5), stream 6 channel 4
 * = USART2_TX (§10.3.3, table 43), USART2 at 0x4000 4400 (§30.6), DMA1_Stream6 = IRQ 17 and
 * USART2 = IRQ 38 (§12.1.2, table 61). It sends a string by DMA, takes the stream's
 * transfer-complete interrupt, then waits for the USART's TC interrupt, and exits through
 * semihosting with a bitmask of the checks that failed (0: all passed).
 * The buffer is copied to SRAM; defines: FLASH_BUFFER (sent from flash), CCM_BUFFER (copied to
 * CCM, which no DMA reaches), NO_DMAT (the USART never requests: nothing may move). Nothing is
 * in .data or .bss (there is no start-up copy): the state lives at fixed SRAM addresses. */
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define DMA1 0x40026000u
#define HISR REG(DMA1 + 0x04)
#define HIFCR REG(DMA1 + 0x0C)
#define S6CR REG(DMA1 + 0x10 + 0x18 * 6)
#define S6NDTR REG(DMA1 + 0x14 + 0x18 * 6)
#define S6PAR REG(DMA1 + 0x18 + 0x18 * 6)
#define S6M0AR REG(DMA1 + 0x1C + 0x18 * 6)
#define S6FCR REG(DMA1 + 0x24 + 0x18 * 6)
#define USART2 0x40004400u
#define SR REG(USART2 + 0x00)
#define DR_ADDR (USART2 + 0x04)
#define CR1 REG(USART2 + 0x0C)
#define CR3 REG(USART2 + 0x14)
#define NVIC_ISER0 REG(0xE000E100)
#define NVIC_ISER1 REG(0xE000E104)

#define TCIF6 (1u << 21) /* HISR: stream 6's group at bit 16, TCIF is its bit 5 */
#define HTIF6 (1u << 20)
#define CR_EN 1u
#define CR_TCIE (1u << 4)
#define CR_DIR_M2P (1u << 6)
#define CR_MINC (1u << 10)
#define CR_CHSEL4 (4u << 25)

#define STACK_TOP 0x20020000u
void reset(void);
void dma1_stream6(void);
void usart2(void);
static void unexpected(void);

/* 16 system exceptions and IRQs 0-38: 55 words, inside the 0x100 bytes before the code */
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[16 + 39] = {
    [0] = STACK_TOP,
    [1] = (uintptr_t)reset,
    [2 ... 15] = (uintptr_t)unexpected,
    [16 ... 16 + 38] = (uintptr_t)unexpected,
    [16 + 17] = (uintptr_t)dma1_stream6,
    [16 + 38] = (uintptr_t)usart2,
};

struct state {
	uint32_t exit_block[2], stream_irqs, usart_irqs, failed, hisr_seen, ndtr_seen, cr_seen;
};
#define S ((volatile struct state *)0x20000100u)
static const char text[] = "sent by DMA1 stream 6\n";

#define BARE_OWN_VECTORS
#define BARE_EXIT_BLOCK S->exit_block
#include "../bare_c.h"

static void unexpected(void) { exit_with(0x80); }

void dma1_stream6(void)
{
	S->hisr_seen = HISR;
	S->ndtr_seen = S6NDTR;
	S->cr_seen = S6CR;
	HIFCR = TCIF6 | HTIF6 | (0x3Du << 16); /* clear every stream 6 flag */
	if (HISR & (0x3Du << 16))
		S->failed |= 0x10; /* HIFCR did not clear them */
	S->stream_irqs++;
	CR3 &= ~(1u << 7);  /* DMAT off */
	CR1 |= 1u << 6;     /* TCIE: wait for the last byte to leave */
}

void usart2(void)
{
	if (SR & (1u << 6)) {
		CR1 &= ~(1u << 6);
		S->usart_irqs++;
	}
}

void reset(void)
{
	unsigned n = 0;
#if defined(FLASH_BUFFER)
	const char *message = text;
#else
#ifdef CCM_BUFFER
	char *message = (char *)0x10000000u;
#else
	char *message = (char *)0x20000200u;
#endif
	for (unsigned i = 0; i < sizeof text; i++)
		message[i] = text[i];
#endif
	while (message[n])
		n++;
	for (unsigned i = 0; i < sizeof(struct state) / 4; i++)
		((volatile uint32_t *)S)[i] = 0;
	NVIC_ISER0 = 1u << 17;
	NVIC_ISER1 = 1u << (38 - 32);
	CR1 = (1u << 13) | (1u << 3); /* UE, TE */
	if (S6FCR != 0x21)
		S->failed |= 0x20; /* reset value */
	S6CR = 0;
	HIFCR = 0x3Du << 16;
	S6PAR = DR_ADDR;
	S6M0AR = (uint32_t)message;
	S6NDTR = n;
	S6CR = CR_CHSEL4 | CR_MINC | CR_DIR_M2P | CR_TCIE;
	S6CR |= CR_EN;
	if (!(S6CR & CR_EN))
		S->failed |= 0x40; /* nothing to do before the USART asks */
#ifdef NO_DMAT
	for (volatile int i = 0; i < 100; i++) {
	}
	exit_with((S6CR & CR_EN) && S6NDTR == n && !(HISR & TCIF6) && !S->stream_irqs ? 0 : 1);
#endif
	CR3 |= 1u << 7; /* DMAT: the USART requests stream 6 */
	/* sleep until the USART's interrupt has run; the check is made with interrupts masked,
	 * as WFI wakes on a pending interrupt even then (no wake-up lost between check and WFI) */
	__asm__ volatile("cpsid i" ::: "memory");
	while (!S->usart_irqs)
		__asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
	__asm__ volatile("cpsie i" ::: "memory");
	if (S->stream_irqs != 1 || S->usart_irqs != 1)
		S->failed |= 0x01;
	if (!(S->hisr_seen & TCIF6))
		S->failed |= 0x02;
	if (S->ndtr_seen != 0 || S6NDTR != 0)
		S->failed |= 0x04;
	if ((S->cr_seen & CR_EN) || (S6CR & CR_EN))
		S->failed |= 0x08;
	exit_with(S->failed);
}
