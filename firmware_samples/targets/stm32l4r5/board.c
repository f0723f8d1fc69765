/*
 * board.c - console on the STM32L4R5 LPUART1, base 0x40008000 (on the
 * NUCLEO-L4R5ZI it is the ST-LINK virtual COM port, PG7 = TX: UM2179).
 *
 * Sources: RM0432 (STM32L4+ reference manual), LPUART register map:
 *   CR1 0x00  bit 0 UE (enable), bit 3 TE (transmitter enable)
 *   BRR 0x0C  LPUART: 256 * f_clk / baud (must be >= 0x300)
 *   ISR 0x1C  bit 7 TXE (transmit data register empty)
 *   TDR 0x28  byte to transmit
 * RCC at 0x40021000, RCC_APB1ENR2 at 0x5C, bit 0 LPUART1EN (RM0432, RCC
 * register map).  Also targets/stm32l4r5.toml.
 *
 * Minimal on purpose: no clock-tree set-up; the divisor assumes the 4 MHz MSI
 * the chip starts from.  A real board also needs GPIOG clocked, PG7 in
 * alternate function 8, and VDDIO2 declared valid (PWR_CR2.IOSV) since port G
 * is powered from VDDIO2 - none of which is done here.
 */
#include <stdint.h>

#include "board.h"

#define RCC_APB1ENR2    (*(volatile uint32_t *)(0x40021000u + 0x5Cu))
#define RCC_LPUART1EN   (1u << 0)

#define LPUART1_BASE    0x40008000u
#define LPUART_REG(off) (*(volatile uint32_t *)(LPUART1_BASE + (off)))
#define LPUART_CR1      LPUART_REG(0x00u)
#define LPUART_BRR      LPUART_REG(0x0Cu)
#define LPUART_ISR      LPUART_REG(0x1Cu)
#define LPUART_TDR      LPUART_REG(0x28u)

#define CR1_UE          (1u << 0)
#define CR1_TE          (1u << 3)
#define ISR_TXE         (1u << 7)

void board_init(void)
{
    RCC_APB1ENR2 |= RCC_LPUART1EN;
    LPUART_CR1 = 0u;
    LPUART_BRR = (uint32_t)((256ull * 4000000u + 115200u / 2u) / 115200u); /* 8889 */
    LPUART_CR1 = CR1_TE | CR1_UE;
}

void board_putc(char c)
{
    while ((LPUART_ISR & ISR_TXE) == 0u) {
    }
    LPUART_TDR = (uint8_t)c;
}
