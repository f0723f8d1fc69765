/*
 * console.h - tiny printf-free print helpers.
 *
 * con_* functions write to the board's console UART (board_putc);
 * sh_* functions write to the semihosting debug console (SYS_WRITE0).
 * Numbers are formatted into a small stack buffer; nothing allocates.
 */
#ifndef MCUSIM_CONSOLE_H
#define MCUSIM_CONSOLE_H

#include <stdint.h>

/* Format helpers: write into buf (at least 12 bytes) and return buf. */
char *fmt_u32(char *buf, uint32_t v);   /* unsigned decimal        */
char *fmt_i32(char *buf, int32_t v);    /* signed decimal          */
char *fmt_hex32(char *buf, uint32_t v); /* "0x" + 8 hex digits     */

/* UART console. */
void con_putc(char c);
void con_puts(const char *s);
void con_put_u32(uint32_t v);
void con_put_i32(int32_t v);
void con_put_hex32(uint32_t v);

/* Semihosting console. */
void sh_puts(const char *s);
void sh_put_u32(uint32_t v);
void sh_put_i32(int32_t v);
void sh_put_hex32(uint32_t v);
/* " key=<decimal v>": one field of a result line. */
void sh_put_kv(const char *key, uint32_t v);
/* Every byte as two lower-case hex digits, no separator (one SYS_WRITE0 per 64 bytes). */
void sh_put_hex_bytes(const uint8_t *p, uint32_t n);

#endif
