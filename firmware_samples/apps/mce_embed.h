/*
 * mce_embed.h - MCE_EMBED(sym, "file"): put a file's bytes into .rodata (section
 * .rodata.<sym>), 16-byte aligned, as the global object `sym`, followed by the global label
 * `sym_end`. For the model apps' .S files (preprocessed, so this header can be #included);
 * .incbin paths are relative to firmware_samples/, where the Makefile runs the assembler.
 */
#ifndef MCE_EMBED_H
#define MCE_EMBED_H

#define MCE_EMBED(sym, file)            \
    .section .rodata.sym, "a", %progbits; \
    .balign 16;                         \
    .global sym;                        \
    .type sym, %object;                 \
sym:                                    \
    .incbin file;                       \
    .global sym##_end;                  \
sym##_end:                              \
    .size sym, sym##_end - sym

#endif
