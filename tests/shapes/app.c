/*
 * app.c - a small program shaped like third-party TFLM firmware, for tests/test_memory_figures.py.
 *
 * Not TFLM: three "kernels" named the way CMSIS-NN names its functions (so the op rules of
 * cost_models/ops/cmsis_nn.toml attribute them), a 16-byte aligned `tensor_arena` filled from
 * both ends, and a line in the format TFLM's recording allocator prints its arena use in.
 * The deepest stack use is in the first op; a deep non-op function runs between ops; the later
 * ops are shallow. With -DEXIT_IN_OP the last op ends the run from inside itself.
 * With -DUSE_PSP main moves to a thread stack (`app_thread_stack`, on the PSP) first, as an
 * RTOS thread would. With -DHOSTED it uses newlib (rdimon) printf/exit instead of raw
 * semihosting calls.
 */
#include <stdint.h>

#define ARENA_BYTES 8192
#define HEAD_BYTES 3000
#define TAIL_BYTES 1000

uint8_t tensor_arena[ARENA_BYTES] __attribute__((aligned(16)));
volatile int app_sink;
volatile int app_scale = 3; /* some .data */

#ifdef HOSTED
#include <stdio.h>
#include <stdlib.h>
static void say(const char *s) { fputs(s, stdout); }
static void finish(int code) { exit(code); }
#else
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
static void say(const char *s) { semihost(0x04, s); } /* SYS_WRITE0 */
static void finish(int code)
{
    uint32_t block[2] = {0x20026u, (uint32_t)code}; /* ADP_Stopped_ApplicationExit */
    semihost(0x20, block);                          /* SYS_EXIT_EXTENDED */
    for (;;) {
    }
}
#endif

static void say_int(const char *before, int n, const char *after)
{
    char buf[16];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    say(before);
    say(&buf[i]);
    say(after);
}

/* The deepest op: a 3,000-byte scratch buffer on the stack. */
__attribute__((noinline)) void arm_convolve_s8(uint8_t *out, int n)
{
    volatile uint8_t scratch[3000];
    for (int i = 0; i < (int)sizeof scratch; i++)
        scratch[i] = (uint8_t)(i + n);
    int acc = 0;
    for (int i = 0; i < (int)sizeof scratch; i += 7)
        acc += scratch[i];
    for (int i = 0; i < HEAD_BYTES; i++)
        out[i] = (uint8_t)(acc + i + 1) | 1;
}

/* Not an op: deep, but less deep than the first op. */
__attribute__((noinline)) int preprocess(int n)
{
    volatile uint8_t buf[1500];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (uint8_t)(n ^ i);
    return buf[n % sizeof buf];
}

__attribute__((noinline)) void arm_fully_connected_s8(const uint8_t *in, uint8_t *out)
{
    for (int i = 0; i < TAIL_BYTES; i++)
        out[i] = (uint8_t)(in[i] + app_scale) | 1;
}

__attribute__((noinline)) void arm_softmax_s8(const uint8_t *in, uint8_t *out)
{
    int s = 0;
    for (int i = 0; i < 16; i++)
        s += in[i];
    out[0] = (uint8_t)s | 1;
#ifdef EXIT_IN_OP
    say("exit from inside an op\n");
    finish(0);
#endif
}

static void run_model(void)
{
    uint8_t *head = tensor_arena, *tail = tensor_arena + ARENA_BYTES - TAIL_BYTES;
    arm_convolve_s8(head, 5);
    app_sink = preprocess(7);
    arm_fully_connected_s8(head, tail);
    arm_softmax_s8(tail, head);
    say_int("[RecordingMicroAllocator] Arena allocation total ", HEAD_BYTES + TAIL_BYTES,
            " bytes\n");
}

#ifdef USE_PSP
uint64_t app_thread_stack[1024]; /* 8 KB, an RTOS thread's stack */

static void thread_main(void)
{
    run_model();
    finish(0);
}
#endif

int main(void)
{
    say("shape app\n");
#ifdef USE_PSP
    __asm__ volatile("msr psp, %0\n\tmovs r0, #2\n\tmsr control, r0\n\tisb"
                     :
                     : "r"(&app_thread_stack[1024])
                     : "r0", "memory");
    thread_main();
#else
    run_model();
    finish(0);
#endif
    return 0;
}
