/* The Thumb decoder's floating-point encodings (see thumb_internal.h). */
#include "thumb_internal.h"

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

int fp32(B *b, unsigned h1, unsigned h2)
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

