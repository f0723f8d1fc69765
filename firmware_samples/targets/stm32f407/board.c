/*
 * board.c - console on the STM32F407 USART2, base 0x40004400 (TX on PA2 on
 * most boards).
 *
 * Sources: RM0090 (STM32F405/407 reference manual) section 30.6, USART registers:
 *   SR  0x00  bit 7 TXE (transmit data register empty)
 *   DR  0x04  byte to transmit
 *   BRR 0x08  mantissa (bits 15:4) and fraction (bits 3:0) of f_PCLK1 / (16 * baud)
 *   CR1 0x0C  bit 13 UE (USART enable), bit 3 TE (transmitter enable)
 * section 7.3.13: RCC_APB1ENR at 0x40023840, bit 17 USART2EN.
 * Also targets/stm32f407.toml.
 *
 * Minimal on purpose: no clock-tree set-up; the divisor assumes the 16 MHz HSI
 * the chip starts from (16e6 / (16 * 115200) = 8.68 -> mantissa 8, fraction
 * 11/16).  A real board also needs PA2 in its USART2 alternate function
 * (GPIOA_MODER/AFRL, RM0090 section 8.4), which is not done here.
 */
#include <stdint.h>

#include "board.h"

#define RCC_APB1ENR      (*(volatile uint32_t *)0x40023840u)
#define RCC_USART2EN     (1u << 17)

#define USART2_BASE      0x40004400u
#define USART_REG(off)   (*(volatile uint32_t *)(USART2_BASE + (off)))
#define USART_SR         USART_REG(0x00u)
#define USART_DR         USART_REG(0x04u)
#define USART_BRR        USART_REG(0x08u)
#define USART_CR1        USART_REG(0x0Cu)

#define SR_TXE           (1u << 7)
#define CR1_UE           (1u << 13)
#define CR1_TE           (1u << 3)

void board_init(void)
{
    RCC_APB1ENR |= RCC_USART2EN;
    USART_BRR = (8u << 4) | 11u;
    USART_CR1 = CR1_UE | CR1_TE;
}

void board_putc(char c)
{
    while ((USART_SR & SR_TXE) == 0u) {
    }
    USART_DR = (uint8_t)c;
}
