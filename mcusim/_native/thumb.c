/* Thumb / Thumb-2 decoder producing the facts of mcusim.timing.decode.parse() (see thumb.h).

   Each encoding is turned into what capstone prints for it, in abstract form: the mnemonic
   (base name, "s" suffix, IT condition) and the register operands in text order, with the
   memory operand, register list, writeback and shift as parse() sees them. finish() then
   applies parse()'s rules to that, with the base-name classes of the cortex-m4 table.

   Encoding references are to the Arm ARMv7-M Architecture Reference Manual, DDI 0403E.b
   (chapter A5 "The Thumb Instruction Set Encoding", chapter A6 "The Floating-point
   Instruction Set Encoding") and the instruction pages of chapter A7. The A6 subsection
   numbers (A6.4 data processing, A6.5 extension register load/store, A6.6 and A6.7 core <->
   extension register transfers) are as we read the manual: verify.

   Which UNPREDICTABLE encodings are accepted follows capstone (it decodes most of them, e.g.
   SP or PC as a data-processing operand), established by the random-stream parity test in
   tests/test_thumb_decode.py. Anything this decoder is not sure capstone prints the same way
   is refused (td_decode returns -1): coprocessor instructions other than FP, d16-d31,
   ARMv8-M encodings, UDF, IT with condition AL, CBZ/B<c>/BKPT/CPS inside an IT block,
   VMOV to/from a scalar ("d0[1]"), register lists that run past s31/d15. */
#include "thumb.h"

#include <string.h>

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

static const char COND[16][3] = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
                                 "hi", "ls", "ge", "lt", "gt", "le", "", ""};

static void mn(B *b, const char *base, int s)
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
static void R(B *b, int r)
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

static void MEM(B *b, int base, int index, int32_t disp, int lsl)
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

static void POST(B *b, int32_t disp)
{
    b->post = 1;
    b->o->mem_disp = disp;
}

static void LIST(B *b, uint64_t mask)
{
    b->stophead = 1;
    b->list = mask;
    b->all |= mask;
}

static void finish(B *b)
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

/* ---------------------------------------------------------------------------------------- */
/* A5.2 16-bit Thumb instruction encoding                                                   */

static int shift_alu16(B *b, unsigned h)
{
    /* A5.2.1 Shift (immediate), add, subtract, move, and compare */
    unsigned op = h >> 9 & 0x1F;
    unsigned rd = h & 7, rm = h >> 3 & 7, imm5 = h >> 6 & 0x1F;
    int s = !b->in_it;
    if (op < 12) {
        unsigned k = op >> 2;
        if (k == 0 && imm5 == 0) { /* MOV (register) T2: "movs rd, rm"; not allowed in IT */
            if (b->in_it)
                return -1;
            mn(b, "mov", 1);
            R(b, rd);
            R(b, rm);
            return 0;
        }
        if (k < 3) {
            static const char *N[3] = {"lsl", "lsr", "asr"};
            mn(b, N[k], s);
            R(b, rd);
            R(b, rm);
            return 0;
        }
    }
    if (op >= 12 && op < 16) { /* add/sub register or 3-bit immediate */
        unsigned rn = h >> 3 & 7, x = h >> 6 & 7;
        mn(b, (op & 1) ? "sub" : "add", s);
        R(b, rd);
        R(b, rn);
        if (!(op & 2))
            R(b, x);
        return 0;
    }
    unsigned r8 = h >> 8 & 7;
    switch (op >> 2) {
    case 4:
        mn(b, "mov", s);
        break;
    case 5:
        mn(b, "cmp", 0);
        b->flags = F_NOWR;
        break;
    case 6:
        mn(b, "add", s);
        break;
    default:
        mn(b, "sub", s);
        break;
    }
    R(b, r8);
    return 0;
}

static int dp16(B *b, unsigned h)
{
    /* A5.2.2 Data processing */
    static const char *N[16] = {"and", "eor", "lsl", "lsr", "asr", "adc", "sbc", "ror",
                                "tst", "rsb", "cmp", "cmn", "orr", "mul", "bic", "mvn"};
    unsigned op = h >> 6 & 15, rdn = h & 7, rm = h >> 3 & 7;
    int s = !b->in_it;
    if (op == 8 || op == 10 || op == 11) {
        mn(b, N[op], 0);
        b->flags = F_NOWR;
        R(b, rdn);
        R(b, rm);
        return 0;
    }
    mn(b, N[op], s);
    R(b, rdn);
    R(b, rm);
    if (op == 13) /* "muls rd, rn, rd" */
        R(b, rdn);
    return 0;
}

static int special16(B *b, unsigned h)
{
    /* A5.2.3 Special data instructions and branch and exchange */
    unsigned op = h >> 6 & 15;
    unsigned rdn = (h >> 4 & 8) | (h & 7), rm = h >> 3 & 15;
    switch (op >> 2) {
    case 0: /* ADD (register) T2 */
        if (rdn == 15 && rm == 15)
            return -1;
        if (rdn == 15 && b->in_it)
            return -1;
        mn(b, "add", 0);
        R(b, rdn);
        R(b, rm);
        if (rm == TD_SP) /* ADD (SP plus register) T1 prints "add rd, sp, rd" */
            R(b, rdn);
        return 0;
    case 1: /* CMP (register) T2 */
        if (op == 4)
            return -1;
        mn(b, "cmp", 0);
        b->flags = F_NOWR;
        R(b, rdn);
        R(b, rm);
        return 0;
    case 2: /* MOV (register) T1 */
        if (rdn == 15 && b->in_it)
            return -1;
        mn(b, "mov", 0);
        R(b, rdn);
        R(b, rm);
        return 0;
    default: /* BX / BLX (register); bit 2 set is BXNS/BLXNS (ARMv8-M) */
        if ((h & 4) || ((op & 2) && (h & 7)))
            return -1;
        if (op & 2) {
            if (rm == 15)
                return -1;
            mn(b, "blx", 0);
            b->flags = F_NOWR | F_LR;
        } else {
            mn(b, "bx", 0);
            b->flags = F_NOWR;
        }
        R(b, rm);
        return 0;
    }
}

static int ldst16(B *b, unsigned h)
{
    /* A5.2.4 Load/store single data item */
    unsigned opA = h >> 12, opB = h >> 9 & 7;
    unsigned rt = h & 7, rn = h >> 3 & 7;
    static const char *REG[8] = {"str", "strh", "strb", "ldrsb", "ldr", "ldrh", "ldrb", "ldrsh"};
    if (opA == 5) {
        mn(b, REG[opB], 0);
        if (opB < 3)
            b->flags = F_NOWR;
        R(b, rt);
        MEM(b, rn, h >> 6 & 7, 0, 0);
        return 0;
    }
    unsigned imm5 = h >> 6 & 31;
    int load = opB >= 4;
    if (opA == 6) {
        mn(b, load ? "ldr" : "str", 0);
        R(b, rt);
        MEM(b, rn, -1, (int32_t)(imm5 * 4), 0);
    } else if (opA == 7) {
        mn(b, load ? "ldrb" : "strb", 0);
        R(b, rt);
        MEM(b, rn, -1, (int32_t)imm5, 0);
    } else if (opA == 8) {
        mn(b, load ? "ldrh" : "strh", 0);
        R(b, rt);
        MEM(b, rn, -1, (int32_t)(imm5 * 2), 0);
    } else { /* 9: SP-relative */
        mn(b, load ? "ldr" : "str", 0);
        R(b, h >> 8 & 7);
        MEM(b, TD_SP, -1, (int32_t)((h & 0xFF) * 4), 0);
    }
    if (!load)
        b->flags = F_NOWR;
    return 0;
}

static int misc16(B *b, unsigned h, uint32_t pc)
{
    /* A5.2.5 Miscellaneous 16-bit instructions */
    unsigned op = h >> 5 & 0x7F;
    if ((op & 0x7C) == 0x00 || (op & 0x7C) == 0x04) { /* ADD/SUB (SP plus immediate) */
        mn(b, (op & 4) ? "sub" : "add", 0);
        R(b, TD_SP);
        return 0;
    }
    if ((op & 0x28) == 0x08) { /* CBZ / CBNZ */
        if (b->in_it)
            return -1;
        unsigned imm = (h >> 9 & 1) << 6 | (h >> 3 & 31) << 1;
        mn(b, (h & 0x800) ? "cbnz" : "cbz", 0);
        b->flags = F_NOWR | F_TGT;
        R(b, h & 7);
        b->o->has_target = 1;
        b->o->target = pc + 4 + imm;
        return 0;
    }
    if ((op & 0x78) == 0x10) { /* SXTH SXTB UXTH UXTB */
        static const char *N[4] = {"sxth", "sxtb", "uxth", "uxtb"};
        mn(b, N[h >> 6 & 3], 0);
        R(b, h & 7);
        R(b, h >> 3 & 7);
        return 0;
    }
    if ((op & 0x30) == 0x20) { /* PUSH (op bit 6 clear: LR in the list) / POP (set: PC) */
        int pop = op >> 6 & 1;
        unsigned m = h & 0xFF;
        if (h & 0x100)
            m |= 1u << (pop ? TD_PC : TD_LR);
        if (!m)
            return -1;
        mn(b, pop ? "pop" : "push", 0);
        b->flags = F_LIST | F_PUSHPOP | (pop ? 0 : F_LSTORE | F_NOWR);
        LIST(b, (uint64_t)m);
        return 0;
    }
    if (op == 0x33) { /* CPS */
        if (b->in_it || (h & 0x8) || !(h & 3) || (h & 4))
            return -1;
        mn(b, (h & 0x10) ? "cpsid" : "cpsie", 0);
        b->flags = F_NOWR;
        return 0;
    }
    if ((op & 0x78) == 0x50) { /* REV REV16 REVSH */
        static const char *N[4] = {"rev", "rev16", NULL, "revsh"};
        unsigned k = h >> 6 & 3;
        if (!N[k])
            return -1;
        mn(b, N[k], 0);
        R(b, h & 7);
        R(b, h >> 3 & 7);
        return 0;
    }
    if ((op & 0x78) == 0x70) { /* BKPT */
        if (b->in_it)
            return -1;
        mn(b, "bkpt", 0);
        b->flags = F_NOWR;
        return 0;
    }
    if ((op & 0x78) == 0x78) { /* IT and hints: handled by the caller */
        return -1;
    }
    return -1;
}

static int ldstm16(B *b, unsigned h)
{
    /* A5.2 (16-bit LDM/STM): STM T1 / LDM T1 */
    unsigned rn = h >> 8 & 7, m = h & 0xFF;
    if (!m)
        return -1;
    if (h & 0x800) {
        mn(b, "ldm", 0);
        b->flags = F_LIST | F_WBDEST;
        R(b, rn);
        if (!(m >> rn & 1))
            b->bang_ops = 1;
    } else {
        mn(b, "stm", 0);
        b->flags = F_LIST | F_WBDEST | F_LSTORE | F_NOWR;
        R(b, rn);
        b->bang_ops = 1;
    }
    LIST(b, (uint64_t)m);
    return 0;
}

static int32_t sx(uint32_t v, int bits) { return (int32_t)(v << (32 - bits)) >> (32 - bits); }

static int decode16(B *b, unsigned h, uint32_t pc)
{
    /* A5.2 16-bit Thumb instruction encoding, Table A5-1 */
    unsigned op = h >> 10;
    if (op < 16)
        return shift_alu16(b, h);
    if (op == 16)
        return dp16(b, h);
    if (op == 17)
        return special16(b, h);
    if ((op & 0x3E) == 0x12) { /* LDR (literal) */
        mn(b, "ldr", 0);
        R(b, h >> 8 & 7);
        MEM(b, TD_PC, -1, (int32_t)((h & 0xFF) * 4), 0);
        return 0;
    }
    if (op >= 0x14 && op < 0x28)
        return ldst16(b, h);
    if ((op & 0x3E) == 0x28) { /* ADR */
        mn(b, "adr", 0);
        R(b, h >> 8 & 7);
        return 0;
    }
    if ((op & 0x3E) == 0x2A) { /* ADD (SP plus immediate) T1 */
        mn(b, "add", 0);
        R(b, h >> 8 & 7);
        R(b, TD_SP);
        return 0;
    }
    if ((op & 0x3C) == 0x2C)
        return misc16(b, h, pc);
    if ((op & 0x3C) == 0x30)
        return ldstm16(b, h);
    if ((op & 0x3C) == 0x34) { /* A5.2.6 Conditional branch, and supervisor call */
        unsigned c = h >> 8 & 15;
        if (c == 15) {
            mn(b, "svc", 0);
            b->flags = F_NOWR | F_LR;
            return 0;
        }
        if (c == 14 || b->in_it)
            return -1; /* UDF; B<c> is not allowed in an IT block */
        char *m = b->o->mnemonic;
        m[0] = 'b';
        m[1] = COND[c][0];
        m[2] = COND[c][1];
        m[3] = 0;
        b->flags = F_NOWR | F_TGT;
        b->o->has_target = 1;
        b->o->target = pc + 4 + (uint32_t)(sx(h & 0xFF, 8) * 2);
        return 0;
    }
    if ((op & 0x3E) == 0x38) { /* B T2 */
        mn(b, "b", 0);
        b->flags = F_NOWR | F_TGT;
        b->o->has_target = 1;
        b->o->target = pc + 4 + (uint32_t)(sx(h & 0x7FF, 11) * 2);
        return 0;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* A5.3 32-bit Thumb instruction encoding                                                   */

static const char *SHN[4] = {"lsl", "lsr", "asr", "ror"};

static int ldstm32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.5 Load Multiple and Store Multiple */
    unsigned op = h1 >> 7 & 3, L = h1 >> 4 & 1, W = h1 >> 5 & 1, rn = h1 & 15;
    unsigned m = h2 & 0xFFFF;
    if (op == 0 || op == 3 || rn == 15 || !m)
        return -1;
    if (!L && (m & 0xA000)) /* capstone refuses SP or PC in a store list */
        return -1;
    int pushpop = W && rn == TD_SP && ((op == 1 && L) || (op == 2 && !L));
    if (pushpop) {
        if ((m & (m - 1)) == 0)
            return -1;
        mn(b, L ? "pop" : "push", 0);
        b->flags = F_LIST | F_PUSHPOP | (L ? 0 : F_LSTORE | F_NOWR);
        LIST(b, m);
        return 0;
    }
    mn(b, op == 1 ? (L ? "ldm" : "stm") : (L ? "ldmdb" : "stmdb"), 0);
    b->flags = F_LIST | F_WBDEST | (L ? 0 : F_LSTORE | F_NOWR);
    R(b, rn);
    b->bang_ops = (int)W;
    LIST(b, m);
    return 0;
}

/* An immediate-offset memory operand: "[rn, #imm]" (with "!" when written back) if P, else
   post-indexed "[rn], #imm" (A7.7: the P and W bits of the load/store encodings). */
static void mem_indexed(B *b, unsigned rn, unsigned P, unsigned W, int32_t imm)
{
    if (P) {
        MEM(b, rn, -1, imm, 0);
        b->bang_mem = (int)W;
    } else {
        MEM(b, rn, -1, 0, 0);
        POST(b, imm);
    }
}

static int dual32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.6 Load/store dual or exclusive, table branch */
    unsigned op1 = h1 >> 7 & 3, op2 = h1 >> 4 & 3, op3 = h2 >> 4 & 15;
    unsigned rn = h1 & 15, rt = h2 >> 12, rt2 = h2 >> 8 & 15, rd = h2 & 15;
    if (op1 == 0 && op2 == 0) { /* STREX (Rt = 1111 is ARMv8-M TT) */
        if (rn == 15 || rt == 15)
            return -1;
        mn(b, "strex", 0);
        b->flags = F_NOWR;
        R(b, rt2);
        R(b, rt);
        MEM(b, rn, -1, (int32_t)((h2 & 0xFF) * 4), 0);
        return 0;
    }
    if (op1 == 0 && op2 == 1) { /* LDREX */
        if (rn == 15 || (h2 & 0xF00) != 0xF00)
            return -1;
        mn(b, "ldrex", 0);
        R(b, rt);
        MEM(b, rn, -1, (int32_t)((h2 & 0xFF) * 4), 0);
        return 0;
    }
    if (op1 == 1 && op2 == 0) { /* STREXB / STREXH */
        if (rn == 15 || (h2 & 0xF00) != 0xF00 || (op3 != 4 && op3 != 5))
            return -1;
        mn(b, op3 == 4 ? "strexb" : "strexh", 0);
        b->flags = F_NOWR;
        R(b, rd);
        R(b, rt);
        MEM(b, rn, -1, 0, 0);
        return 0;
    }
    if (op1 == 1 && op2 == 1) { /* TBB / TBH / LDREXB / LDREXH */
        if (op3 == 0 || op3 == 1) {
            if ((h2 & 0xFF00) != 0xF000 || b->in_it)
                return -1;
            mn(b, op3 ? "tbh" : "tbb", 0);
            b->flags = F_NOWR;
            MEM(b, rn, rd, 0, op3 ? 1 : 0);
            return 0;
        }
        if ((op3 != 4 && op3 != 5) || rn == 15 || (h2 & 0xF0F) != 0xF0F)
            return -1;
        mn(b, op3 == 4 ? "ldrexb" : "ldrexh", 0);
        R(b, rt);
        MEM(b, rn, -1, 0, 0);
        return 0;
    }
    /* LDRD / STRD (immediate, literal) */
    unsigned P = h1 >> 8 & 1, U = h1 >> 7 & 1, Wb = h1 >> 5 & 1, L = h1 >> 4 & 1;
    int32_t imm = (int32_t)((h2 & 0xFF) * 4);
    if (!U)
        imm = -imm;
    if (!L && rn == 15)
        return -1;
    if (rn == 15 && Wb)
        return -1;
    mn(b, L ? "ldrd" : "strd", 0);
    b->flags = L ? F_TWO : F_NOWR;
    R(b, rt);
    R(b, rt2);
    mem_indexed(b, rn, P, Wb, imm);
    return 0;
}

static void shift_op(B *b, unsigned type, unsigned imm)
{
    /* the ", <shift> #n" of a shifted register operand (A7.4.2) */
    if (type == 0 && imm && !b->o->lsl_shift)
        b->o->lsl_shift = (uint8_t)imm;
}

/* The data-processing opcodes that the shifted-register (A5.3.11) and modified-immediate
   (A5.3.1) forms share; *cmp set for the flag-only forms (Rd = PC with S). NULL: none. */
static const char *dp_name(unsigned op, unsigned rd, unsigned S, unsigned rn, int *cmp)
{
    static const char *const names[16] = {"and", "bic", "orr", "orn", "eor", NULL, NULL, NULL,
                                          "add", NULL,  "adc", "sbc", NULL,  "sub", "rsb", NULL};
    static const char *const tests[16] = {[0] = "tst", [4] = "teq", [8] = "cmn", [13] = "cmp"};
    if (tests[op] && rd == 15 && S) {
        *cmp = 1;
        return tests[op];
    }
    if (rn == 15 && (op == 2 || op == 3))
        return op == 2 ? "mov" : "mvn";
    return names[op];
}

static int dpshift32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.11 Data processing (shifted register) */
    unsigned op = h1 >> 5 & 15, S = h1 >> 4 & 1, rn = h1 & 15;
    unsigned rd = h2 >> 8 & 15, rm = h2 & 15, type = h2 >> 4 & 3;
    unsigned imm = (h2 >> 12 & 7) << 2 | (h2 >> 6 & 3);
    int cmp = 0;
    const char *name = NULL;
    if (op == 2 && rn == 15) { /* MOV and immediate shifts */
        if (rd == 15 || rd == 13)
            return -1;
        if (type == 0 && imm == 0) {
            mn(b, "mov", (int)S);
        } else if (type == 3 && imm == 0) {
            mn(b, "rrx", (int)S);
        } else {
            mn(b, SHN[type], (int)S);
        }
        R(b, rd);
        R(b, rm);
        return 0;
    }
    if (op == 6) { /* PKHBT / PKHTB */
        if (S || (type & 1) || rn == 15 || rd == 15 || rn == 13 || rd == 13)
            return -1;
        if ((type & 2) && imm == 0)
            return -1;
        mn(b, (type & 2) ? "pkhtb" : "pkhbt", 0);
        R(b, rd);
        R(b, rn);
        R(b, rm);
        shift_op(b, type, imm);
        return 0;
    }
    name = dp_name(op, rd, S, rn, &cmp);
    if (!name)
        return -1;
    if (cmp) {
        if (rn == 15)
            return -1;
        mn(b, name, 0);
        b->flags = F_NOWR;
        R(b, rn);
        R(b, rm);
        shift_op(b, type, imm);
        return 0;
    }
    mn(b, name, (int)S);
    R(b, rd);
    if (rn != 15 || op != 3)
        R(b, rn);
    R(b, rm);
    shift_op(b, type, imm);
    return 0;
}

static int dpmod32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.1 Data processing (modified immediate) */
    unsigned op = h1 >> 5 & 15, S = h1 >> 4 & 1, rn = h1 & 15, rd = h2 >> 8 & 15;
    const char *name = NULL;
    int cmp = 0;
    name = dp_name(op, rd, S, rn, &cmp);
    if (!name)
        return -1;
    if (cmp) {
        if (rn == 15)
            return -1;
        mn(b, name, 0);
        b->flags = F_NOWR;
        R(b, rn);
        return 0;
    }
    int movlike = (op == 2 || op == 3) && rn == 15;
    mn(b, name, (int)S);
    R(b, rd);
    if (!movlike)
        R(b, rn);
    return 0;
}

static int plain32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.3 Data processing (plain binary immediate) */
    unsigned op = h1 >> 4 & 31, rn = h1 & 15, rd = h2 >> 8 & 15;
    unsigned imm5 = (h2 >> 12 & 7) << 2 | (h2 >> 6 & 3);
    if (op >= 16 && op != 20 && op != 28 && (h1 & 0x400))
        return -1;
    switch (op) {
    case 0:  /* ADDW */
    case 10: /* SUBW */
        if (rd == 13 && rn != 13)
            return -1;
        mn(b, op ? "subw" : "addw", 0);
        R(b, rd);
        R(b, rn);
        return 0;
    case 4:
    case 12:
        if (rd == 13)
            return -1;
        mn(b, op == 4 ? "movw" : "movt", 0);
        R(b, rd);
        return 0;
    case 16:
    case 18:
    case 24:
    case 26: { /* SSAT, SSAT16, USAT, USAT16 */
        if (rd == 13 || rn == 13 || rn == 15 || (h2 & 0x20))
            return -1;
        if (op & 2) {
            if (imm5 == 0) {
                if (h2 & 0x10)
                    return -1;
                mn(b, op == 18 ? "ssat16" : "usat16", 0);
                R(b, rd);
                R(b, rn);
                return 0;
            }
            mn(b, op == 18 ? "ssat" : "usat", 0);
            R(b, rd);
            R(b, rn);
            return 0;
        }
        mn(b, op == 16 ? "ssat" : "usat", 0);
        R(b, rd);
        R(b, rn);
        shift_op(b, 0, imm5);
        return 0;
    }
    case 20:
    case 28: /* SBFX, UBFX */
        mn(b, op == 20 ? "sbfx" : "ubfx", 0);
        R(b, rd);
        R(b, rn);
        return 0;
    case 22: /* BFI, BFC */
        if (rd == 13 || rn == 13 || (h2 & 0x20))
            return -1;
        mn(b, rn == 15 ? "bfc" : "bfi", 0);
        R(b, rd);
        if (rn != 15)
            R(b, rn);
        return 0;
    default:
        return -1;
    }
}

static int msr_sysm_ok(unsigned sysm)
{
    return sysm <= 3 || (sysm >= 5 && sysm <= 9) || (sysm >= 16 && sysm <= 20);
}

static int branch32(B *b, unsigned h1, unsigned h2, uint32_t pc)
{
    /* A5.3.4 Branches and miscellaneous control */
    unsigned op = h1 >> 4 & 0x7F, op1 = h2 >> 12 & 7;
    unsigned S = h1 >> 10 & 1, J1 = h2 >> 13 & 1, J2 = h2 >> 11 & 1;
    if ((op1 & 5) == 0) {
        if ((op & 0x38) != 0x38) { /* B T3 */
            if (b->in_it)
                return -1;
            unsigned c = h1 >> 6 & 15;
            uint32_t imm = S << 20 | J2 << 19 | J1 << 18 | (h1 & 0x3F) << 12 | (h2 & 0x7FF) << 1;
            char *m = b->o->mnemonic;
            m[0] = 'b';
            m[1] = COND[c][0];
            m[2] = COND[c][1];
            m[3] = 0;
            b->flags = F_NOWR | F_TGT;
            b->o->has_target = 1;
            b->o->target = pc + 4 + (uint32_t)sx(imm, 21);
            return 0;
        }
        if ((op & 0x7E) == 0x38) { /* MSR */
            unsigned rn = h1 & 15, mask = h2 >> 10 & 3, sysm = h2 & 0xFF;
            if ((h2 & 0x2300) || (h1 & 0x10) || rn == 13 || rn == 15 || !msr_sysm_ok(sysm))
                return -1;
            if (mask == 0 || (sysm > 3 && mask != 2))
                return -1;
            mn(b, "msr", 0);
            b->flags = F_NOWR;
            R(b, rn);
            return 0;
        }
        if (op == 0x3A) { /* hints */
            if ((h1 & 0xF) != 0xF || (h2 & 0x2700) || (h2 & 0xFF) > 4)
                return -1;
            static const char *N[5] = {"nop", "yield", "wfe", "wfi", "sev"};
            mn(b, N[h2 & 0xFF], 0);
            b->flags = F_NOWR;
            return 0;
        }
        if (op == 0x3B) { /* misc control */
            unsigned o = h2 >> 4 & 15;
            if ((h1 & 0xF) != 0xF || (h2 & 0x2F00) != 0x0F00)
                return -1;
            if (o == 2) {
                if ((h2 & 0xF) != 0xF)
                    return -1;
                mn(b, "clrex", 0);
                return 0;
            }
            if (o < 4 || o > 6)
                return -1;
            static const char *N[3] = {"dsb", "dmb", "isb"};
            mn(b, N[o - 4], 0);
            b->flags = F_NOWR;
            return 0;
        }
        if ((op & 0x7E) == 0x3E) { /* MRS */
            unsigned rd = h2 >> 8 & 15, sysm = h2 & 0xFF;
            if ((h1 & 0x1F) != 0xF || (h2 & 0x2000) || rd == 13 || rd == 15 ||
                !msr_sysm_ok(sysm))
                return -1;
            mn(b, "mrs", 0);
            R(b, rd);
            return 0;
        }
        return -1;
    }
    unsigned I1 = !(J1 ^ S), I2 = !(J2 ^ S);
    uint32_t imm = S << 24 | I1 << 23 | I2 << 22 | (h1 & 0x3FF) << 12 | (h2 & 0x7FF) << 1;
    uint32_t t = pc + 4 + (uint32_t)sx(imm, 25);
    if ((op1 & 5) == 1) { /* B T4 */
        mn(b, "b", 0);
        b->flags = F_NOWR | F_TGT;
    } else if ((op1 & 5) == 5) { /* BL */
        mn(b, "bl", 0);
        b->flags = F_NOWR | F_TGT | F_LR;
    } else {
        return -1; /* BLX (immediate) is not in ARMv7-M; op1 = 010 holds UDF */
    }
    b->o->has_target = 1;
    b->o->target = t;
    return 0;
}

static int store32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.10 Store single data item */
    unsigned op1 = h1 >> 5 & 7, rn = h1 & 15, rt = h2 >> 12;
    static const char *N[3] = {"strb", "strh", "str"};
    static const char *T[3] = {"strbt", "strht", "strt"};
    if (rn == 15 || op1 == 3 || op1 == 7 || (h1 & 0x10))
        return -1;
    unsigned sz = op1 & 3;
    if (op1 & 4) { /* 12-bit immediate */
        mn(b, N[sz], 0);
        b->flags = F_NOWR;
        R(b, rt);
        MEM(b, rn, -1, (int32_t)(h2 & 0xFFF), 0);
        return 0;
    }
    if ((h2 & 0x800) == 0) { /* register offset */
        if (h2 & 0x7C0)
            return -1;
        unsigned rm = h2 & 15;
        if (rm == 13 || rm == 15)
            return -1;
        mn(b, N[sz], 0);
        b->flags = F_NOWR;
        R(b, rt);
        MEM(b, rn, (int)rm, 0, h2 >> 4 & 3);
        return 0;
    }
    unsigned P = h2 >> 10 & 1, U = h2 >> 9 & 1, W = h2 >> 8 & 1;
    int32_t imm = (int32_t)(h2 & 0xFF);
    if (!P && !W)
        return -1;
    if (P && U && !W) { /* unprivileged */
        mn(b, T[sz], 0);
        b->flags = F_NOWR;
        R(b, rt);
        MEM(b, rn, -1, imm, 0);
        return 0;
    }
    if (!U)
        imm = -imm;
    mn(b, N[sz], 0);
    b->flags = F_NOWR;
    R(b, rt);
    mem_indexed(b, rn, P, W, imm);
    return 0;
}

static int load32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.7 Load word, A5.3.8 Load halfword, memory hints, A5.3.9 Load byte, memory hints */
    unsigned size = h1 >> 5 & 3, rn = h1 & 15, rt = h2 >> 12;
    unsigned sgn = h1 >> 8 & 1, U7 = h1 >> 7 & 1;
    if (size == 3)
        return -1;
    static const char *N[2][3] = {{"ldrb", "ldrh", "ldr"}, {"ldrsb", "ldrsh", NULL}};
    static const char *T[2][3] = {{"ldrbt", "ldrht", "ldrt"}, {"ldrsbt", "ldrsht", NULL}};
    if (sgn && size == 2)
        return -1;
    const char *name = N[sgn][size];
    int hint = rt == 15 && size != 2;
    if (hint) {
        if (size == 1)
            return -1;
        name = sgn ? "pli" : "pld";
    }
    if (rn == 15) { /* literal */
        int32_t imm = (int32_t)(h2 & 0xFFF);
        if (!U7)
            imm = -imm;
        mn(b, name, 0);
        if (hint)
            b->flags = F_NOWR;
        else
            R(b, rt);
        MEM(b, TD_PC, -1, imm, 0);
        return 0;
    }
    if (U7) { /* 12-bit immediate */
        mn(b, name, 0);
        if (hint)
            b->flags = F_NOWR;
        else
            R(b, rt);
        MEM(b, rn, -1, (int32_t)(h2 & 0xFFF), 0);
        return 0;
    }
    if ((h2 & 0x800) == 0) { /* register offset */
        unsigned rm = h2 & 15;
        if ((h2 & 0x7C0) || rm == 13 || rm == 15)
            return -1;
        mn(b, name, 0);
        if (hint)
            b->flags = F_NOWR;
        else
            R(b, rt);
        MEM(b, rn, (int)rm, 0, h2 >> 4 & 3);
        return 0;
    }
    unsigned P = h2 >> 10 & 1, U = h2 >> 9 & 1, W = h2 >> 8 & 1;
    int32_t imm = (int32_t)(h2 & 0xFF);
    if (!P && !W)
        return -1;
    if (P && U && !W) { /* unprivileged */
        if (hint)
            return -1;
        mn(b, T[sgn][size], 0);
        R(b, rt);
        MEM(b, rn, -1, imm, 0);
        return 0;
    }
    if (hint) {
        if (!P || U || W)
            return -1;
        mn(b, name, 0);
        b->flags = F_NOWR;
        MEM(b, rn, -1, -imm, 0);
        return 0;
    }
    if (!U)
        imm = -imm;
    mn(b, name, 0);
    R(b, rt);
    mem_indexed(b, rn, P, W, imm);
    return 0;
}

static int dpreg32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.12 Data processing (register) */
    unsigned op1 = h1 >> 4 & 15, op2 = h2 >> 4 & 15, rn = h1 & 15, rd = h2 >> 8 & 15,
             rm = h2 & 15;
    if ((h2 & 0xF000) != 0xF000)
        return -1;
    if ((op1 & 8) == 0 && op2 == 0) { /* LSL, LSR, ASR, ROR (register) */
        mn(b, SHN[op1 >> 1 & 3], (int)(op1 & 1));
        R(b, rd);
        R(b, rn);
        R(b, rm);
        return 0;
    }
    if ((op1 & 8) == 0 && (op2 & 8)) { /* extends, A5.3.12 */
        static const char *E[6][2] = {{"sxtah", "sxth"},     {"uxtah", "uxth"},
                                      {"sxtab16", "sxtb16"}, {"uxtab16", "uxtb16"},
                                      {"sxtab", "sxtb"},     {"uxtab", "uxtb"}};
        if (op1 > 5 || (op2 & 4))
            return -1;
        mn(b, E[op1][rn == 15], 0);
        R(b, rd);
        if (rn != 15)
            R(b, rn);
        R(b, rm);
        return 0;
    }
    if ((op1 & 8) && (op2 & 8) == 0) { /* A5.3.13 / A5.3.14 parallel add and subtract */
        static const char *OP[8] = {"add8", "add16", "asx", NULL, "sub8", "sub16", "sax", NULL};
        static const char *PRE[8] = {"s", "q", "sh", NULL, "u", "uq", "uh", NULL};
        const char *o = OP[op1 & 7], *p = PRE[op2 & 7];
        if (!o || !p)
            return -1;
        char name[12];
        size_t lp = strlen(p), lo = strlen(o);
        memcpy(name, p, lp);
        memcpy(name + lp, o, lo + 1);
        mn(b, name, 0);
        R(b, rd);
        R(b, rn);
        R(b, rm);
        return 0;
    }
    if ((op1 & 0xC) == 8 && (op2 & 0xC) == 8) { /* A5.3.15 Miscellaneous operations */
        unsigned a = op1 & 3, c = op2 & 3;
        static const char *Q[4] = {"qadd", "qdadd", "qsub", "qdsub"};
        static const char *V[4] = {"rev", "rev16", "rbit", "revsh"};
        if (a == 0) {
            mn(b, Q[c], 0);
            R(b, rd);
            R(b, rm);
            R(b, rn);
            return 0;
        }
        if (rn != rm)
            return -1;
        if (a == 1) {
            mn(b, V[c], 0);
        } else if (a == 2 && c == 0) {
            return -1; /* SEL has distinct Rn and Rm: handled below */
        } else if (a == 3 && c == 0) {
            mn(b, "clz", 0);
        } else {
            return -1;
        }
        R(b, rd); /* capstone prints the Rn field (hw1) as the source */
        R(b, rn);
        return 0;
    }
    return -1;
}

static int sel32(B *b, unsigned h1, unsigned h2)
{
    unsigned rn = h1 & 15, rd = h2 >> 8 & 15, rm = h2 & 15;
    if ((h2 & 0xF000) != 0xF000)
        return -1;
    mn(b, "sel", 0);
    R(b, rd);
    R(b, rn);
    R(b, rm);
    return 0;
}

static int mul32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.16 Multiply, multiply accumulate, and absolute difference */
    unsigned op1 = h1 >> 4 & 7, op2 = h2 >> 4 & 3, rn = h1 & 15, ra = h2 >> 12,
             rd = h2 >> 8 & 15, rm = h2 & 15;
    if (h2 & 0xC0)
        return -1;
    char name[12];
    int acc = ra != 15;
    static const char *BT[2] = {"b", "t"};
    switch (op1) {
    case 0:
        if (op2 == 0) {
            strcpy(name, acc ? "mla" : "mul");
        } else if (op2 == 1) {
            strcpy(name, "mls");
            acc = 1;
        } else {
            return -1;
        }
        break;
    case 1:
        strcpy(name, acc ? "smla" : "smul");
        strcat(name, BT[op2 >> 1]);
        strcat(name, BT[op2 & 1]);
        break;
    case 2:
    case 4:
        if (op2 & 2)
            return -1;
        strcpy(name, op1 == 2 ? (acc ? "smlad" : "smuad") : (acc ? "smlsd" : "smusd"));
        if (op2)
            strcat(name, "x");
        break;
    case 3:
        if (op2 & 2)
            return -1;
        strcpy(name, acc ? "smlaw" : "smulw");
        strcat(name, BT[op2]);
        break;
    case 5:
    case 6:
        if (op2 & 2)
            return -1;
        if (op1 == 6)
            acc = 1;
        strcpy(name, op1 == 5 ? (acc ? "smmla" : "smmul") : "smmls");
        if (op2)
            strcat(name, "r");
        break;
    default:
        if (op2)
            return -1;
        strcpy(name, acc ? "usada8" : "usad8");
        break;
    }
    mn(b, name, 0);
    R(b, rd);
    R(b, rn);
    R(b, rm);
    if (acc)
        R(b, ra);
    return 0;
}

static int lmul32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.17 Long multiply, long multiply accumulate, and divide */
    unsigned op1 = h1 >> 4 & 7, op2 = h2 >> 4 & 15, rn = h1 & 15, lo = h2 >> 12,
             hi = h2 >> 8 & 15, rm = h2 & 15;
    const char *name = NULL;
    static const char *XY[4] = {"smlalbb", "smlalbt", "smlaltb", "smlaltt"};
    if (op1 == 1 || op1 == 3) {
        if (op2 != 15 || lo != 15)
            return -1;
        mn(b, op1 == 1 ? "sdiv" : "udiv", 0);
        R(b, hi);
        R(b, rn);
        R(b, rm);
        return 0;
    }
    switch (op1) {
    case 0:
        name = op2 == 0 ? "smull" : NULL;
        break;
    case 2:
        name = op2 == 0 ? "umull" : NULL;
        break;
    case 4:
        if (op2 == 0)
            name = "smlal";
        else if ((op2 & 0xC) == 8)
            name = XY[op2 & 3];
        else if (op2 == 12)
            name = "smlald";
        else if (op2 == 13)
            name = "smlaldx";
        break;
    case 5:
        if (op2 == 12)
            name = "smlsld";
        else if (op2 == 13)
            name = "smlsldx";
        break;
    case 6:
        name = op2 == 6 ? "umaal" : op2 == 0 ? "umlal" : NULL;
        break;
    default:
        break;
    }
    if (!name)
        return -1;
    mn(b, name, 0);
    b->flags = F_TWO;
    R(b, lo);
    R(b, hi);
    R(b, rn);
    R(b, rm);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* A6 Floating-point instruction set encoding (coprocessor 10/11 space of A5.3.18)           */

static int sreg(unsigned v4, unsigned bit) { return TD_S0 + (int)(v4 << 1 | bit); }
static int dreg(unsigned v4, unsigned bit) { return bit ? -1 : TD_D0 + (int)v4; }

/* register Vx of size sz (0 single, 1 double); -1 for d16..d31 */
static int vreg(unsigned sz, unsigned v4, unsigned bit)
{
    return sz ? dreg(v4, bit) : sreg(v4, bit);
}

static int fp_ldst(B *b, unsigned h1, unsigned h2)
{
    /* A6.5 Floating-point extension register load or store instructions */
    unsigned op = h1 >> 4 & 31, rn = h1 & 15, D = h1 >> 6 & 1, vd = h2 >> 12, dbl = h2 >> 8 & 1;
    unsigned imm8 = h2 & 0xFF;
    if ((op & 0x13) == 0x11 || (op & 0x13) == 0x10) { /* VLDR / VSTR */
        int L = op & 1, rd = vreg(dbl, vd, D);
        if (rd < 0)
            return -1;
        if (!L && rn == 15)
            return -1;
        int32_t imm = (int32_t)(imm8 * 4);
        if (!(op & 8))
            imm = -imm;
        mn(b, L ? "vldr" : "vstr", 0);
        if (!L)
            b->flags = F_NOWR;
        R(b, rd);
        MEM(b, rn, -1, imm, 0);
        return 0;
    }
    unsigned P = op >> 4 & 1, U = op >> 3 & 1, W = op >> 1 & 1, L = op & 1;
    if (P == U || (P && !W))
        return -1;
    unsigned n = dbl ? imm8 / 2 : imm8;
    if (n == 0 || (dbl && (imm8 & 1)))
        return -1;
    int first = vreg(dbl, vd, D);
    if (first < 0)
        return -1;
    unsigned limit = dbl ? 16 : 32, start = (unsigned)(first - (dbl ? TD_D0 : TD_S0));
    if (start + n > limit)
        return -1;
    if (dbl && n > 16)
        return -1;
    uint64_t mask = ((n >= 64 ? 0 : (1ull << n)) - 1) << first;
    int pushpop = W && rn == TD_SP && ((!L && P) || (L && !P));
    if (pushpop) {
        mn(b, L ? "vpop" : "vpush", 0);
        b->flags = F_LIST | F_PUSHPOP | (L ? 0 : F_LSTORE | F_NOWR);
        LIST(b, mask);
        return 0;
    }
    mn(b, P ? (L ? "vldmdb" : "vstmdb") : (L ? "vldmia" : "vstmia"), 0);
    b->flags = F_LIST | F_WBDEST | (L ? 0 : F_LSTORE | F_NOWR);
    R(b, rn);
    b->bang_ops = (int)W;
    LIST(b, mask);
    return 0;
}

static int fp_dp(B *b, unsigned h1, unsigned h2)
{
    /* A6.4 Floating-point data-processing instructions (Table A6-2) */
    unsigned opc1 = h1 >> 4 & 0xB, opc2 = h1 & 15, opc3 = h2 >> 6 & 3, sz = h2 >> 8 & 1;
    unsigned D = h1 >> 6 & 1, vn = h1 & 15, vd = h2 >> 12, N = h2 >> 7 & 1, M = h2 >> 5 & 1,
             vm = h2 & 15;
    int rd = vreg(sz, vd, D), rn = vreg(sz, vn, N), rm = vreg(sz, vm, M);
    const char *name = NULL;
    int three = 1;
    if (h2 & 0x10)
        return -1;
    switch (opc1) {
    case 0:
        name = (opc3 & 1) ? "vmls" : "vmla";
        break;
    case 1:
        name = (opc3 & 1) ? "vnmla" : "vnmls";
        break;
    case 2:
        name = (opc3 & 1) ? "vnmul" : "vmul";
        break;
    case 3:
        name = (opc3 & 1) ? "vsub" : "vadd";
        break;
    case 8:
        if (opc3 & 1)
            return -1;
        name = "vdiv";
        break;
    case 9:
        name = (opc3 & 1) ? "vfnma" : "vfnms";
        break;
    case 10:
        name = (opc3 & 1) ? "vfms" : "vfma";
        break;
    default:
        three = 0;
        break;
    }
    if (three) {
        if (rd < 0 || rn < 0 || rm < 0)
            return -1;
        mn(b, name, 0);
        R(b, rd);
        R(b, rn);
        R(b, rm);
        return 0;
    }
    /* opc1 = 1x11: other data-processing instructions */
    if ((opc3 & 1) == 0) { /* VMOV (immediate) */
        if (h2 & 0xA0 || rd < 0)
            return -1;
        mn(b, "vmov", 0);
        R(b, rd);
        return 0;
    }
    int t = opc3 >> 1;
    switch (opc2) {
    case 0:
        if (rd < 0 || rm < 0)
            return -1;
        mn(b, t ? "vabs" : "vmov", 0);
        R(b, rd);
        R(b, rm);
        return 0;
    case 1:
        if (rd < 0 || rm < 0)
            return -1;
        mn(b, t ? "vsqrt" : "vneg", 0);
        R(b, rd);
        R(b, rm);
        return 0;
    case 2:
    case 3: /* VCVTB / VCVTT half <-> single */
        if (sz)
            return -1;
        mn(b, t ? "vcvtt" : "vcvtb", 0);
        R(b, sreg(vd, D));
        R(b, sreg(vm, M));
        return 0;
    case 4:
        if (rd < 0 || rm < 0)
            return -1;
        mn(b, t ? "vcmpe" : "vcmp", 0);
        b->flags = F_NOWR;
        R(b, rd);
        R(b, rm);
        return 0;
    case 5:
        if (rd < 0 || (h2 & 0x2F))
            return -1;
        mn(b, t ? "vcmpe" : "vcmp", 0);
        b->flags = F_NOWR;
        R(b, rd);
        return 0;
    case 7: { /* VCVT between double and single */
        if (!t)
            return -1;
        int d = sz ? sreg(vd, D) : dreg(vd, D);
        if (d < 0 || rm < 0)
            return -1;
        mn(b, "vcvt", 0);
        R(b, d);
        R(b, rm);
        return 0;
    }
    case 8: { /* VCVT integer -> floating point */
        int m = sreg(vm, M);
        if (rd < 0)
            return -1;
        mn(b, "vcvt", 0);
        R(b, rd);
        R(b, m);
        return 0;
    }
    case 12:
    case 13: { /* VCVT, VCVTR floating point -> integer */
        int d = sreg(vd, D);
        if (rm < 0)
            return -1;
        mn(b, t ? "vcvt" : "vcvtr", 0);
        R(b, d);
        R(b, rm);
        return 0;
    }
    case 10:
    case 11:
    case 14:
    case 15: { /* VCVT fixed point: "vcvt.<t>.<t> Vd, Vd, #fbits" */
        if (rd < 0)
            return -1;
        mn(b, "vcvt", 0);
        R(b, rd);
        R(b, rd);
        return 0;
    }
    default:
        return -1;
    }
}

static int fp_xfer(B *b, unsigned h1, unsigned h2)
{
    /* A6.6 8, 16, and 32-bit transfer between Arm core and extension registers */
    unsigned A = h1 >> 5 & 7, L = h1 >> 4 & 1, C = h2 >> 8 & 1, rt = h2 >> 12;
    if (C)
        return -1; /* VMOV scalar forms print "dN[x]": not representable */
    if (A == 0) {
        if (h2 & 0x6F || rt == 13 || rt == 15)
            return -1;
        int s = sreg(h1 & 15, h2 >> 7 & 1);
        mn(b, "vmov", 0);
        if (L) {
            R(b, (int)rt);
            R(b, s);
        } else {
            R(b, s);
            R(b, (int)rt);
        }
        return 0;
    }
    if (A == 7) {
        if ((h1 & 15) != 1 || (h2 & 0xEF))
            return -1;
        if (L) {
            mn(b, "vmrs", 0);
            if (rt == 13)
                return -1;
            if (rt != 15)
                R(b, (int)rt);
        } else {
            if (rt == 13 || rt == 15)
                return -1;
            mn(b, "vmsr", 0);
            b->flags = F_NOWR;
            R(b, (int)rt);
        }
        return 0;
    }
    return -1;
}

static int fp_xfer64(B *b, unsigned h1, unsigned h2)
{
    /* A6.7 64-bit transfers between Arm core and extension registers */
    unsigned L = h1 >> 4 & 1, rt2 = h1 & 15, rt = h2 >> 12, C = h2 >> 8 & 1, M = h2 >> 5 & 1,
             vm = h2 & 15;
    if ((h2 & 0xD0) != 0x10 || rt == 13 || rt == 15 || rt2 == 13 || rt2 == 15)
        return -1;
    if (L && rt == rt2)
        return -1;
    mn(b, "vmov", 0);
    if (C) {
        int d = dreg(vm, M);
        if (d < 0)
            return -1;
        if (L) {
            R(b, (int)rt);
            R(b, (int)rt2);
            R(b, d);
        } else {
            R(b, d);
            R(b, (int)rt);
            R(b, (int)rt2);
        }
    } else {
        int s = sreg(vm, M);
        if (s == TD_S0 + 31)
            return -1;
        if (L) {
            R(b, (int)rt);
            R(b, (int)rt2);
            R(b, s);
            R(b, s + 1);
        } else {
            R(b, s);
            R(b, s + 1);
            R(b, (int)rt);
            R(b, (int)rt2);
        }
    }
    return 0;
}

static int fp32(B *b, unsigned h1, unsigned h2)
{
    /* A5.3.18 Coprocessor instructions: only the floating-point ones (coproc 101x) */
    if ((h2 & 0xE00) != 0xA00 || (h1 & 0xF000) != 0xE000 || (h1 & 0x1000))
        return -1;
    unsigned op1 = h1 >> 4 & 0x3F;
    if ((op1 & 0x3E) == 0x04)
        return fp_xfer64(b, h1, h2);
    if ((op1 & 0x20) == 0) {
        if ((op1 & 0x3A) == 0)
            return -1;
        return fp_ldst(b, h1, h2);
    }
    if ((op1 & 0x30) == 0x20) {
        if (h2 & 0x10)
            return fp_xfer(b, h1, h2);
        return fp_dp(b, h1, h2);
    }
    return -1;
}

static int decode32(B *b, unsigned h1, unsigned h2, uint32_t pc)
{
    /* A5.3 32-bit Thumb instruction encoding, Table A5-9 */
    unsigned op1 = h1 >> 11 & 3, op2 = h1 >> 4 & 0x7F, op = h2 >> 15;
    if (op1 == 1) {
        if ((op2 & 0x64) == 0x00)
            return ldstm32(b, h1, h2);
        if ((op2 & 0x64) == 0x04)
            return dual32(b, h1, h2);
        if ((op2 & 0x60) == 0x20)
            return dpshift32(b, h1, h2);
        return fp32(b, h1, h2);
    }
    if (op1 == 2) {
        if (op)
            return branch32(b, h1, h2, pc);
        if (op2 & 0x20)
            return plain32(b, h1, h2);
        return dpmod32(b, h1, h2);
    }
    if ((op2 & 0x71) == 0x00)
        return store32(b, h1, h2);
    if ((op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 || (op2 & 0x67) == 0x05)
        return load32(b, h1, h2);
    if ((op2 & 0x70) == 0x20) {
        if ((op2 & 0xF) == 0xA && (h2 & 0xF0) == 0x80)
            return sel32(b, h1, h2);
        return dpreg32(b, h1, h2);
    }
    if ((op2 & 0x78) == 0x30)
        return mul32(b, h1, h2);
    if ((op2 & 0x78) == 0x38)
        return lmul32(b, h1, h2);
    if (op2 & 0x40)
        return fp32(b, h1, h2);
    return -1;
}

/* A7.7.38 IT: the printed mnemonic "it" plus t/e for each following slot */
static int decode_it(B *b, unsigned h, unsigned *itstate)
{
    unsigned fc = h >> 4 & 15, mask = h & 15;
    if (b->in_it || fc >= 14 || mask == 0)
        return -1;
    char *m = b->o->mnemonic;
    int n = 0;
    m[n++] = 'i';
    m[n++] = 't';
    int k = mask & 1 ? 3 : mask & 2 ? 2 : mask & 4 ? 1 : 0;
    for (int i = 0; i < k; i++)
        m[n++] = ((mask >> (3 - i) & 1) == (fc & 1)) ? 't' : 'e';
    m[n] = 0;
    b->flags = F_NOWR;
    *itstate = (fc << 4 | mask) & 0xFF;
    return 0;
}

int td_decode(const uint8_t *code, size_t len, uint32_t address, td_insn *out, int max)
{
    size_t pos = 0;
    int n = 0;
    unsigned it = 0; /* ITSTATE: firstcond in bits 7:4, mask in 3:0 (A7.7.38 IT; the ITSTATE
                        and ITAdvance() pseudocode of A7.3, Conditional execution: verify the
                        subsection number) */
    while (pos < len) {
        if (n >= max || len - pos < 2)
            return -1;
        unsigned h1 = (unsigned)code[pos] | (unsigned)code[pos + 1] << 8;
        td_insn *o = &out[n];
        memset(o, 0, sizeof *o);
        o->dest = o->mem_base = o->mem_index = TD_NONE;
        o->address = address + (uint32_t)pos;
        B b;
        memset(&b, 0, sizeof b);
        b.o = o;
        b.head2 = TD_NONE;
        b.in_it = (it & 0xF) != 0;
        b.cond = (int)(it >> 4);
        uint32_t pc = o->address;
        int rc;
        unsigned newit = 0;
        int is_it = 0;
        if ((h1 & 0xE000) == 0xE000 && (h1 & 0x1800)) {
            if (len - pos < 4)
                return -1;
            unsigned h2 = (unsigned)code[pos + 2] | (unsigned)code[pos + 3] << 8;
            o->size = 4;
            rc = decode32(&b, h1, h2, pc);
        } else {
            o->size = 2;
            if ((h1 & 0xFF00) == 0xBF00) { /* A5.2.5: IT and hints */
                if (h1 & 0xF) {
                    rc = decode_it(&b, h1, &newit);
                    is_it = 1;
                } else {
                    static const char *N[5] = {"nop", "yield", "wfe", "wfi", "sev"};
                    unsigned k = h1 >> 4 & 15;
                    if (k > 4) {
                        rc = -1;
                    } else {
                        mn(&b, N[k], 0);
                        b.flags = F_NOWR;
                        rc = 0;
                    }
                }
            } else {
                rc = decode16(&b, h1, pc);
            }
        }
        if (rc < 0)
            return -1;
        finish(&b);
        pos += o->size;
        n++;
        if (is_it) {
            it = newit;
        } else if (it & 0xF) {
            /* ITAdvance(): the mask shifts left; the block ends when its low 3 bits are 0 */
            if ((it & 7) == 0)
                it = 0;
            else
                it = (it & 0xE0) | ((it << 1) & 0x1F);
        }
    }
    return n;
}
