/* Our own probe of the samd51 target's DMAC model (samd51_dmac, tests/test_samd51_dmac.py),
 * written from the SAM D5x/E5x data sheet DS60001507 §22 'DMAC' (register summary, transfer
 * descriptors, §22.6.2.7 'Addressing': an incrementing address is the block's END) and the
 * NVIC table (DMAC_0-3 = IRQ 31-34 for channels 0-3, DMAC_4 = IRQ 35 for the others); no vendor
 * code. SERCOM3 (0x41014000, DATA at 0x28) is the console; its TX trigger is TRIGSRC 0x0B.
 *  1. Channel 2, triggered by SERCOM3 TX, BURST trigger action, byte beats, source increment:
 *     two linked descriptors (the first's text in flash, the second's in SRAM) print one line;
 *     DMAC_2 (IRQ 33) is taken once, its handler reads INTPEND.ID and clears CHINTFLAG.TCMPL.
 *     The write-back entry then holds the last descriptor with VALID 0, BTCNT 0, DESCADDR 0,
 *     and the channel is disabled.
 *  2. Channel 6 (DMAC_4, IRQ 35), memory to memory by a software trigger: four words, source
 *     and destination increment; written before DMAENABLE, the trigger waits (PENDCH,
 *     CHSTATUS.PEND), then runs when the controller is enabled.
 * It exits through semihosting with a bitmask of the checks that failed (0: all passed).
 * Defines: EVENTS (CHEVCTRL.EVIE on channel 2: unmodelled, the run stops), NOT_VALID (the
 * first descriptor's VALID bit is 0: unmodelled fetch error, the run stops), NO_LEVEL (LVLEN0
 * off: nothing may move, the trigger stays pending). No .data/.bss: state at fixed addresses. */
#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))
#define REG8(a) (*(volatile uint8_t *)(a))

#define DMAC 0x4100A000u
#define CTRL REG16(DMAC + 0x00)
#define SWTRIGCTRL REG32(DMAC + 0x10)
#define INTPEND REG16(DMAC + 0x20)
#define INTSTATUS REG32(DMAC + 0x24)
#define PENDCH REG32(DMAC + 0x2C)
#define BASEADDR REG32(DMAC + 0x34)
#define WRBADDR REG32(DMAC + 0x38)
#define CHCTRLA(n) REG32(DMAC + 0x40 + 0x10 * (n))
#define CHPRILVL(n) REG8(DMAC + 0x45 + 0x10 * (n))
#define CHEVCTRL(n) REG8(DMAC + 0x46 + 0x10 * (n))
#define CHINTENSET(n) REG8(DMAC + 0x4D + 0x10 * (n))
#define CHINTFLAG(n) REG8(DMAC + 0x4E + 0x10 * (n))
#define CHSTATUS(n) REG8(DMAC + 0x4F + 0x10 * (n))
#define SWRST 1u
#define DMAENABLE (1u << 1)
#define LVLEN(x) (1u << (8 + (x)))
#define CH_ENABLE (1u << 1)
#define TRIGSRC(x) ((uint32_t)(x) << 8)
#define TRIGACT(x) ((uint32_t)(x) << 20)
#define TCMPL 2u
#define VALID 1u
#define BEAT_WORD (2u << 8)
#define SRCINC (1u << 10)
#define DSTINC (1u << 11)
#define SERCOM3_TX 0x0B
#define U_CTRLA REG32(0x41014000u)
#define U_CTRLB REG32(0x41014004u)
#define U_DATA 0x41014028u
#define VTOR REG32(0xE000ED08)
#define NVIC_ISER(n) REG32(0xE000E100 + 4 * ((n) / 32))

struct desc {
	uint16_t btctrl, btcnt;
	uint32_t srcaddr, dstaddr, descaddr;
};
#define DESCS ((volatile struct desc *)0x20001000u)    /* BASEADDR: 32 x 16 bytes */
#define WRB ((volatile struct desc *)0x20001200u)      /* WRBADDR */
#define LINKED ((volatile struct desc *)0x20001400u)   /* channel 2's second descriptor */
#define TAIL ((volatile char *)0x20001500u)            /* its text, copied to SRAM */
#define SRC ((volatile uint32_t *)0x20001600u)
#define DST ((volatile uint32_t *)0x20001700u)
#define VECTORS ((volatile uint32_t *)0x20002000u)

#define BARE_STACK_TOP 0x20004000u
#define BARE_EXIT_BLOCK S->exit_block
struct state {
	uint32_t exit_block[2], irq2, irq4, failed, intpend_seen, flag_seen, flag6_seen;
};
#define S ((volatile struct state *)0x20000100u)
#include "../bare_c.h"

static const char head[] = "sent by the DMAC ";
static const char tail[] = "on channel 2\n";

static void unexpected(void) { exit_with(0x800); }

static void dmac_2(void)
{
	uint16_t pend = INTPEND;
	S->intpend_seen = pend;
	unsigned ch = pend & 0x1F;
	S->flag_seen = CHINTFLAG(ch);
	CHINTFLAG(ch) = TCMPL;
	S->irq2++;
}

static void dmac_4(void)
{
	S->flag6_seen = CHINTFLAG(6);
	INTPEND = 6 | (TCMPL << 8); /* clear through INTPEND: ID 6, TCMPL */
	S->irq4++;
}

void reset(void)
{
	unsigned n_head = sizeof head - 1, n_tail = sizeof tail - 1;
	for (unsigned i = 0; i < sizeof(struct state) / 4; i++)
		((volatile uint32_t *)S)[i] = 0;
	for (unsigned i = 0; i < 16 + 64; i++)
		VECTORS[i] = (uintptr_t)unexpected;
	VECTORS[16 + 33] = (uintptr_t)dmac_2;
	VECTORS[16 + 35] = (uintptr_t)dmac_4;
	VTOR = (uintptr_t)VECTORS;
	NVIC_ISER(33) = (1u << (33 % 32)) | (1u << (35 % 32));
	for (unsigned i = 0; i < n_tail; i++)
		TAIL[i] = tail[i];
	for (unsigned i = 0; i < 4; i++) {
		SRC[i] = 0x11111111u * (i + 1);
		DST[i] = 0;
	}
	U_CTRLA = (1u << 30) | (1u << 20) | (1u << 2); /* USART, internal clock */
	U_CTRLB = (1u << 16);                            /* TXEN */
	U_CTRLA |= 1u << 1;

	CTRL = 0;
	CTRL = SWRST;
	while (CTRL & SWRST)
		;
	BASEADDR = (uint32_t)DESCS;
	WRBADDR = (uint32_t)WRB;

	/* 2: memory to memory on channel 6, triggered before the controller is enabled */
	DESCS[6].btctrl = VALID | BEAT_WORD | SRCINC | DSTINC;
	DESCS[6].btcnt = 4;
	DESCS[6].srcaddr = (uint32_t)SRC + 16; /* end addresses */
	DESCS[6].dstaddr = (uint32_t)DST + 16;
	DESCS[6].descaddr = 0;
	CHINTENSET(6) = TCMPL;
	CHCTRLA(6) = TRIGACT(0) | TRIGSRC(0) | CH_ENABLE; /* block per trigger, software only */
	SWTRIGCTRL = 1u << 6;
	if (!(PENDCH & (1u << 6)) || !(CHSTATUS(6) & 1) || DST[0] != 0)
		S->failed |= 0x100; /* waiting for DMAENABLE */

	/* 1: SERCOM3 TX on channel 2, two linked blocks */
	DESCS[2].btctrl = VALID | SRCINC; /* byte beats, BLOCKACT NOACT */
	DESCS[2].btcnt = n_head;
	DESCS[2].srcaddr = (uint32_t)head + n_head;
	DESCS[2].dstaddr = U_DATA;
	DESCS[2].descaddr = (uint32_t)LINKED;
	LINKED->btctrl = VALID | SRCINC;
	LINKED->btcnt = n_tail;
	LINKED->srcaddr = (uint32_t)TAIL + n_tail;
	LINKED->dstaddr = U_DATA;
	LINKED->descaddr = 0;
#ifdef NOT_VALID
	DESCS[2].btctrl &= ~VALID;
#endif
	CHINTENSET(2) = TCMPL;
	CHPRILVL(2) = 1;
#ifdef EVENTS
	CHEVCTRL(2) = 1u << 6; /* EVIE */
#endif
	CHCTRLA(2) = TRIGACT(2) | TRIGSRC(SERCOM3_TX) | CH_ENABLE; /* a burst per trigger */
#ifdef NO_LEVEL
	CTRL = DMAENABLE | LVLEN(0) | LVLEN(2) | LVLEN(3); /* channel 2 is on level 1 */
	for (volatile int i = 0; i < 100; i++) {
	}
	exit_with((CHCTRLA(2) & CH_ENABLE) && (PENDCH & (1u << 2)) && !S->irq2 && DST[3] ? 0 : 1);
#endif
	CTRL = DMAENABLE | LVLEN(0) | LVLEN(1) | LVLEN(2) | LVLEN(3);

	__asm__ volatile("cpsid i" ::: "memory");
	while (!S->irq2 || !S->irq4)
		__asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
	__asm__ volatile("cpsie i" ::: "memory");

	if (S->irq2 != 1 || (S->intpend_seen & 0x1F) != 2 || !(S->intpend_seen & (TCMPL << 8)))
		S->failed |= 0x01;
	if (S->flag_seen != TCMPL || CHINTFLAG(2) != 0 || (INTSTATUS & (1u << 2)))
		S->failed |= 0x02;
	if (CHCTRLA(2) & CH_ENABLE) /* disabled at the end of the transaction */
		S->failed |= 0x04;
	/* the write-back: the last descriptor, VALID cleared, no beats left */
	if (WRB[2].btctrl != SRCINC || WRB[2].btcnt != 0 || WRB[2].descaddr != 0 ||
	    WRB[2].srcaddr != (uint32_t)TAIL + n_tail || WRB[2].dstaddr != U_DATA)
		S->failed |= 0x08;
	if (DESCS[2].btctrl != (VALID | SRCINC)) /* the descriptor section is left alone */
		S->failed |= 0x10;
	for (unsigned i = 0; i < 4; i++)
		if (DST[i] != SRC[i])
			S->failed |= 0x20;
	if (S->irq4 != 1 || S->flag6_seen != TCMPL || CHINTFLAG(6) != 0 || PENDCH || SWTRIGCTRL)
		S->failed |= 0x40;
	if (WRB[6].btctrl != (BEAT_WORD | SRCINC | DSTINC) || WRB[6].btcnt != 0)
		S->failed |= 0x80;
	exit_with(S->failed);
}
