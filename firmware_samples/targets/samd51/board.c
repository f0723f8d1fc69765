/*
 * board.c - console on the SAMD51 SERCOM3 in USART mode, base 0x41014000
 * (Metro M4: TX = PA22 = SERCOM3 PAD[0], the "D1/TX" pin).
 *
 * Sources: SAM D5x/E5x Family Data Sheet DS60001507, SERCOM USART register
 * summary (also targets/samd51.toml):
 *   CTRLA    0x00  bit 1 ENABLE, bits 4:2 MODE (1 = USART, internal clock),
 *                  bits 17:16 TXPO (0 = TX on PAD[0]), bit 30 DORD (1 = LSB first)
 *   CTRLB    0x04  bit 16 TXEN; bits 2:0 CHSIZE (0 = 8 bits)
 *   BAUD     0x0C  arithmetic mode: 65536 * (1 - 16 * baud / f_ref)
 *   INTFLAG  0x18  bit 0 DRE (data register empty)
 *   SYNCBUSY 0x1C  bit 1 ENABLE, bit 2 CTRLB (write synchronisation pending)
 *   DATA     0x28  byte to transmit
 *
 * Minimal on purpose: no clock-tree set-up; the divisor assumes a 48 MHz
 * SERCOM core clock.  A real chip also needs SERCOM3's bus clock unmasked
 * (MCLK APBBMASK), a generic clock routed to it (GCLK PCHCTRL) and PA22
 * multiplexed to function C (PORT PMUX/PINCFG), none of which is done here.
 */
#include <stdint.h>

#include "board.h"

#define SERCOM3_BASE     0x41014000u
#define SERCOM_REG32(off) (*(volatile uint32_t *)(SERCOM3_BASE + (off)))
#define SERCOM_REG16(off) (*(volatile uint16_t *)(SERCOM3_BASE + (off)))
#define SERCOM_REG8(off)  (*(volatile uint8_t *)(SERCOM3_BASE + (off)))
#define USART_CTRLA      SERCOM_REG32(0x00u)
#define USART_CTRLB      SERCOM_REG32(0x04u)
#define USART_BAUD       SERCOM_REG16(0x0Cu)
#define USART_INTFLAG    SERCOM_REG8(0x18u)
#define USART_SYNCBUSY   SERCOM_REG32(0x1Cu)
#define USART_DATA       SERCOM_REG32(0x28u)

#define CTRLA_ENABLE       (1u << 1)
#define CTRLA_MODE_USART   (1u << 2)
#define CTRLA_DORD         (1u << 30)
#define CTRLB_TXEN         (1u << 16)
#define SYNCBUSY_ENABLE    (1u << 1)
#define SYNCBUSY_CTRLB     (1u << 2)
#define INTFLAG_DRE        (1u << 0)

void board_init(void)
{
    USART_CTRLA = CTRLA_DORD | CTRLA_MODE_USART; /* TXPO = 0, 16x oversampling */
    USART_CTRLB = CTRLB_TXEN;
    while ((USART_SYNCBUSY & SYNCBUSY_CTRLB) != 0u) {
    }
    /* 65536 * (1 - 16 * 115200 / 48e6) = 63019 */
    USART_BAUD = 63019u;
    USART_CTRLA = CTRLA_DORD | CTRLA_MODE_USART | CTRLA_ENABLE;
    while ((USART_SYNCBUSY & SYNCBUSY_ENABLE) != 0u) {
    }
}

void board_putc(char c)
{
    while ((USART_INTFLAG & INTFLAG_DRE) == 0u) {
    }
    USART_DATA = (uint8_t)c;
}
