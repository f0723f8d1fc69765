/*
 * board.c - console on the STM32F103 USART1, base 0x40013800 (blue pill:
 * TX on PA9).
 *
 * Sources: RM0008 (STM32F10xxx reference manual) section 27.6, USART registers:
 *   SR  0x00  bit 7 TXE (transmit data register empty)
 *   DR  0x04  byte to transmit
 *   BRR 0x08  mantissa (bits 15:4) and fraction (bits 3:0) of f_PCLK2 / (16 * baud)
 *   CR1 0x0C  bit 13 UE (USART enable), bit 3 TE (transmitter enable)
 * section 7.3.7: RCC_APB2ENR at 0x40021018, bit 14 USART1EN, bit 2 IOPAEN.
 * Also targets/stm32f103.toml.
 *
 * Minimal on purpose: no clock-tree set-up; the divisor assumes the 8 MHz HSI
 * the chip starts from (8e6 / (16 * 115200) = 4.34 -> mantissa 4, fraction
 * 5/16).  A real board also needs PA9 configured as alternate-function
 * push-pull output (GPIOA_CRH, RM0008 section 9.2.2), which is not done here.
 */
#include <stdint.h>

#include "board.h"

#define RCC_APB2ENR      (*(volatile uint32_t *)0x40021018u)
#define RCC_IOPAEN       (1u << 2)
#define RCC_USART1EN     (1u << 14)

#define USART1_BASE      0x40013800u
#define USART_REG(off)   (*(volatile uint32_t *)(USART1_BASE + (off)))
#define USART_SR         USART_REG(0x00u)
#define USART_DR         USART_REG(0x04u)
#define USART_BRR        USART_REG(0x08u)
#define USART_CR1        USART_REG(0x0Cu)

#define SR_TXE           (1u << 7)
#define CR1_UE           (1u << 13)
#define CR1_TE           (1u << 3)

void board_init(void)
{
    RCC_APB2ENR |= RCC_USART1EN | RCC_IOPAEN;
    USART_BRR = (4u << 4) | 5u;
    USART_CR1 = CR1_UE | CR1_TE;
}

void board_putc(char c)
{
    while ((USART_SR & SR_TXE) == 0u) {
    }
    USART_DR = (uint8_t)c;
}
