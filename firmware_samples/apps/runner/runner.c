/*
 * runner.c - generic model runner: runs whatever .tflite the host placed in the model region
 * once, on the input the host placed in the input buffer, and leaves the outputs in the
 * output buffer (contract: mce_runner.h; firmware_samples/README.md, "Runner").
 *
 * Built as runner-ref (reference kernels, every target) and runner-opt (optimized kernels,
 * cores with the DSP extension). Prints one line through semihosting:
 *
 *   mce-runner: ok target=mps2-an386 kernels=optimized-dsp arena_needed=25088 arena=1048576
 *               input_bytes=490 output_bytes=12 output=8080808080808080806280a0
 *
 * (one line; output is every output byte as two hex digits, in order) and exits 0, or
 *
 *   mce-runner: error 4 (init) MCE_ERR_ARENA: arena too small: need ... arena_needed=...
 *
 * and exits with the MCE_RUNNER_ERR_* number.
 *
 * Sizes come from the build (apps/runner/app.mk, per target): MCE_RUNNER_MODEL_REGION_BYTES,
 * MCE_RUNNER_ARENA_BYTES, MCE_RUNNER_INPUT_BYTES, MCE_RUNNER_OUTPUT_BYTES.
 */
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "mce.h"
#include "mce_runner.h"
#include "semihost.h"

#ifndef TARGET_NAME
#define TARGET_NAME "unknown"
#endif

#if !defined(MCE_RUNNER_MODEL_REGION_BYTES) || !defined(MCE_RUNNER_ARENA_BYTES) || \
    !defined(MCE_RUNNER_INPUT_BYTES) || !defined(MCE_RUNNER_OUTPUT_BYTES)
#error "apps/runner/app.mk passes the region sizes for each target"
#endif

/* Host-filled regions and the output buffer: NOBITS sections defined in runner_regions.S and
 * placed by runner.ld (not in the ELF file, not zeroed by Reset_Handler). */
extern uint8_t mce_runner_model[MCE_RUNNER_MODEL_REGION_BYTES];
extern uint8_t mce_runner_input[MCE_RUNNER_INPUT_BYTES];
extern uint8_t mce_runner_output[MCE_RUNNER_OUTPUT_BYTES];

/* Filled by the firmware (ordinary .bss: zeroed at reset). */
mce_runner_status_t mce_runner_status;
__attribute__((aligned(16))) uint8_t mce_runner_arena[MCE_RUNNER_ARENA_BYTES];
static mce_engine g_engine;

static const char *const k_stage_names[] = {"none", "start", "init", "invoke", "done"};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* The input copy before Invoke: a loop of its own, not the C library's memcpy, so that the
 * kernels that do call memcpy (RESHAPE, CONCATENATION) find its code as the middle of a
 * model leaves it, not fetched into the instruction cache just before the op under study.
 * The volatile read keeps the compiler from turning the loop back into a memcpy call. */
static void copy_input(void *dst, const uint8_t *src, uint32_t bytes)
{
    uint8_t *d = (uint8_t *)dst;
    const volatile uint8_t *s = src;
    uint32_t i;
    for (i = 0; i < bytes; i++)
        d[i] = s[i];
}

static int finish(int32_t status, const char *what)
{
    mce_runner_status_t *st = &mce_runner_status;
    st->status = status;
    sh_puts("mce-runner: error ");
    sh_put_i32(status);
    sh_puts(" (");
    sh_puts(k_stage_names[st->stage < 5u ? st->stage : 0u]);
    sh_puts(") ");
    if (st->engine_status != MCE_OK) {
        sh_puts(mce_status_str((mce_status)st->engine_status));
        sh_puts(": ");
        sh_puts(mce_error_message(&g_engine));
    } else {
        sh_puts(what);
    }
    if (status == MCE_RUNNER_ERR_INIT && st->engine_status == MCE_ERR_ARENA)
        sh_put_kv("arena_needed", st->arena_needed);
    sh_puts("\n");
    return status;
}

int main(void)
{
    mce_runner_status_t *st = &mce_runner_status;
    const uint8_t *hdr = mce_runner_model;
    uint32_t model_bytes, input_bytes, output_max, arena_bytes, i, off;
    mce_status es;

    st->magic = MCE_RUNNER_STATUS_MAGIC;
    st->stage = MCE_RUNNER_STAGE_START;
    st->error_op = -1;

    if (memcmp(hdr, MCE_RUNNER_MAGIC, 4) != 0 || rd32(hdr + 4) != MCE_RUNNER_VERSION ||
        rd32(hdr + 24) != 0 || rd32(hdr + 28) != 0)
        return finish(MCE_RUNNER_ERR_HEADER, "no valid MCER header at mce_runner_model");
    model_bytes = rd32(hdr + 8);
    input_bytes = rd32(hdr + 12);
    output_max = rd32(hdr + 16);
    arena_bytes = rd32(hdr + 20);
    if (model_bytes == 0 || model_bytes > sizeof mce_runner_model - MCE_RUNNER_HEADER_BYTES)
        return finish(MCE_RUNNER_ERR_MODEL_SIZE, "model_bytes is 0 or beyond the model region");
    if (arena_bytes == 0)
        arena_bytes = sizeof mce_runner_arena;
    if (arena_bytes > sizeof mce_runner_arena)
        return finish(MCE_RUNNER_ERR_ARENA_SIZE, "arena_bytes beyond the static arena");
    if (output_max == 0 || output_max > sizeof mce_runner_output)
        output_max = sizeof mce_runner_output;
    st->arena_bytes = arena_bytes;

    st->stage = MCE_RUNNER_STAGE_INIT;
    es = mce_init(&g_engine, hdr + MCE_RUNNER_HEADER_BYTES, model_bytes, mce_runner_arena,
                  arena_bytes);
    st->arena_needed = mce_arena_needed(&g_engine);
    if (es != MCE_OK) {
        st->engine_status = (int32_t)es;
        st->error_op = mce_error_op_index(&g_engine);
        return finish(MCE_RUNNER_ERR_INIT, "");
    }
    st->n_inputs = mce_num_inputs(&g_engine);
    st->n_outputs = mce_num_outputs(&g_engine);

    /* Inputs: consecutive slices of the input buffer, in input order. */
    for (i = 0, off = 0; i < st->n_inputs; i++) {
        mce_tensor_info ti;
        (void)mce_input(&g_engine, i, &ti);
        off += ti.bytes;
    }
    st->input_bytes = off;
    if (off != input_bytes || off > sizeof mce_runner_input)
        return finish(MCE_RUNNER_ERR_INPUT, "input_bytes differs from the model's inputs");
    for (i = 0, off = 0; i < st->n_inputs; i++) {
        mce_tensor_info ti;
        (void)mce_input(&g_engine, i, &ti);
        copy_input(ti.data, mce_runner_input + off, ti.bytes);
        off += ti.bytes;
    }
    for (i = 0, off = 0; i < st->n_outputs; i++) {
        mce_tensor_info to;
        (void)mce_output(&g_engine, i, &to);
        off += to.bytes;
    }
    if (off > output_max)
        return finish(MCE_RUNNER_ERR_OUTPUT, "outputs larger than output_bytes_max");

    st->stage = MCE_RUNNER_STAGE_INVOKE;
    es = mce_invoke(&g_engine);
    if (es != MCE_OK) {
        st->engine_status = (int32_t)es;
        st->error_op = mce_error_op_index(&g_engine);
        return finish(MCE_RUNNER_ERR_INVOKE, "");
    }

    for (i = 0, off = 0; i < st->n_outputs; i++) {
        mce_tensor_info to;
        (void)mce_output(&g_engine, i, &to);
        memcpy(mce_runner_output + off, to.data, to.bytes);
        off += to.bytes;
    }
    st->output_bytes = off;
    st->stage = MCE_RUNNER_STAGE_DONE;
    st->status = MCE_RUNNER_OK;

    sh_puts("mce-runner: ok target=" TARGET_NAME " kernels=");
    sh_puts(mce_kernel_flavour());
    sh_put_kv("arena_needed", st->arena_needed);
    sh_put_kv("arena", st->arena_bytes);
    sh_put_kv("input_bytes", st->input_bytes);
    sh_put_kv("output_bytes", st->output_bytes);
    sh_puts(" output=");
    sh_put_hex_bytes(mce_runner_output, st->output_bytes);
    sh_puts("\n");
    return 0;
}
