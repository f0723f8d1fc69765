/*
 * model_app.c - shared part of the model apps (see model_app.h).
 *
 * Cycle counter (Armv7-M only; the Cortex-M0+ has none): DEMCR 0xE000EDFC bit 24 TRCENA,
 * DDI 0403E C1.6.5; DWT_CTRL 0xE0001000 bit 0 CYCCNTENA and DWT_CYCCNT 0xE0001004, DDI 0403E
 * C1.8.7 and C1.8.8. Under mcusim it reads the modelled cycle count; QEMU has no DWT (reads 0).
 */
#include <string.h>

#include "console.h"
#include "model_app.h"

#ifndef TARGET_NAME
#define TARGET_NAME "unknown"
#endif
#ifndef MODEL_APP_ARENA_BYTES
#error "the app's app.mk sets MODEL_APP_ARENA_BYTES"
#endif

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define HAVE_DWT 1
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#else
#define HAVE_DWT 0
#endif

mce_engine g_app_engine;
__attribute__((aligned(16))) uint8_t mce_app_arena[MODEL_APP_ARENA_BYTES];

void app_puts(const char *s)
{
    sh_puts(s);
}

void app_put_u32(uint32_t v)
{
    sh_put_u32(v);
}

void app_put_i32(int32_t v)
{
    sh_put_i32(v);
}

void app_put_hex_bytes(const uint8_t *p, uint32_t n)
{
    sh_put_hex_bytes(p, n);
}

int model_app_init(const char *name)
{
    const uint32_t model_bytes = (uint32_t)(mce_app_model_end - mce_app_model);
    mce_status st = mce_init(&g_app_engine, mce_app_model, model_bytes, mce_app_arena,
                             MODEL_APP_ARENA_BYTES);
    app_puts(name);
    if (st != MCE_OK) {
        app_puts(": init failed: ");
        app_puts(mce_status_str(st));
        app_puts(": ");
        app_puts(mce_error_message(&g_app_engine));
        sh_put_kv("arena_needed", mce_arena_needed(&g_app_engine));
        app_puts("\n");
        return 1;
    }
    app_puts(": target=" TARGET_NAME " kernels=");
    app_puts(mce_kernel_flavour());
    sh_put_kv("model_bytes", model_bytes);
    sh_put_kv("arena_needed", mce_arena_needed(&g_app_engine));
    sh_put_kv("arena", MODEL_APP_ARENA_BYTES);
    app_puts("\n");
    return 0;
}

int model_app_invoke(const char *name, const uint8_t *input, uint32_t bytes, uint32_t *cycles)
{
    mce_tensor_info in;
    mce_status st;
    uint32_t start = 0;
    if (mce_input(&g_app_engine, 0, &in) != MCE_OK || in.bytes != bytes) {
        app_puts(name);
        app_puts(": input size differs from the model's input\n");
        return 1;
    }
    memcpy(in.data, input, bytes);
#if HAVE_DWT
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_CTRL |= 1u;    /* CYCCNTENA */
    start = DWT_CYCCNT;
#endif
    st = mce_invoke(&g_app_engine);
#if HAVE_DWT
    *cycles = DWT_CYCCNT - start;
#else
    (void)start;
    *cycles = 0;
#endif
    if (st != MCE_OK) {
        app_puts(name);
        app_puts(": invoke failed: ");
        app_puts(mce_status_str(st));
        app_puts(": ");
        app_puts(mce_error_message(&g_app_engine));
        app_puts("\n");
        return 1;
    }
    return 0;
}

const int8_t *model_app_output(uint32_t *bytes)
{
    mce_tensor_info out;
    if (mce_output(&g_app_engine, 0, &out) != MCE_OK) {
        *bytes = 0;
        return NULL;
    }
    *bytes = out.bytes;
    return (const int8_t *)out.data;
}

uint32_t model_app_argmax(const int8_t *v, uint32_t n)
{
    uint32_t i, best = 0;
    for (i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

int model_app_check_reference(const char *name, model_app_describe_fn describe)
{
    const uint32_t in_bytes = (uint32_t)(mce_app_input_end - mce_app_input);
    const uint32_t ref_bytes = (uint32_t)(mce_app_output_end - mce_app_output);
    uint32_t cycles, n;
    const int8_t *out;
    int match;
    if (model_app_invoke(name, mce_app_input, in_bytes, &cycles) != 0)
        return 1;
    out = model_app_output(&n);
    match = out && n == ref_bytes && memcmp(out, mce_app_output, n) == 0;
    app_puts(name);
    app_puts(":");
    if (out)
        describe(out, n);
    sh_put_kv("dwt_cycles", cycles);
    app_puts(" output=");
    app_put_hex_bytes((const uint8_t *)out, n);
    app_puts(match ? " reference=match\n" : " reference=MISMATCH\n");
    if (!match) {
        app_puts(name);
        app_puts(": expected ");
        app_put_hex_bytes(mce_app_output, ref_bytes);
        app_puts("\n");
    }
    return match ? 0 : 1;
}
