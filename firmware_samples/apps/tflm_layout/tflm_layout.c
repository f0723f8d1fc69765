/*
 * tflm_layout.c - a five-op "graph" run through a table of registrations, the way TFLM's
 * interpreter calls each op's Eval through a function pointer. The kernels' Eval functions
 * share one name in different source files (tensorflow/lite/micro/kernels/...), so only
 * DWARF line information tells the ops apart. Around every invoke the firmware reads DWT
 * CYCCNT (Armv7-M) and prints the cycles it measured itself, so a test can compare them with
 * the profiler's per-op cycles:
 *
 *   op 0 CONV_2D cycles=1234 checksum=-5
 *   ...
 *   tflm_layout: done
 *
 * DWT: DEMCR 0xE000EDFC bit 24 TRCENA (DDI 0403E C1.6.5); DWT_CTRL 0xE0001000 bit 0
 * CYCCNTENA, DWT_CYCCNT 0xE0001004 (DDI 0403E C1.8.7, C1.8.8). Armv6-M has no CYCCNT: the
 * Cortex-M0+ build prints cycles=0.
 */
#include <stdint.h>

#include "console.h"
#include "kernel_api.h"

#define DEMCR      (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL   (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define CYCLES() DWT_CYCCNT
#else
#define CYCLES() 0u
#endif

#define N 64

static int8_t g_a[N], g_b[N];
static const int8_t g_weights[8] = {3, -2, 5, 1, -4, 2, 7, -1};

int main(void)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
    DEMCR |= 1u << 24;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
#endif
    for (int32_t i = 0; i < N; i++) g_a[i] = (int8_t)((i * 37) ^ 0x55);

    const layout_registration *graph[5] = {
        Register_CONV_2D(),        Register_CONV_2D_CMSIS(), Register_DEPTHWISE_CONV_2D(),
        Register_FULLY_CONNECTED(), Register_SOFTMAX(),
    };
    int8_t *bufs[2] = {g_a, g_b};
    for (int32_t op = 0; op < 5; op++) {
        layout_node node = {bufs[op & 1], bufs[(op + 1) & 1], g_weights, N};
        uint32_t t0 = CYCLES();
        int32_t checksum = graph[op]->invoke(&node);
        uint32_t t1 = CYCLES();
        sh_puts("op ");
        sh_put_u32((uint32_t)op);
        sh_puts(" ");
        sh_puts(graph[op]->name);
        sh_puts(" cycles=");
        sh_put_u32(t1 - t0);
        sh_puts(" checksum=");
        sh_put_i32(checksum);
        sh_puts("\n");
    }
    sh_puts("tflm_layout: done\n");
    return 0;
}
