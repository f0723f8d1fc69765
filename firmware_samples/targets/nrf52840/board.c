/*
 * board.c - console on the nRF52840 legacy UART0 (no EasyDMA), base 0x40002000.
 *
 * Source: nRF52840 Product Specification v1.7, chapter "UART - Universal
 * asynchronous receiver/transmitter", register table (also
 * targets/nrf52840.toml):
 *   TASKS_STARTTX 0x008  write 1: start the transmitter
 *   EVENTS_TXDRDY 0x11C  1 once the byte written to TXD has been sent
 *   ENABLE        0x500  4 = UART enabled
 *   PSEL.TXD      0x50C  pin number of TXD (bit 31 = disconnected)
 *   TXD           0x51C  byte to transmit
 *   BAUDRATE      0x524  0x01D7E000 = 115200 baud
 * The nRF52840 DK's interface MCU (virtual COM port) listens on P0.06 for the
 * chip's TX (nRF52840 DK user guide, "Virtual COM port").
 *
 * Minimal on purpose: no clock set-up (the UART runs from the HFCLK the chip
 * starts with) and no GPIO configuration beyond PSEL.
 */
#include <stdint.h>

#include "board.h"

#define UART0_BASE      0x40002000u
#define UART_REG(off)   (*(volatile uint32_t *)(UART0_BASE + (off)))
#define TASKS_STARTTX   UART_REG(0x008u)
#define EVENTS_TXDRDY   UART_REG(0x11Cu)
#define UART_ENABLE     UART_REG(0x500u)
#define PSEL_TXD        UART_REG(0x50Cu)
#define UART_TXD        UART_REG(0x51Cu)
#define UART_BAUDRATE   UART_REG(0x524u)

#define ENABLE_UART     4u
#define BAUD_115200     0x01D7E000u
#define TX_PIN          6u /* P0.06 */

void board_init(void)
{
    PSEL_TXD = TX_PIN;
    UART_BAUDRATE = BAUD_115200;
    UART_ENABLE = ENABLE_UART;
    TASKS_STARTTX = 1u;
}

void board_putc(char c)
{
    EVENTS_TXDRDY = 0u;
    UART_TXD = (uint8_t)c;
    while (EVENTS_TXDRDY == 0u) {
    }
}
