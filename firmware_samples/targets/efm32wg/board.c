/*
 * board.c - console on the EFM32WG UART0, base 0x4000E000 (location 1:
 * TX = PE0 on the EFM32WG-STK3800, per targets/efm32wg.toml - verify).
 *
 * Sources: EFM32WG Reference Manual, USART/UART register map (UART0 is a
 * USART without synchronous mode):
 *   CMD     0x00C  bit 2 TXEN
 *   STATUS  0x010  bit 6 TXBL (TX buffer has room)
 *   CLKDIV  0x014  bits 20:6: 256 * (f_HFPERCLK / (16 * baud) - 1)
 *   TXDATA  0x034  byte to transmit
 *   ROUTE   0x054  bit 1 TXPEN, bits 10:8 LOCATION
 * CMU at 0x400C8000, HFPERCLKEN0 at 0x044, bit 3 = UART0 (reference manual,
 * CMU register description - verify the bit position).
 *
 * Minimal on purpose: no clock-tree set-up; the divisor assumes the 14 MHz
 * HFRCO the chip starts from.  Frame format is left at its reset value
 * (8 data bits, no parity, 1 stop bit).  A real kit also needs the GPIO clock
 * (CMU HFPERCLKEN0 GPIO bit) and PE0 set to push-pull output (GPIO port E
 * MODEL), which are not done here.
 */
#include <stdint.h>

#include "board.h"

#define CMU_HFPERCLKEN0  (*(volatile uint32_t *)(0x400C8000u + 0x044u))
#define CMU_UART0        (1u << 3)

#define UART0_BASE       0x4000E000u
#define UART_REG(off)    (*(volatile uint32_t *)(UART0_BASE + (off)))
#define UART_CMD         UART_REG(0x00Cu)
#define UART_STATUS      UART_REG(0x010u)
#define UART_CLKDIV      UART_REG(0x014u)
#define UART_TXDATA      UART_REG(0x034u)
#define UART_ROUTE       UART_REG(0x054u)

#define CMD_TXEN         (1u << 2)
#define STATUS_TXBL      (1u << 6)
#define ROUTE_TXPEN      (1u << 1)
#define ROUTE_LOCATION_1 (1u << 8)

void board_init(void)
{
    CMU_HFPERCLKEN0 |= CMU_UART0;
    /* 256 * (14e6 / (16 * 115200) - 1) = 1688.3; bits 5:0 do not exist -> 1664 */
    UART_CLKDIV = 1664u;
    UART_ROUTE = ROUTE_TXPEN | ROUTE_LOCATION_1;
    UART_CMD = CMD_TXEN;
}

void board_putc(char c)
{
    while ((UART_STATUS & STATUS_TXBL) == 0u) {
    }
    UART_TXDATA = (uint8_t)c;
}
