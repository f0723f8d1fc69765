/* Our own probe of the stm32f103 target's RCC, FLASH_ACR, GPIO and USART1, written from RM0008
 * (RCC §7.3.1 CR, §7.3.2 CFGR; FLASH_ACR §3.3.3; GPIO §9.2; USART §27.6; bit banding §3.3.2; no
 * vendor code). It runs the sequence a start-up performs to reach 72 MHz from the 8 MHz HSE:
 * HSEON, HSERDY polled; FLASH_ACR LATENCY 2; CFGR PLLSRC = HSE, PLLMUL x9, PPRE1 /2; PLLON set
 * through its bit-band alias, PLLRDY polled; SW = PLL, SWS polled. Before that it switches the
 * system clock back to the HSI and turns the PLL and the HSE off, with 0 flash wait states (as
 * start-up code does before reprogramming a running PLL), so it runs the same sequence from the
 * built-in target's 72 MHz start state and from the chip's reset state (HSI 8 MHz, everything
 * else off). It then spins a fixed number of iterations, prints
 * through USART1 (SR.TXE, DR) and exits through semihosting SYS_EXIT_EXTENDED with a bitmask of
 * the checks that failed.
 *   -DFORGET_HSEON  wait for HSERDY without setting HSEON: never ready (stuck).
 * tests/test_stm32f103.py builds it (vector table at 0x08000000, code from 0x08000100).
 */
#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
/* Cortex-M3 bit-band alias of bit b of the peripheral word at a (RM0008 §3.3.2) */
#define BITBAND(a, b) REG32(0x42000000u + (((a) - 0x40000000u) << 5) + ((b) << 2))

#define RCC 0x40021000u
#define RCC_CR_ADDR RCC
#define RCC_CR REG32(RCC)
#define RCC_CFGR REG32(RCC + 0x04u)
#define RCC_APB2ENR REG32(RCC + 0x18u)
#define FLASH_ACR REG32(0x40022000u)
#define GPIOA_CRH REG32(0x40010804u)
#define USART1_SR REG32(0x40013800u)
#define USART1_DR REG32(0x40013804u)
#define USART1_BRR REG32(0x40013808u)
#define USART1_CR1 REG32(0x4001380Cu)

#define HSEON (1u << 16)
#define HSERDY (1u << 17)
#define PLLON_BIT 24
#define PLLRDY (1u << 25)
#define SW_MASK 3u
#define SWS_MASK (3u << 2)
#define SW_HSI 0u
#define SW_PLL 2u
#define SWS_HSI (0u << 2)
#define SWS_PLL (2u << 2)
#define PLLSRC_HSE (1u << 16)
#define PLLMUL_9 (7u << 18)
#define PPRE1_DIV2 (4u << 8)

#define BARE_STACK_TOP 0x20005000u
#include "../bare_c.h"

static void put(const char *s)
{
	while (*s) {
		while (!(USART1_SR & (1u << 7))) { /* TXE */
		}
		USART1_DR = (uint8_t)*s++;
	}
	while (!(USART1_SR & (1u << 6))) { /* TC */
	}
}

void reset(void)
{
	uint32_t fail = 0;
	RCC_CFGR = (RCC_CFGR & ~SW_MASK) | SW_HSI;
	while ((RCC_CFGR & SWS_MASK) != SWS_HSI) {
	}
	BITBAND(RCC_CR_ADDR, PLLON_BIT) = 0;
	while (RCC_CR & PLLRDY) {
	}
	RCC_CR &= ~HSEON;
	while (RCC_CR & HSERDY) {
	}
	FLASH_ACR = FLASH_ACR & ~7u; /* 0 WS: enough up to 24 MHz */
#ifndef FORGET_HSEON
	RCC_CR |= HSEON;
#endif
	while (!(RCC_CR & HSERDY)) {
	}
	FLASH_ACR = (FLASH_ACR & ~7u) | 2u; /* LATENCY 2 before the clock goes above 48 MHz */
	if ((FLASH_ACR & 7u) != 2u)
		fail |= 1u;
	RCC_CFGR = (RCC_CFGR & ~((1u << 16) | (1u << 17) | (0xFu << 18) | (7u << 8))) |
		   PLLSRC_HSE | PLLMUL_9 | PPRE1_DIV2;
	BITBAND(RCC_CR_ADDR, PLLON_BIT) = 1;
	if (!(RCC_CR & (1u << PLLON_BIT)))
		fail |= 2u; /* the alias wrote the bit */
	while (!(RCC_CR & PLLRDY)) {
	}
	RCC_CFGR = (RCC_CFGR & ~SW_MASK) | SW_PLL;
	while ((RCC_CFGR & SWS_MASK) != SWS_PLL) {
	}
	RCC_CR = RCC_CR & ~PLLRDY; /* read-only: stays set */
	if (!(RCC_CR & PLLRDY))
		fail |= 4u;
	for (volatile uint32_t i = 0; i < 20000u; i++) {
	}
	RCC_APB2ENR |= (1u << 14) | (1u << 2); /* USART1EN, IOPAEN */
	GPIOA_CRH = (GPIOA_CRH & ~0xF0u) | 0xB0u; /* PA9: alternate-function push-pull, 50 MHz */
	if (GPIOA_CRH != 0x444444B4u)
		fail |= 8u; /* reset 0x4444 4444, read back */
	USART1_BRR = 625u; /* 72 MHz / 115200 */
	USART1_CR1 = (1u << 13) | (1u << 3); /* UE, TE */
	put("stm32f103 ok\n");
	exit_with(fail);
}
