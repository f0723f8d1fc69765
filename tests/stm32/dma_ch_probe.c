/* Our own bare-metal probe of the channel-style STM32 DMA model (stm32_dma_channels,
 * tests/test_stm32_dma_channels.py), written from the reference manuals' register descriptions.
 * stm32f103 (default): DMA1 at 0x4002 0000 (RM0008 §13.4), channel 4 = USART1_TX (§13.3.7,
 * table 78), USART1 at 0x4001 3800 (§27.6: SR 0x00, DR 0x04, CR1 0x0C with UE bit 13, CR3 0x14),
 * DMA1_Channel4 = IRQ 14 and USART1 = IRQ 37 (§10.1.2, table 63).
 * L4R5 (stm32l4r5): DMA2 at 0x4002 0400 (RM0432 §11.6), its channel 6 fed by DMAMUX1 channel
 * 7 + 5 = 12 (§12.3.2; DMAMUX1 at 0x4002 0800, CxCR at 4 * x, DMAREQ_ID bits 6:0, §12.6.1) with
 * request 35 = LPUART1_TX (table 'DMAMUX: assignment of multiplexer inputs to resources'),
 * LPUART1 at 0x4000 8000 (CR1 0x00 with UE bit 0, CR3 0x08, ISR 0x1C, TDR 0x28),
 * DMA2_Channel6 = IRQ 68 and LPUART1 = IRQ 70 (vector table, §13.3).
 * It sends a string by DMA with the transfer-complete and half-transfer interrupts enabled and,
 * as STM32Cube's F1/L4 DMA handler does, serves one flag per entry (HT, then TC on the next),
 * then waits for the UART's TC interrupt, and exits through semihosting with a bitmask of the
 * checks that failed (0: all passed). The vector table is built in SRAM (VTOR), as the L4's IRQ
 * 70 lies past the 0x100 bytes before the code. Defines: FLASH_BUFFER (sent from flash), NO_DMAT
 * (the UART never requests: nothing may move), OTHER_REQUEST (L4R5: the DMAMUX channel selects
 * LPUART1_RX, request 34: nothing may move). No .data/.bss: the state lives at fixed addresses. */
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))
#ifdef L4R5
#define DMA 0x40020400u
#define CH 6
#define DMA_IRQ 68
#define UART 0x40008000u
#define UART_CR1 REG(UART + 0x00)
#define UART_CR3 REG(UART + 0x08)
#define UART_SR REG(UART + 0x1C)
#define UART_TX (UART + 0x28)
#define UART_ENABLE ((1u << 0) | (1u << 3)) /* UE, TE */
#define UART_IRQ 70
#define MUX_CCR REG(0x40020800u + 4 * (7 + CH - 1))
#else
#define DMA 0x40020000u
#define CH 4
#define DMA_IRQ 14
#define UART 0x40013800u
#define UART_SR REG(UART + 0x00)
#define UART_TX (UART + 0x04)
#define UART_CR1 REG(UART + 0x0C)
#define UART_CR3 REG(UART + 0x14)
#define UART_ENABLE ((1u << 13) | (1u << 3)) /* UE, TE */
#define UART_IRQ 37
#endif
#define ISR REG(DMA + 0x00)
#define IFCR REG(DMA + 0x04)
#define CCR REG(DMA + 0x08 + 20 * (CH - 1))
#define CNDTR REG(DMA + 0x0C + 20 * (CH - 1))
#define CPAR REG(DMA + 0x10 + 20 * (CH - 1))
#define CMAR REG(DMA + 0x14 + 20 * (CH - 1))
#define SHIFT (4 * (CH - 1))
#define GIF (1u << SHIFT)
#define TCIF (2u << SHIFT)
#define HTIF (4u << SHIFT)
#define ALL (0xFu << SHIFT)
#define CCR_EN 1u
#define CCR_TCIE (1u << 1)
#define CCR_HTIE (1u << 2)
#define CCR_TEIE (1u << 3)
#define CCR_DIR (1u << 4) /* read from memory */
#define CCR_MINC (1u << 7)
#define UART_TC (1u << 6)
#define UART_TCIE (1u << 6)
#define DMAT (1u << 7)
#define VTOR REG(0xE000ED08)
#define NVIC_ISER(n) REG(0xE000E100 + 4 * ((n) / 32))

#define BARE_STACK_TOP 0x20004000u
#define BARE_EXIT_BLOCK S->exit_block
struct state {
	uint32_t exit_block[2], channel_irqs, ht_irqs, usart_irqs, failed, isr_seen, cndtr_seen,
	    ccr_seen;
};
#define S ((volatile struct state *)0x20000100u)
#define VECTORS ((volatile uint32_t *)0x20001000u) /* 128-word aligned */
#include "../bare_c.h"

static const char text[] = "sent by DMA channel\n";

static void unexpected(void) { exit_with(0x80); }

static void dma_channel(void)
{
	uint32_t isr = ISR;
	S->channel_irqs++;
	if ((isr & HTIF) && (CCR & CCR_HTIE)) {
		CCR &= ~CCR_HTIE;
		IFCR = HTIF;
		S->ht_irqs++;
		return; /* TC on the next entry: its line is still high */
	}
	if ((isr & TCIF) && (CCR & CCR_TCIE)) {
		S->isr_seen = isr;
		S->cndtr_seen = CNDTR;
		S->ccr_seen = CCR;
		CCR &= ~(CCR_TCIE | CCR_TEIE);
		IFCR = TCIF;
		UART_CR3 &= ~DMAT;
		UART_CR1 |= UART_TCIE; /* wait for the last byte to leave */
	}
}

static void uart(void)
{
	if (UART_SR & UART_TC) {
		UART_CR1 &= ~UART_TCIE;
		S->usart_irqs++;
	}
}

void reset(void)
{
	unsigned n = 0;
#if defined(FLASH_BUFFER)
	const char *message = text;
#else
	char *message = (char *)0x20000200u;
	for (unsigned i = 0; i < sizeof text; i++)
		message[i] = text[i];
#endif
	while (message[n])
		n++;
	for (unsigned i = 0; i < sizeof(struct state) / 4; i++)
		((volatile uint32_t *)S)[i] = 0;
	for (unsigned i = 0; i < 16 + 128; i++)
		VECTORS[i] = (uintptr_t)unexpected;
	VECTORS[16 + DMA_IRQ] = (uintptr_t)dma_channel;
	VECTORS[16 + UART_IRQ] = (uintptr_t)uart;
	VTOR = (uintptr_t)VECTORS;
	NVIC_ISER(DMA_IRQ) = 1u << (DMA_IRQ % 32);
	NVIC_ISER(UART_IRQ) = 1u << (UART_IRQ % 32);
	UART_CR1 = UART_ENABLE;
#ifdef L4R5
#ifdef OTHER_REQUEST
	MUX_CCR = 34; /* LPUART1_RX */
#else
	MUX_CCR = 35; /* LPUART1_TX */
#endif
#endif
	CCR = 0;
	IFCR = ALL;
	CPAR = UART_TX;
	CMAR = (uint32_t)message;
	CNDTR = n;
	CCR = CCR_DIR | CCR_MINC | CCR_TCIE | CCR_HTIE | CCR_TEIE;
	CCR |= CCR_EN;
	CNDTR = 1; /* ignored while the channel is enabled */
	if (!(CCR & CCR_EN) || CNDTR != n)
		S->failed |= 0x40; /* nothing to do before the UART asks */
#ifndef NO_DMAT
	UART_CR3 |= DMAT; /* the UART requests the channel */
#endif
#if defined(NO_DMAT) || defined(OTHER_REQUEST)
	for (volatile int i = 0; i < 100; i++) {
	}
	exit_with((CCR & CCR_EN) && CNDTR == n && !(ISR & ALL) && !S->channel_irqs ? 0 : 1);
#endif
	/* sleep until the UART's interrupt has run; the check is made with interrupts masked,
	 * as WFI wakes on a pending interrupt even then (no wake-up lost between check and WFI) */
	__asm__ volatile("cpsid i" ::: "memory");
	while (!S->usart_irqs)
		__asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
	__asm__ volatile("cpsie i" ::: "memory");
	if (S->channel_irqs != 2 || S->ht_irqs != 1 || S->usart_irqs != 1)
		S->failed |= 0x01;
	if ((S->isr_seen & (GIF | TCIF)) != (GIF | TCIF))
		S->failed |= 0x02;
	if (S->cndtr_seen != 0 || CNDTR != 0)
		S->failed |= 0x04;
	/* EN stays set at the end of a transfer (RM0008 §13.4.4, RM0432 §11.6.4: CNDTR = 0 serves
	 * no more requests); the firmware clears it */
	if (!(S->ccr_seen & CCR_EN))
		S->failed |= 0x08;
	CCR &= ~CCR_EN;
	if (CCR & CCR_EN)
		S->failed |= 0x10;
	IFCR = GIF; /* CGIF clears the channel's four flags */
	if (ISR & ALL)
		S->failed |= 0x20;
	exit_with(S->failed);
}
