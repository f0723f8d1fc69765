/* The Thumb decoder's 32-bit encodings other than floating point (see thumb_internal.h). */
#include "thumb_internal.h"

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

int decode32(B *b, unsigned h1, unsigned h2, uint32_t pc)
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
