/* The Thumb decoder's 16-bit encodings (see thumb_internal.h). */
#include "thumb_internal.h"

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


int decode16(B *b, unsigned h, uint32_t pc)
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

