/* Our own probe of the efm32wg target's CMU, MSC, UART0, device information page, ROM table and
 * bit-band aliases, written from the EFM32WG reference manual (register maps of CMU, MSC, USART,
 * DI page, chip revision; the Cortex-M4 bit-band regions; no vendor code). It runs the sequence a
 * start-up performs to reach 48 MHz from the HFXO: HFCLK back on HFRCO, HFXO disabled and enabled
 * again (OSCENCMD, STATUS.HFXORDY polled through the bit-band alias as emlib does), MSC READCTRL
 * WS2, CMD.HFCLKSEL = HFXO (STATUS.HFXOSEL), HFPERCLKEN0.UART0, then UART0 (CLKDIV, CMD.TXEN ->
 * STATUS.TXENS, ROUTE) printing through TXDATA after STATUS.TXBL, then TXC.
 * It exits through semihosting SYS_EXIT_EXTENDED with a bitmask of the checks that failed.
 *   -DFORGET_HFXO_ENABLE  wait for HFXORDY without enabling the HFXO: never ready (stuck).
 * tests/test_efm32wg.py builds it (code at 0x100, vector table at 0x0).
 */
#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
/* Cortex-M4 bit-band alias of bit b of the word at a (peripherals and SRAM) */
#define BITBAND(a, b) REG32(((a) & 0xF0000000u) + 0x02000000u + (((a) & 0x000FFFFFu) << 5) + ((b) << 2))

#define CMU 0x400C8000u
#define MSC 0x400C0000u
#define UART0 0x4000E000u
#define GPIO 0x40006000u
#define CMU_HFRCOCTRL REG32(CMU + 0x00C)
#define CMU_OSCENCMD REG32(CMU + 0x020)
#define CMU_CMD REG32(CMU + 0x024)
#define CMU_STATUS_ADDR (CMU + 0x02C)
#define CMU_STATUS REG32(CMU_STATUS_ADDR)
#define CMU_HFPERCLKEN0 REG32(CMU + 0x044)
#define MSC_READCTRL REG32(MSC + 0x004)
#define MSC_STATUS REG32(MSC + 0x01C)
#define U_CMD REG32(UART0 + 0x00C)
#define U_STATUS REG32(UART0 + 0x010)
#define U_CLKDIV REG32(UART0 + 0x014)
#define U_TXDATA REG32(UART0 + 0x034)
#define U_ROUTE REG32(UART0 + 0x054)
#define DI_MSIZE REG32(0x0FE081F8u)
#define DI_PART REG32(0x0FE081FCu)
#define ROM_PID0 REG32(0xE00FFFE0u)
#define ROM_PID3 REG32(0xE00FFFECu)

#define HFXOEN (1u << 2)
#define HFXODIS (1u << 3)
#define HFXORDY_BIT 3
#define HFRCOSEL (1u << 10)
#define HFXOSEL (1u << 11)

#define BARE_STACK_TOP 0x20008000u
#include "../bare_c.h"

static void put(const char *s)
{
	for (; *s; s++) {
		while (!(U_STATUS & (1u << 6))) /* TXBL */
			;
		U_TXDATA = (uint8_t)*s;
	}
	while (!(U_STATUS & (1u << 5))) /* TXC */
		;
}

void reset(void)
{
	uint32_t failed = 0;
	/* the part: DI page and chip revision */
	if ((DI_PART & 0x00FFFFFFu) != ((75u << 16) | 990u) || DI_MSIZE != ((32u << 16) | 256u))
		failed |= 0x1;
	if ((ROM_PID0 & 0x3F) != 1 || (ROM_PID3 >> 4 & 0xF) != 2) /* revision 1.2 (C) */
		failed |= 0x2;

	/* HFCLK back on the HFRCO (14 MHz band at reset), HFXO off */
	CMU_OSCENCMD = 1u << 0; /* HFRCOEN */
	while (!(CMU_STATUS & (1u << 1)))
		;
	CMU_CMD = 1; /* HFCLKSEL = HFRCO */
	if ((CMU_STATUS & (HFRCOSEL | HFXOSEL)) != HFRCOSEL || (CMU_HFRCOCTRL >> 8 & 7) != 3)
		failed |= 0x4;
	CMU_OSCENCMD = HFXODIS;
	if (BITBAND(CMU_STATUS_ADDR, HFXORDY_BIT) != 0 || CMU_STATUS & (1u << 2))
		failed |= 0x8;
	/* HFXO on, ready polled through the bit-band alias */
#ifndef FORGET_HFXO_ENABLE
	CMU_OSCENCMD = HFXOEN;
#endif
	while (!BITBAND(CMU_STATUS_ADDR, HFXORDY_BIT))
		;
	/* flash: WS2 above 32 MHz, then HFCLK = HFXO */
	MSC_READCTRL = (MSC_READCTRL & ~7u) | 4;
	CMU_CMD = 2; /* HFCLKSEL = HFXO */
	if ((CMU_STATUS & (HFRCOSEL | HFXOSEL)) != HFXOSEL || (MSC_READCTRL & 7) != 4 || MSC_STATUS & 1)
		failed |= 0x10;

	/* a bit-band write: set and clear GPIO port E DOUT bit 0 (0x40006090 + 0x0C) */
	BITBAND(GPIO + 0x090 + 0x00C, 0) = 1;
	BITBAND(GPIO + 0x090 + 0x00C, 5) = 1;
	BITBAND(GPIO + 0x090 + 0x00C, 0) = 0;
	if (REG32(GPIO + 0x090 + 0x00C) != (1u << 5))
		failed |= 0x20;
	/* and SRAM through its alias */
	REG32(0x20000200u) = 0x80000000u;
	BITBAND(0x20000200u, 1) = 1;
	BITBAND(0x20000200u, 31) = 0;
	if (REG32(0x20000200u) != 2u || BITBAND(0x20000200u, 1) != 1)
		failed |= 0x40;

	/* UART0: clock, 115200 baud from 48 MHz (CLKDIV = 256 x (48 MHz / (16 x 115200) - 1)),
	 * TX enabled, location 1 */
	CMU_HFPERCLKEN0 |= 1u << 3; /* UART0 */
	U_CLKDIV = 6400;
	U_CMD = 1u << 2; /* TXEN */
	if (!(U_STATUS & (1u << 1)) || U_CMD != 0) /* TXENS; CMD is write-only */
		failed |= 0x80;
	U_ROUTE = (1u << 8) | 3; /* LOCATION 1, TXPEN, RXPEN */
	put("efm32wg ok\n");
	U_CMD = 1u << 3; /* TXDIS */
	if (U_STATUS & (1u << 1))
		failed |= 0x100;
	exit_with(failed);
}
