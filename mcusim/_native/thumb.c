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
#include "thumb_internal.h"

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
