/* The Thumb decoder's instruction record (see thumb_internal.h): the mnemonic with its
   "s" suffix and IT condition, operands in text order, and finish(), which applies parse()'s
   rules (writes, reads, list words) to them. */
#include "thumb_internal.h"

const char COND[16][3] = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
                                 "hi", "ls", "ge", "lt", "gt", "le", "", ""};

void mn(B *b, const char *base, int s)
{
    char *m = b->o->mnemonic;
    size_t n = strlen(base);
    memcpy(m, base, n);
    if (s)
        m[n++] = 's';
    if (b->in_it) {
        m[n++] = COND[b->cond][0];
        m[n++] = COND[b->cond][1];
    }
    m[n] = 0;
}

/* a register operand in text order */
void R(B *b, int r)
{
    if (!b->stophead) {
        if (b->nhead == 0)
            b->o->dest = (int8_t)r;
        else if (b->nhead == 1)
            b->head2 = (int8_t)r;
        b->nhead++;
    }
    if (r == b->o->dest)
        b->dcount++;
    b->all |= 1ull << r;
}

void MEM(B *b, int base, int index, int32_t disp, int lsl)
{
    b->stophead = 1;
    b->has_mem = 1;
    R(b, base);
    b->o->mem_base = (int8_t)base;
    if (index >= 0) {
        R(b, index);
        b->o->mem_index = (int8_t)index;
    }
    b->o->mem_disp = disp;
    if (lsl)
        b->o->lsl_shift = (uint8_t)lsl;
}

void POST(B *b, int32_t disp)
{
    b->post = 1;
    b->o->mem_disp = disp;
}

void LIST(B *b, uint64_t mask)
{
    b->stophead = 1;
    b->list = mask;
    b->all |= mask;
}

void finish(B *b)
{
    td_insn *o = b->o;
    uint64_t w = 0;
    int f = b->flags;
    if (b->has_mem && (b->post || b->bang_mem))
        w |= 1ull << o->mem_base;
    if (f & F_LIST) {
        unsigned words = 0;
        for (int r = 0; r < 64; r++)
            if (b->list >> r & 1)
                words += r >= TD_D0 ? 2 : 1;
        o->reg_list_words = (uint8_t)words;
        o->pc_in_list = (uint8_t)(b->list >> TD_PC & 1);
        if (f & F_PUSHPOP)
            w |= 1ull << TD_SP;
        if ((f & F_WBDEST) && b->bang_ops && o->dest >= 0)
            w |= 1ull << o->dest;
        if (!(f & F_LSTORE))
            w |= b->list;
    } else if (f & F_NOWR) {
        if (f & F_LR)
            w |= 1ull << TD_LR;
    } else if ((f & F_TWO) && b->nhead >= 2) {
        w |= 1ull << o->dest | 1ull << b->head2;
    } else if (o->dest >= 0) {
        w |= 1ull << o->dest;
    }
    uint64_t r = b->all;
    if (o->dest >= 0 && (w >> o->dest & 1) && b->dcount == 1 && !(f & F_LIST))
        r &= ~(1ull << o->dest);
    o->regs_read = r;
    o->regs_write = w;
    o->has_double_reg = (b->all >> TD_D0) != 0;
    o->has_core_reg = (b->all & 0xFFFF) != 0;
    o->post_indexed = (uint8_t)b->post;
}


int32_t sx(uint32_t v, int bits) { return (int32_t)(v << (32 - bits)) >> (32 - bits); }
