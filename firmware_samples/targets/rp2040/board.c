/*
 * board.c - console on the RP2040 UART0 (Arm PL011), base 0x40034000.
 *
 * Sources: RP2040 Datasheet section 4.2 (UART: PL011 registers)
 *   UARTDR   0x000  byte to transmit
 *   UARTFR   0x018  bit 5 TXFF = transmit FIFO full
 *   UARTIBRD 0x024, UARTFBRD 0x028  integer / fractional baud divisor
 *   UARTLCR_H 0x02C bits 6:5 WLEN (3 = 8 bits), bit 4 FEN
 *   UARTCR   0x030  bit 0 UARTEN, bit 8 TXE
 * section 2.14 (RESETS at 0x4000C000: RESET 0x0, RESET_DONE 0x8, bit 22 =
 * UART0) and section 2.15.7 (CLOCKS at 0x40008000: CLK_PERI_CTRL 0x48, bit 11
 * ENABLE, AUXSRC bits 7:5 = 0 -> clk_sys).  Also targets/rp2040.toml.
 *
 * Minimal on purpose: UART0 is taken out of reset and clk_peri's gate is
 * opened on clk_sys, but the clock tree is not set up; the divisors assume
 * clk_peri = 125 MHz (the Pico SDK's usual clk_sys), so on a bare chip running
 * from the ring oscillator the baud rate is wrong.  GPIO0 is not switched to
 * its UART function (IO_BANK0 GPIO0_CTRL.FUNCSEL = 2), which real hardware
 * also needs.
 */
#include <stdint.h>

#include "board.h"

#define RESETS_RESET       (*(volatile uint32_t *)(0x4000C000u + 0x0u))
#define RESETS_RESET_DONE  (*(volatile uint32_t *)(0x4000C000u + 0x8u))
#define RESETS_UART0       (1u << 22)

#define CLK_PERI_CTRL      (*(volatile uint32_t *)(0x40008000u + 0x48u))
#define CLK_PERI_ENABLE    (1u << 11)

#define UART0_BASE   0x40034000u
#define UART_REG(off) (*(volatile uint32_t *)(UART0_BASE + (off)))
#define UART_DR      UART_REG(0x000u)
#define UART_FR      UART_REG(0x018u)
#define UART_IBRD    UART_REG(0x024u)
#define UART_FBRD    UART_REG(0x028u)
#define UART_LCRH    UART_REG(0x02Cu)
#define UART_CR      UART_REG(0x030u)

#define FR_TXFF      (1u << 5)
#define LCRH_WLEN_8  (3u << 5)
#define LCRH_FEN     (1u << 4)
#define CR_UARTEN    (1u << 0)
#define CR_TXE       (1u << 8)

void board_init(void)
{
    CLK_PERI_CTRL = CLK_PERI_ENABLE; /* AUXSRC = 0: clk_sys */
    RESETS_RESET &= ~RESETS_UART0;
    while ((RESETS_RESET_DONE & RESETS_UART0) == 0u) {
    }
    /* 115200 baud from 125 MHz: 125e6 / (16 * 115200) = 67.817 -> 67 + 52/64. */
    UART_IBRD = 67u;
    UART_FBRD = 52u;
    UART_LCRH = LCRH_WLEN_8 | LCRH_FEN; /* the LCR_H write latches the divisors */
    UART_CR = CR_UARTEN | CR_TXE;
}

void board_putc(char c)
{
    while ((UART_FR & FR_TXFF) != 0u) {
    }
    UART_DR = (uint8_t)c;
}
