/* Our own probe of the efm32wg target's DMA controller (model efm32_dma, an Arm PL230), written
 * from the EFM32WG reference manual's DMA chapter (register map, channel control data structure,
 * CHx_CTRL SOURCESEL/SIGSEL table) and the PL230 TRM; no vendor code.
 * DMA at 0x400C2000: CONFIG 0x004, CTRLBASE 0x008, ALTCTRLBASE 0x00C, CHSWREQ 0x014, CHREQMASKS
 * 0x020, CHENS 0x028, IF 0x1000, IFC 0x1008, IEN 0x100C, CHx_CTRL 0x1100 + 4x; DMA = IRQ 0.
 * Control structure per channel: SRC_DATA_END, DST_DATA_END, CTRL (cycle_ctrl 2:0, n_minus_1
 * 13:4, R_power 17:14, src_size 25:24, src_inc 27:26, dst_size 29:28, dst_inc 31:30).
 *  1. channel 0, basic cycle, SOURCESEL UART0 (0x2C) SIGSEL TXBL (1): the text to UART0 TXDATA
 *     (0x4000E034), no destination increment; IEN.DONE0 and CHENS set through the bit-band alias;
 *     the DMA interrupt's handler reads IF and clears it with IFC. Before it, a bit-band write
 *     to CHENC must clear one channel's enable only.
 *  2. channel 1, auto-request cycle, software request: eight words from flash to RAM, no
 *     interrupt (IEN.DONE1 clear) but IF.DONE1 set.
 *  3. channel 2 on its alternate structure (CHALTS), basic cycle, R_power 1: five bytes RAM to
 *     RAM, one software request per two bytes (n_minus_1 written back as the items left - 1).
 * It exits through semihosting SYS_EXIT_EXTENDED with a bitmask of the checks that failed (eight
 * bits: the run's exit code keeps only those).
 *   -DPINGPONG  channel 0's cycle_ctrl is 3 (ping-pong): the run must stop, naming it.
 *   -DMASKED    CHREQMASKS masks channel 0's UART request: nothing may move.
 *   -DNO_ENABLE CONFIG.EN is never set: nothing may move.
 *   -DOTHER_SOURCE channel 0 selects USART0 (SOURCESEL 0x0C) TXBL, which the target does not
 *               list: the run must stop, naming the selection.
 * tests/test_efm32_dma.py builds it (code at 0x100, vector table at 0x0). */
#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
#define BITBAND(a, b) REG32(((a) & 0xF0000000u) + 0x02000000u + (((a) & 0x000FFFFFu) << 5) + ((b) << 2))

#define DMA 0x400C2000u
#define D_STATUS REG32(DMA + 0x000)
#define D_CONFIG REG32(DMA + 0x004)
#define D_CTRLBASE REG32(DMA + 0x008)
#define D_ALTCTRLBASE REG32(DMA + 0x00C)
#define D_CHSWREQ REG32(DMA + 0x014)
#define D_CHREQMASKS REG32(DMA + 0x020)
#define D_CHENS_ADDR (DMA + 0x028)
#define D_CHENS REG32(D_CHENS_ADDR)
#define D_CHALTS REG32(DMA + 0x030)
#define D_IF REG32(DMA + 0x1000)
#define D_IFC REG32(DMA + 0x1008)
#define D_IEN_ADDR (DMA + 0x100C)
#define D_IEN REG32(D_IEN_ADDR)
#define D_CH_CTRL(x) REG32(DMA + 0x1100 + 4 * (x))
#define UART0_TXDATA 0x4000E034u
#define VTOR REG32(0xE000ED08)
#define NVIC_ISER0 REG32(0xE000E100)

#define CYCLE_BASIC 1u
#define CYCLE_AUTO 2u
#define CYCLE_PINGPONG 3u
#define N_MINUS_1(n) (((n) - 1u) << 4)
#define R_POWER(r) ((r) << 14)
#define SIZE_BYTE 0u
#define SIZE_WORD 2u
#define SRC_SIZE(s) ((s) << 24)
#define SRC_INC(i) ((i) << 26)
#define DST_SIZE(s) ((s) << 28)
#define DST_INC(i) ((i) << 30)
#define INC_NONE 3u
#define SEL_UART0_TXBL ((0x2Cu << 16) | 1u)

struct descriptor {
	uint32_t src_end, dst_end, ctrl, user;
};
#define PRIMARY ((volatile struct descriptor *)0x20001000u) /* 256-byte aligned */
#define ALTERNATE ((volatile struct descriptor *)0x20001100u)

#define BARE_STACK_TOP 0x20008000u
#define BARE_EXIT_BLOCK S->exit_block
struct state {
	uint32_t exit_block[2], irqs, if_seen, failed;
};
#define S ((volatile struct state *)0x20000100u)
#define VECTORS ((volatile uint32_t *)0x20000400u) /* 128-word aligned */
#define COPY ((volatile uint32_t *)0x20002000u)
#define BYTES_IN ((volatile uint8_t *)0x20002100u)
#define BYTES_OUT ((volatile uint8_t *)0x20002200u)
#include "../bare_c.h"

static const char text[] = "sent by the EFM32 DMA\n";
static const uint32_t words[8] = {0x01234567, 0x89ABCDEF, 0xDEADBEEF, 0x0BADF00D,
                                  0x11111111, 0x22222222, 0x33333333, 0x44444444};

static void unexpected(void) { exit_with(0x80); }

static void dma_irq(void)
{
	S->irqs++;
	S->if_seen = D_IF;
	D_IFC = D_IF;
}

void reset(void)
{
	const uint32_t n = sizeof text - 1;
	for (unsigned i = 0; i < sizeof(struct state) / 4; i++)
		((volatile uint32_t *)S)[i] = 0;
	for (unsigned i = 0; i < 16 + 32; i++)
		VECTORS[i] = (uintptr_t)unexpected;
	VECTORS[16 + 0] = (uintptr_t)dma_irq;
	VTOR = (uintptr_t)VECTORS;
	NVIC_ISER0 = 1u << 0;

#ifndef NO_ENABLE
	D_CONFIG = 1; /* EN */
#endif
	D_CTRLBASE = (uintptr_t)PRIMARY;
	if (D_ALTCTRLBASE != (uintptr_t)ALTERNATE || D_CONFIG != 0)
		S->failed |= 0x01; /* alternate structures 0x100 on; CONFIG is write-only */
#ifndef NO_ENABLE
	if (!(D_STATUS & 1) || ((D_STATUS >> 16) & 0x1F) != 11)
		S->failed |= 0x01; /* STATUS.EN, CHNUM = 12 - 1 */
#endif

	/* a bit-band write to CHENC clears that channel only (CHENC reads 0) */
	D_CH_CTRL(3) = 0;
	D_CH_CTRL(4) = 0;
	D_CHENS = (1u << 3) | (1u << 4);
	BITBAND(DMA + 0x02C, 3) = 1;
	if ((D_CHENS & 0x18) != 0x10)
		S->failed |= 0x01;
	REG32(DMA + 0x02C) = 1u << 4;

	/* 1. UART0 TXBL on channel 0, basic */
#ifdef OTHER_SOURCE
	D_CH_CTRL(0) = (0x0Cu << 16) | 1u;
#else
	D_CH_CTRL(0) = SEL_UART0_TXBL;
#endif
	uint32_t ctrl0 = DST_INC(INC_NONE) | DST_SIZE(SIZE_BYTE) | SRC_INC(SIZE_BYTE) |
	                 SRC_SIZE(SIZE_BYTE) | R_POWER(0) | N_MINUS_1(n) |
#ifdef PINGPONG
	                 CYCLE_PINGPONG;
#else
	                 CYCLE_BASIC;
#endif
	PRIMARY[0].src_end = (uintptr_t)&text[n - 1];
	PRIMARY[0].dst_end = UART0_TXDATA;
	PRIMARY[0].ctrl = ctrl0;
	D_IFC = 0xFFFFFFFFu;
	BITBAND(D_IEN_ADDR, 0) = 1; /* IEN.CH0DONE, as emlib's BUS_RegBitWrite does */
#ifdef MASKED
	D_CHREQMASKS = 1;
#endif
	BITBAND(D_CHENS_ADDR, 0) = 1;
#if defined(MASKED) || defined(NO_ENABLE)
	for (volatile int i = 0; i < 100; i++) {
	}
	exit_with(S->failed | ((D_CHENS & 1) && PRIMARY[0].ctrl == ctrl0 && !D_IF && !S->irqs ? 0 : 0x02));
#endif
	__asm__ volatile("cpsid i" ::: "memory");
	while (!S->irqs)
		__asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
	__asm__ volatile("cpsie i" ::: "memory");
	if (S->irqs != 1 || S->if_seen != 1 || D_IF != 0)
		S->failed |= 0x02;
	/* cycle_ctrl 'stop' and n_minus_1 0 written back; the channel disabled */
	if (PRIMARY[0].ctrl != (ctrl0 & ~(0x3FFu << 4 | 7u)) || (D_CHENS & 1))
		S->failed |= 0x04;
	if (PRIMARY[0].src_end != (uintptr_t)&text[n - 1] || PRIMARY[0].dst_end != UART0_TXDATA)
		S->failed |= 0x04; /* the end pointers stay as written */

	/* 2. memory to memory on channel 1: auto-request, one software request */
	uint32_t ctrl1 = DST_INC(SIZE_WORD) | DST_SIZE(SIZE_WORD) | SRC_INC(SIZE_WORD) |
	                 SRC_SIZE(SIZE_WORD) | N_MINUS_1(8) | CYCLE_AUTO;
	for (unsigned i = 0; i < 8; i++)
		COPY[i] = 0; /* RAM is not zero at reset */
	D_CH_CTRL(1) = 0; /* SOURCESEL none: software requests only */
	PRIMARY[1].src_end = (uintptr_t)&words[7];
	PRIMARY[1].dst_end = (uintptr_t)&COPY[7];
	PRIMARY[1].ctrl = ctrl1;
	D_CHENS = 1u << 1;
	if (!(D_CHENS & 2) || COPY[0] != 0)
		S->failed |= 0x08; /* enabled, waiting for its request */
	D_CHSWREQ = 1u << 1;
	for (unsigned i = 0; i < 8; i++)
		if (COPY[i] != words[i])
			S->failed |= 0x10;
	if (PRIMARY[1].ctrl != (ctrl1 & ~(0x3FFu << 4 | 7u)) || (D_CHENS & 2) || D_IF != 2 ||
	    S->irqs != 1)
		S->failed |= 0x10; /* done, flagged, no interrupt (IEN.CH1DONE clear) */
	D_IFC = 2;

	/* 3. channel 2 on its alternate structure, basic, 2^1 items per software request */
	for (unsigned i = 0; i < 5; i++) {
		BYTES_IN[i] = (uint8_t)(0xA0 + i);
		BYTES_OUT[i] = 0;
	}
	uint32_t ctrl2 = DST_INC(SIZE_BYTE) | DST_SIZE(SIZE_BYTE) | SRC_INC(SIZE_BYTE) |
	                 SRC_SIZE(SIZE_BYTE) | R_POWER(1) | N_MINUS_1(5) | CYCLE_BASIC;
	D_CH_CTRL(2) = 0;
	ALTERNATE[2].src_end = (uintptr_t)&BYTES_IN[4];
	ALTERNATE[2].dst_end = (uintptr_t)&BYTES_OUT[4];
	ALTERNATE[2].ctrl = ctrl2;
	PRIMARY[2].ctrl = 0; /* not used: cycle_ctrl 'stop' */
	D_CHALTS = 1u << 2;
	D_CHENS = 1u << 2;
	D_CHSWREQ = 1u << 2;
	if (ALTERNATE[2].ctrl != ((ctrl2 & ~(0x3FFu << 4)) | N_MINUS_1(3)) || BYTES_OUT[1] != 0xA1 ||
	    BYTES_OUT[2] != 0 || !(D_CHENS & 4) || D_IF)
		S->failed |= 0x20;
	D_CHSWREQ = 1u << 2;
	if (ALTERNATE[2].ctrl != ((ctrl2 & ~(0x3FFu << 4)) | N_MINUS_1(1)) || BYTES_OUT[3] != 0xA3 ||
	    BYTES_OUT[4] != 0)
		S->failed |= 0x40;
	D_CHSWREQ = 1u << 2;
	if (ALTERNATE[2].ctrl != (ctrl2 & ~(0x3FFu << 4 | 7u)) || BYTES_OUT[4] != 0xA4 ||
	    (D_CHENS & 4) || D_IF != 4 || PRIMARY[2].ctrl != 0)
		S->failed |= 0x40;
	exit_with(S->failed);
}
