/*
 * console.c - printf-free print helpers (see console.h).
 */
#include "console.h"
#include "board.h"
#include "semihost.h"

char *fmt_u32(char *buf, uint32_t v)
{
    char tmp[10];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    unsigned i = 0;
    while (n != 0u) {
        buf[i++] = tmp[--n];
    }
    buf[i] = '\0';
    return buf;
}

char *fmt_i32(char *buf, int32_t v)
{
    if (v < 0) {
        buf[0] = '-';
        /* Negate in unsigned arithmetic so INT32_MIN works too. */
        fmt_u32(buf + 1, 0u - (uint32_t)v);
    } else {
        fmt_u32(buf, (uint32_t)v);
    }
    return buf;
}

char *fmt_hex32(char *buf, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    buf[0] = '0';
    buf[1] = 'x';
    for (unsigned i = 0; i < 8u; i++) {
        buf[2u + i] = digits[(v >> (28u - 4u * i)) & 0xFu];
    }
    buf[10] = '\0';
    return buf;
}

void con_putc(char c)
{
    /*
     * Bytes go out unchanged ("\n" is not expanded to CR LF) so that the
     * UART stream and the semihosting stream carry identical text.
     */
    board_putc(c);
}

void con_puts(const char *s)
{
    while (*s != '\0') {
        con_putc(*s++);
    }
}

void con_put_u32(uint32_t v)
{
    char b[12];
    con_puts(fmt_u32(b, v));
}

void con_put_i32(int32_t v)
{
    char b[12];
    con_puts(fmt_i32(b, v));
}

void con_put_hex32(uint32_t v)
{
    char b[12];
    con_puts(fmt_hex32(b, v));
}

void sh_puts(const char *s)
{
    sh_write0(s);
}

void sh_put_u32(uint32_t v)
{
    char b[12];
    sh_write0(fmt_u32(b, v));
}

void sh_put_i32(int32_t v)
{
    char b[12];
    sh_write0(fmt_i32(b, v));
}

void sh_put_hex32(uint32_t v)
{
    char b[12];
    sh_write0(fmt_hex32(b, v));
}

void sh_put_kv(const char *key, uint32_t v)
{
    sh_write0(" ");
    sh_write0(key);
    sh_write0("=");
    sh_put_u32(v);
}

void sh_put_hex_bytes(const uint8_t *p, uint32_t n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[129];
    uint32_t i = 0;
    while (i < n) {
        uint32_t k = 0;
        while (i < n && k < sizeof buf - 1u) {
            buf[k++] = digits[p[i] >> 4];
            buf[k++] = digits[p[i] & 0xFu];
            i++;
        }
        buf[k] = '\0';
        sh_write0(buf);
    }
}
