/*
 * board.c - console on the Apollo3 UART0 (PL011-style), base 0x4001C000.
 *
 * Source: Apollo3 Blue MCU Datasheet DS-A3-0p9p1, UART chapter, register map
 * (also targets/apollo3.toml):
 *   DR   0x000  write: byte to transmit
 *   FR   0x018  bit 5 TXFF = transmit FIFO full
 *   IBRD 0x024, FBRD 0x028  integer / fractional baud divisor
 *   LCRH 0x02C  bits 6:5 WLEN (3 = 8 data bits), bit 4 FEN (FIFOs on)
 *   CR   0x030  bit 0 UARTEN, bit 3 CLKEN, bits 6:4 CLKSEL (1 = 24 MHz),
 *               bit 8 TXE  (verify CLKEN/CLKSEL positions against the
 *               datasheet's UART CR description)
 *
 * Minimal on purpose: no clock-tree set-up, and only UART0's own registers
 * are touched.  A real Apollo3 additionally needs the UART0 power domain
 * switched on (PWRCTRL DEVPWREN, then waiting on DEVPWRSTATUS) and the TX pin
 * routed through the GPIO pad configuration before anything appears on a wire.
 */
#include <stdint.h>

#include "board.h"

#define UART0_BASE  0x4001C000u
#define UART_REG(off) (*(volatile uint32_t *)(UART0_BASE + (off)))
#define UART_DR     UART_REG(0x000u)
#define UART_FR     UART_REG(0x018u)
#define UART_IBRD   UART_REG(0x024u)
#define UART_FBRD   UART_REG(0x028u)
#define UART_LCRH   UART_REG(0x02Cu)
#define UART_CR     UART_REG(0x030u)

#define FR_TXFF       (1u << 5)
#define LCRH_WLEN_8   (3u << 5)
#define LCRH_FEN      (1u << 4)
#define CR_UARTEN     (1u << 0)
#define CR_CLKEN      (1u << 3)
#define CR_CLKSEL_24M (1u << 4)
#define CR_TXE        (1u << 8)

void board_init(void)
{
    /* 115200 baud from the 24 MHz UART clock: 24e6 / (16 * 115200) = 13.02 -> 13 + 1/64. */
    UART_CR = 0u;
    UART_IBRD = 13u;
    UART_FBRD = 1u;
    UART_LCRH = LCRH_WLEN_8 | LCRH_FEN; /* the LCRH write latches the divisors */
    UART_CR = CR_CLKEN | CR_CLKSEL_24M | CR_TXE | CR_UARTEN;
}

void board_putc(char c)
{
    while ((UART_FR & FR_TXFF) != 0u) {
    }
    UART_DR = (uint8_t)c;
}
