/*
 * microbench.c - instruction sequences timed by the core's own cycle counter.
 *
 * Each bench_<name>() reads the timer, runs a short instruction sequence, reads the timer
 * again and returns the difference.  The timer is DWT_CYCCNT (0xE0001004, Armv7-M ARM
 * DDI 0403E C1.8.8) on Cortex-M3/M4 and the SysTick current value (0xE000E018, counting down,
 * Armv6-M ARM DDI 0419E B3.3.2) on Cortex-M0+, which has no cycle counter.  mcusim's tests
 * compare the printed counts with counts computed by hand from the Technical Reference
 * Manuals (tests/test_cycle_model.py shows the arithmetic).
 *
 * The timed region of every benchmark is: the first timer load ("ldr r1, [r0]", counted in
 * full), the body, and nothing of the second timer load (the counter is sampled when that
 * load starts).  r6 points at a 16-word RAM buffer.
 *
 * The memory-system benches (Armv7-M) exercise a flash cache when the code memory is given
 * wait states and a cache by a board file (tests/data/mps2-an386-cache*.toml): a loop that
 * fits in the instruction cache, one larger than it (each loop starts at a 128-byte aligned
 * address, reached by a branch over the padding), and 16 word reads streamed from a table in
 * flash.
 *
 * ldr_two_mem and ldr_one_mem pair a RAM load with a load from the code memory and with another
 * RAM load: on the mps2 boards the code memory (SSRAM1) and the data memory (SSRAM2/3) are two
 * memories, so only the second pair pipelines.
 *
 * The wide_* benches place runs of 32-bit instructions at halfword (not word) aligned
 * addresses, the fetch pattern of the unaligned-wide group rule (cost_models/README.md).
 */
#include <stdint.h>

#include "console.h"

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define TIMER_ADDR "0xE0001004"
#define DELTA "subs r0, r2, r1\n" /* up-counter */
#define V7M 1
#else
#define TIMER_ADDR "0xE000E018"
#define DELTA "subs r0, r1, r2\n" /* SysTick counts down */
#define V7M 0
#endif

#define BENCH(name, setup, body)                                                   \
    __attribute__((naked, noinline)) uint32_t bench_##name(uint32_t *buf __attribute__((unused)))          \
    {                                                                              \
        __asm volatile(".syntax unified\n" "push {r4-r7, lr}\n"                                        \
                       "mov r6, r0\n" setup "ldr r0, =" TIMER_ADDR "\n"            \
                       "ldr r1, [r0]\n" body "ldr r2, [r0]\n" DELTA                \
                       "pop {r4-r7, pc}\n"                                          \
                       ".ltorg\n");                                                 \
    }

#define R10(x) x x x x x x x x x x
#define R14(x) R10(x) x x x x
#define R46(x) R10(x) R10(x) R10(x) R10(x) x x x x x x

BENCH(alu10, "", R10("adds r3, #1\n"))
BENCH(ldr3, "", "ldr r3, [r6]\n" "ldr r4, [r6, #4]\n" "ldr r5, [r6, #8]\n")
BENCH(str2, "", "str r3, [r6]\n" "str r3, [r6, #4]\n")
BENCH(ldm3, "", "ldm r6!, {r3, r4, r5}\n")
BENCH(push_pop, "", "push {r3, r4}\n" "pop {r3, r4}\n")
BENCH(loop10, "", "movs r3, #10\n" "1: subs r3, #1\n" "bne 1b\n")
BENCH(b_taken, "", "b 1f\n" "adds r3, #1\n" "1:\n")
BENCH(bne_not_taken, "", "cmp r3, r3\n" "bne 1f\n" "adds r3, #1\n" "1:\n")
BENCH(beq_taken, "", "cmp r3, r3\n" "beq 1f\n" "adds r3, #1\n" "1:\n")
BENCH(muls, "movs r3, #7\n", "muls r3, r3, r3\n" "muls r3, r3, r3\n")

#if V7M
BENCH(ldr_dep, "", "adds r5, r6, #4\n" "ldr r3, [r5]\n")
BENCH(ldr_literal, "", "ldr r3, =0x12345678\n")
BENCH(str_reg, "movs r5, #4\n", "str r3, [r6, r5]\n")
BENCH(ldrd, "", "ldrd r3, r4, [r6]\n")
BENCH(mla, "movs r3, #7\n movs r4, #9\n", "mla r5, r3, r4, r5\n")
BENCH(udiv_9bit, "movw r4, #1000\n movs r5, #3\n", "udiv r3, r4, r5\n")
BENCH(udiv_small, "movs r4, #3\n movw r5, #1000\n", "udiv r3, r4, r5\n")
BENCH(udiv_32bit, "mov r4, #0xFFFFFFFF\n movs r5, #1\n", "udiv r3, r4, r5\n")
BENCH(b_unaligned_wide, "", "b 2f\n" ".balign 4\n" "nop\n" "2:\n" "ldr.w r2, [r0]\n")
BENCH(bl_bx, "", "bl mb_leaf\n")
/* after a branch to an aligned 16-bit NOP: three 32-bit instructions at addresses = 2 mod 4
   (an unaligned-wide run), then runs of three and four such stores */
BENCH(wide_run3, "", "b 2f\n" ".balign 4\n" "2: nop\n" "add.w r5, r5, #1\n" "add.w r5, r5, #1\n"
      "add.w r5, r5, #1\n")
BENCH(wide_str3, "", "b 2f\n" ".balign 4\n" "2: nop\n" "str.w r5, [r6]\n" "str.w r5, [r6, #4]\n"
      "str.w r5, [r6, #8]\n")
BENCH(wide_str4, "", "b 2f\n" ".balign 4\n" "2: nop\n" "str.w r5, [r6]\n" "str.w r5, [r6, #4]\n"
      "str.w r5, [r6, #8]\n" "str.w r5, [r6, #12]\n")
/* the measured pairing rules (cost_models/cores/cortex-m4.toml): a store then a load, a store
   then a load multiple, two writeback stores on one base (and on two), a literal then a RAM
   load, two literals, a writeback load after a load */
BENCH(str_ldr, "", "str r3, [r6]\n" "ldr r4, [r6, #4]\n")
BENCH(str_ldm, "", "str r3, [r6]\n" "ldm r6, {r3, r4}\n")
BENCH(str_wb2, "", "str r3, [r6], #4\n" "str r3, [r6], #4\n")
BENCH(str_wb_alt, "add r5, r6, #32\n", "str r3, [r6], #4\n" "str r3, [r5], #4\n")
BENCH(lit_data, "", "ldr r3, =0x12345678\n" "ldr r4, [r6]\n")
BENCH(lit2, "", "ldr r3, =0x12345678\n" "ldr r4, =0x9abcdef0\n")
BENCH(ldr_wb, "", "ldr r3, [r6]\n" "ldr r4, [r6, #4]!\n")
BENCH(umull_small, "movw r5, #1000\n", "umull r3, r4, r5, r5\n")
BENCH(umull_large, "ldr r5, =0x12345678\n", "umull r3, r4, r5, r5\n")
__attribute__((naked, noinline)) void mb_leaf(void) { __asm volatile("bx lr\n"); }

/* 16 words in flash (.rodata), on a 16-byte boundary: stream16 reads them all */
const uint32_t mb_table[16] __attribute__((aligned(16))) = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                              12, 13, 14, 15, 16};
/* 3 passes over a 32-byte loop (2 lines of 16 bytes) and over a 96-byte one (6 lines) */
BENCH(loop_fits, "", "movs r3, #3\n" "b 1f\n" ".balign 128\n" "1:\n" R14("adds r5, #1\n")
      "subs r3, #1\n" "bne 1b\n")
BENCH(loop_big, "", "movs r3, #3\n" "b 1f\n" ".balign 128\n" "1:\n" R46("adds r5, #1\n")
      "subs r3, #1\n" "bne 1b\n")
BENCH(stream16, "movw r4, #:lower16:mb_table\n" "movt r4, #:upper16:mb_table\n",
      "ldr r5, [r4]\n" "ldr r5, [r4, #4]\n" "ldr r5, [r4, #8]\n" "ldr r5, [r4, #12]\n"
      "ldr r5, [r4, #16]\n" "ldr r5, [r4, #20]\n" "ldr r5, [r4, #24]\n" "ldr r5, [r4, #28]\n"
      "ldr r5, [r4, #32]\n" "ldr r5, [r4, #36]\n" "ldr r5, [r4, #40]\n" "ldr r5, [r4, #44]\n"
      "ldr r5, [r4, #48]\n" "ldr r5, [r4, #52]\n" "ldr r5, [r4, #56]\n" "ldr r5, [r4, #60]\n")
#endif

#if defined(__ARM_ARCH_7EM__)
BENCH(smlad, "", "smlad r5, r3, r4, r5\n" "sxtb16 r3, r4\n")
BENCH(fp_ops, "", "vadd.f32 s0, s1, s2\n" "vmul.f32 s3, s4, s5\n" "vdiv.f32 s6, s7, s8\n")
BENCH(fp_stall, "", "vadd.f32 s0, s1, s2\n" "vadd.f32 s3, s0, s0\n")
BENCH(vmla, "", "vmla.f32 s0, s1, s2\n")
#endif

#if V7M
/* loads in two memories (the code memory's mb_table, the RAM buffer) and in one (the buffer's
   first two words, through two registers): the branch starts a new translated block, so r4
   and r6 hold their values at its entry. Last in the file, so the benches above keep their
   addresses. */
BENCH(ldr_two_mem, "movw r4, #:lower16:mb_table\n" "movt r4, #:upper16:mb_table\n" "b 1f\n" "1:\n",
      "ldr r3, [r6]\n" "ldr r5, [r4]\n")
BENCH(ldr_one_mem, "adds r4, r6, #4\n" "b 1f\n" "1:\n", "ldr r3, [r6]\n" "ldr r5, [r4]\n")
#endif

static uint32_t g_buf[16];

static void report(const char *name, uint32_t (*fn)(uint32_t *))
{
    uint32_t cycles = fn(g_buf);
    sh_puts(name);
    sh_puts(" ");
    sh_put_u32(cycles);
    sh_puts("\n");
}

#define RUN(name) report(#name, bench_##name)

int main(void)
{
#if !V7M
    *(volatile uint32_t *)0xE000E014u = 0xFFFFFFu; /* SysTick RVR: full 24-bit range */
    *(volatile uint32_t *)0xE000E018u = 0;         /* CVR: clear */
    *(volatile uint32_t *)0xE000E010u = 5u;        /* CSR: ENABLE | CLKSOURCE, no interrupt */
#else
    *(volatile uint32_t *)0xE000EDFCu |= 1u << 24; /* DEMCR.TRCENA */
    *(volatile uint32_t *)0xE0001000u |= 1u;       /* DWT_CTRL.CYCCNTENA */
#endif
    RUN(alu10);
    RUN(ldr3);
    RUN(str2);
    RUN(ldm3);
    RUN(push_pop);
    RUN(loop10);
    RUN(b_taken);
    RUN(bne_not_taken);
    RUN(beq_taken);
    RUN(muls);
#if V7M
    RUN(ldr_dep);
    RUN(ldr_literal);
    RUN(str_reg);
    RUN(ldrd);
    RUN(mla);
    RUN(udiv_9bit);
    RUN(udiv_small);
    RUN(udiv_32bit);
    RUN(b_unaligned_wide);
    RUN(loop_fits);
    RUN(loop_big);
    RUN(stream16);
    RUN(bl_bx);
    RUN(wide_run3);
    RUN(wide_str3);
    RUN(wide_str4);
    RUN(str_ldr);
    RUN(str_ldm);
    RUN(str_wb2);
    RUN(str_wb_alt);
    RUN(lit_data);
    RUN(lit2);
    RUN(ldr_wb);
    RUN(umull_small);
    RUN(umull_large);
#endif
#if defined(__ARM_ARCH_7EM__)
    RUN(smlad);
    RUN(fp_ops);
    RUN(fp_stall);
    RUN(vmla);
#endif
#if V7M
    RUN(ldr_two_mem);
    RUN(ldr_one_mem);
#endif
    return 0;
}
