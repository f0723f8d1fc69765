/* Our own probe of the samd51 target's clock, flash, cache and SERCOM USART registers, written
 * from the SAM D5x/E5x data sheet DS60001507 (register summaries of NVMCTRL, OSCCTRL, GCLK,
 * MCLK, CMCC and SERCOM USART; no vendor code). It runs the sequence a start-up performs to
 * reach 120 MHz: NVMCTRL.CTRLA.RWS, GCLK0 parked on OSCULP32K, DFLL48M re-enabled (DFLLSYNC,
 * STATUS.DFLLRDY), DPLL0 disabled, its reference GCLK5 = DFLL / 24, ratio 59, enabled
 * (DPLLSYNCBUSY, DPLLSTATUS.LOCK/CLKRDY), GCLK0 back on DPLL0 (SYNCBUSY.GENCTRL0), CPUDIV
 * (INTFLAG.CKRDY), the CMCC cache off and on (SR.CSTS), then SERCOM3 as a USART (SWRST, CTRLA,
 * CTRLB, BAUD, ENABLE with SYNCBUSY) printing through DATA after INTFLAG.DRE, then TXC.
 * It exits through semihosting SYS_EXIT_EXTENDED with a bitmask of the checks that failed.
 *   -DFORGET_DPLL_ENABLE  wait for DPLL0's lock without enabling it: never locks (stuck).
 * tests/test_samd51.py builds it (code at 0x100, vector table at 0x0).
 */
#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))
#define REG8(a) (*(volatile uint8_t *)(a))

#define NVMCTRL 0x41004000u
#define OSCCTRL 0x40001000u
#define GCLK 0x40001C00u
#define MCLK 0x40000800u
#define CMCC 0x41006000u
#define SERCOM3 0x41014000u

#define NVMCTRL_CTRLA REG16(NVMCTRL + 0x00)
#define NVMCTRL_PARAM REG32(NVMCTRL + 0x08)
#define NVMCTRL_STATUS REG16(NVMCTRL + 0x12)
#define OSC_STATUS REG32(OSCCTRL + 0x10)
#define DFLLCTRLA REG8(OSCCTRL + 0x1C)
#define DFLLSYNC REG8(OSCCTRL + 0x2C)
#define DPLL0CTRLA REG8(OSCCTRL + 0x30)
#define DPLL0RATIO REG32(OSCCTRL + 0x34)
#define DPLL0CTRLB REG32(OSCCTRL + 0x38)
#define DPLL0SYNCBUSY REG32(OSCCTRL + 0x3C)
#define DPLL0STATUS REG32(OSCCTRL + 0x40)
#define GCLK_SYNCBUSY REG32(GCLK + 0x04)
#define GENCTRL(n) REG32(GCLK + 0x20 + 4 * (n))
#define PCHCTRL(n) REG32(GCLK + 0x80 + 4 * (n))
#define MCLK_INTFLAG REG8(MCLK + 0x03)
#define MCLK_CPUDIV REG8(MCLK + 0x05)
#define MCLK_APBBMASK REG32(MCLK + 0x18)
#define CMCC_TYPE REG32(CMCC + 0x00)
#define CMCC_CTRL REG32(CMCC + 0x08)
#define CMCC_SR REG32(CMCC + 0x0C)
#define CMCC_MAINT0 REG32(CMCC + 0x20)
#define U_CTRLA REG32(SERCOM3 + 0x00)
#define U_CTRLB REG32(SERCOM3 + 0x04)
#define U_BAUD REG16(SERCOM3 + 0x0C)
#define U_INTFLAG REG8(SERCOM3 + 0x18)
#define U_SYNCBUSY REG32(SERCOM3 + 0x1C)
#define U_DATA REG32(SERCOM3 + 0x28)

#define SRC_OSCULP32K 4
#define SRC_DFLL 6
#define SRC_DPLL0 7
#define GENEN (1u << 8)

#define BARE_STACK_TOP 0x20030000u
#include "../bare_c.h"

static void put(const char *s)
{
	for (; *s; s++) {
		while (!(U_INTFLAG & 1)) /* DRE */
			;
		U_DATA = (uint8_t)*s;
	}
	while (!(U_INTFLAG & 2)) /* TXC */
		;
}

void reset(void)
{
	uint32_t failed = 0;
	/* flash: 5 wait states at 120 MHz (DS60001507 'NVM Characteristics'), AUTOWS kept */
	NVMCTRL_CTRLA = (NVMCTRL_CTRLA & ~0x0F00u) | (5u << 8);
	if ((NVMCTRL_CTRLA & 0x0F04u) != 0x0504u)
		failed |= 0x1;
	if (!(NVMCTRL_STATUS & 1) || (NVMCTRL_PARAM & 0x7FFFFu) != 0x60400u) /* READY; 1024 x 512 B */
		failed |= 0x2;

	/* GCLK0 on OSCULP32K while its sources are changed */
	GENCTRL(0) = (GENCTRL(0) & ~0xFu) | SRC_OSCULP32K;
	while (GCLK_SYNCBUSY & (1u << 2)) /* GENCTRL0 */
		;
	/* DFLL48M off and on again */
	DFLLCTRLA = 0;
	while (DFLLSYNC & (1u << 1))
		;
	if (OSC_STATUS & (1u << 8)) /* DFLLRDY must drop with the DFLL off */
		failed |= 0x4;
	DFLLCTRLA = 1u << 1;
	while (DFLLSYNC & (1u << 1))
		;
	while (!(OSC_STATUS & (1u << 8)))
		;
	/* GCLK5 = DFLL / 24 = 2 MHz, DPLL0's reference */
	GENCTRL(5) = (24u << 16) | GENEN | SRC_DFLL;
	while (GCLK_SYNCBUSY & (1u << 7))
		;
	/* DPLL0: off, ratio 59 (x60), reference GCLK, on, wait for lock */
	DPLL0CTRLA = 0;
	while (DPLL0SYNCBUSY & (1u << 1))
		;
	if (DPLL0STATUS & 3) /* LOCK and CLKRDY drop with the DPLL off */
		failed |= 0x8;
	PCHCTRL(1) = (1u << 6) | 5; /* CHEN, generator 5 */
	if (!(PCHCTRL(1) & (1u << 6)))
		failed |= 0x10;
	DPLL0RATIO = 59;
	while (DPLL0SYNCBUSY & (1u << 2))
		;
	DPLL0CTRLB = 0; /* REFCLK = GCLK */
#ifndef FORGET_DPLL_ENABLE
	DPLL0CTRLA = 1u << 1;
	while (DPLL0SYNCBUSY & (1u << 1))
		;
#endif
	while ((DPLL0STATUS & 3) != 3)
		;
	if (!(OSC_STATUS & (1u << 16))) /* DPLL0LCKR */
		failed |= 0x20;
	/* GCLK0 = DPLL0, CPU /1 */
	GENCTRL(0) = (1u << 16) | GENEN | SRC_DPLL0;
	while (GCLK_SYNCBUSY & (1u << 2))
		;
	MCLK_CPUDIV = 1;
	while (!(MCLK_INTFLAG & 1)) /* CKRDY */
		;
	/* CMCC: 4 KB (TYPE.CSIZE 2), off, invalidate, on */
	if (((CMCC_TYPE >> 8) & 7) != 2)
		failed |= 0x40;
	CMCC_CTRL = 0;
	while (CMCC_SR & 1)
		;
	CMCC_MAINT0 = 1;
	CMCC_CTRL = 1;
	while (!(CMCC_SR & 1))
		;
	/* SERCOM3 USART: APB clock, core clock from GCLK1 (48 MHz), 115200 baud */
	MCLK_APBBMASK |= 1u << 10; /* SERCOM3 */
	PCHCTRL(24) = (1u << 6) | 1;
	U_CTRLA = 1; /* SWRST */
	while (U_SYNCBUSY & 1)
		;
	if (U_CTRLA & 1) /* SWRST clears when the reset is done */
		failed |= 0x80;
	U_CTRLA = (1u << 30) | (1u << 20) | (1u << 2); /* DORD LSB first, RXPO 1, TXPO 0, MODE 1 */
	U_CTRLB = (1u << 17) | (1u << 16);              /* RXEN, TXEN, 8 bits */
	while (U_SYNCBUSY & (1u << 2))
		;
	U_BAUD = 63019; /* 65536 x (1 - 16 x 115200 / 48 MHz) */
	U_CTRLA |= 1u << 1;
	while (U_SYNCBUSY & (1u << 1))
		;
	if ((GENCTRL(0) & 0xF) != SRC_DPLL0 || DPLL0RATIO != 59 || U_BAUD != 63019)
		failed |= 0x100;
	put("samd51 ok\n");
	exit_with(failed);
}
