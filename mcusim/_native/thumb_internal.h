/* What the Thumb decoder's files share (private to mcusim/_native): the record one instruction
   is built in (B: its mnemonic, operands in text order, memory operand, list and writeback,
   as parse() sees them), the helpers that fill it, and each encoding group's entry point.
   thumb_insn.c holds the helpers, thumb16.c the 16-bit encodings (A5.2), thumb32.c the 32-bit
   ones (A5.3), thumb_fp.c the floating-point ones (A6) and thumb.c the driver (td_decode). */
#ifndef MCUSIM_THUMB_INTERNAL_H
#define MCUSIM_THUMB_INTERNAL_H

#include "thumb.h"

#include <string.h>

/* shared between the decoder's files only, never exported from the library */
#define TD_HIDDEN __attribute__((visibility("hidden")))

/* base-name classes of parse() (LIST_OPS, STORES/COMPARES, TWO_DESTS, branch targets) */
enum {
    F_LIST = 1,      /* LIST_OPS */
    F_PUSHPOP = 2,   /* push, pop, vpush, vpop: write sp */
    F_WBDEST = 4,    /* ldm/stm/vldm/vstm forms: "!" writes the base (dest) */
    F_LSTORE = 8,    /* store lists: the listed registers are not written */
    F_NOWR = 16,     /* STORES prefixes or COMPARES: no destination write */
    F_LR = 32,       /* bl, blx, svc: write lr */
    F_TWO = 64,      /* TWO_DESTS */
    F_TGT = 128,     /* b, bl, cbz, cbnz: immediate target */
    F_NOTINIT = 256, /* refused inside an IT block */
};

typedef struct {
    td_insn *o;
    uint64_t all;
    int nhead, stophead, dcount;
    int8_t head2;
    int has_mem, post, bang_mem, bang_ops, nlist;
    uint64_t list;
    int flags;
    int in_it;   /* the instruction is inside an IT block */
    int cond;    /* its condition when in_it */
} B;

TD_HIDDEN extern const char COND[16][3];
TD_HIDDEN void mn(B *b, const char *base, int s);
TD_HIDDEN void R(B *b, int r);
TD_HIDDEN void MEM(B *b, int base, int index, int32_t disp, int lsl);
TD_HIDDEN void POST(B *b, int32_t disp);
TD_HIDDEN void LIST(B *b, uint64_t mask);
TD_HIDDEN void finish(B *b);
TD_HIDDEN int32_t sx(uint32_t v, int bits);
TD_HIDDEN int decode16(B *b, unsigned h, uint32_t pc);
TD_HIDDEN int decode32(B *b, unsigned h1, unsigned h2, uint32_t pc);
TD_HIDDEN int fp32(B *b, unsigned h1, unsigned h2);

#endif
