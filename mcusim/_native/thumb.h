/* Thumb / Thumb-2 decoder for the cycle model: the facts mcusim.timing.decode.parse() reads from
   capstone's text, computed from the encoding (ARMv6-M, ARMv7E-M with DSP and FPv4-SP-D16).
   Encodings: Arm ARMv7-M Architecture Reference Manual, DDI 0403E, chapters A5 and A6. */
#ifndef MCUSIM_THUMB_H
#define MCUSIM_THUMB_H

#include <stddef.h>
#include <stdint.h>

enum {
    TD_SP = 13,
    TD_LR = 14,
    TD_PC = 15,
    TD_S0 = 16, /* s0..s31 = 16..47 */
    TD_D0 = 48, /* d0..d15 = 48..63 */
    TD_NONE = -1
};

typedef struct {
    uint64_t regs_read;  /* bit r for every register id read, same set as parse().regs_read */
    uint64_t regs_write; /* same set as parse().regs_write */
    uint32_t address;
    uint32_t target; /* parse().target (B, BL, CBZ, CBNZ immediate target) when has_target */
    int32_t mem_disp; /* parse().mem_disp */
    int8_t dest, mem_base, mem_index; /* register ids, TD_NONE for "" */
    uint8_t size;                     /* 2 or 4 */
    uint8_t reg_list_words, pc_in_list, has_double_reg, has_core_reg, has_target;
    uint8_t post_indexed; /* "]," then "#imm" after the bracket in capstone's text */
    uint8_t lsl_shift;    /* the "lsl #n" amount in the operand text, else 0 */
    char mnemonic[16];    /* capstone's printed mnemonic without the ".w"/".n" suffix */
} td_insn;

/* Decode up to `max` instructions of `code` (`len` bytes) loaded at `address`, as one capstone
   disasm_lite call would (IT state carries from an IT instruction to the following ones).
   Returns the number decoded into `out`, or -1 if any instruction in the buffer is unsupported
   or invalid, or if the buffer holds more than `max` instructions or ends inside one. */
int td_decode(const uint8_t *code, size_t len, uint32_t address, td_insn *out, int max);

#endif
