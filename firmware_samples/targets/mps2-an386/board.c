/*
 * board.c - console on the MPS2 (AN385/AN386) CMSDK APB UART0.
 *
 * UART0 base 0x40004000: Arm AN385/AN386 application notes (DAI 0385/0386),
 * APB peripheral memory map (verify section number).  Register layout: Arm
 * Cortex-M System Design Kit TRM (DDI 0479), section "APB UART", register
 * summary table:
 *   DATA    0x000  write: byte to transmit
 *   STATE   0x004  bit 0 = TX buffer full
 *   CTRL    0x008  bit 0 = TX enable
 *   BAUDDIV 0x010  baud divider, must be >= 16
 * The UART runs from the 25 MHz system clock on these images; 25 MHz / 217
 * gives about 115200 baud.  No clock set-up is needed (or done) here.
 */
#include <stdint.h>

#include "board.h"

#define UART0_BASE     0x40004000u
#define UART_DATA      (*(volatile uint32_t *)(UART0_BASE + 0x000u))
#define UART_STATE     (*(volatile uint32_t *)(UART0_BASE + 0x004u))
#define UART_CTRL      (*(volatile uint32_t *)(UART0_BASE + 0x008u))
#define UART_BAUDDIV   (*(volatile uint32_t *)(UART0_BASE + 0x010u))

#define UART_STATE_TXFULL  (1u << 0)
#define UART_CTRL_TXEN     (1u << 0)

void board_init(void)
{
    UART_BAUDDIV = 25000000u / 115200u;
    UART_CTRL = UART_CTRL_TXEN;
}

void board_putc(char c)
{
    while ((UART_STATE & UART_STATE_TXFULL) != 0u) {
    }
    UART_DATA = (uint8_t)c;
}
