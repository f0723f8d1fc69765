/*
 * board.h - what each targets/<name>/board.c provides.
 */
#ifndef MCUSIM_BOARD_H
#define MCUSIM_BOARD_H

/* Bring up the console UART's transmitter (called by Reset_Handler before main). */
void board_init(void);

/* Send one byte on the console UART, waiting until the transmitter accepts it. */
void board_putc(char c);

#endif
