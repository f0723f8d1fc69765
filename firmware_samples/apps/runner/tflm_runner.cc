/*
 * tflm_runner.cc - a template runner for TensorFlow Lite for Microcontrollers that follows the
 * mcusim runner contract (mce_runner.h; firmware_samples/README.md, "Runner" and "A runner on
 * your own TFLM build"). Build it once with your TFLM library (your kernels, your compiler
 * flags, your target) and `mcusim profile MODEL.tflite --runner tflm_runner.elf` runs any
 * model whose ops are registered below, without rebuilding.
 *
 * This file is mcusim's own code, written against TFLM's public C++ API (GetModel,
 * MicroMutableOpResolver, MicroInterpreter, MicroPrintf). It is meant to be copied into your
 * project and edited: add the ops your models need in add_ops(), change the sizes below.
 *
 * What it does: reads the 32-byte MCER header and the model that the host (mcusim) wrote to
 * mce_runner_model before the first instruction, builds a MicroInterpreter on mce_runner_arena,
 * copies mce_runner_input into the model's inputs, calls Invoke() once, copies the outputs
 * to mce_runner_output, fills mce_runner_status and returns the status from main() (with
 * newlib's rdimon semihosting, as TFLM's cortex_m_qemu target links, that is the semihosting
 * exit code). Errors are printed with MicroPrintf, the last line being
 *
 *   mce-runner: error <status> (<stage>) <reason>
 *
 * and, on success,
 *
 *   mce-runner: ok kernels=tflm arena_needed=N arena=N input_bytes=N output_bytes=N output=<hex>
 *
 * Link requirement: mce_runner_model and mce_runner_input must keep what the host wrote before
 * reset, so they must not be in .data (start-up copies its initial values over them) or .bss
 * (start-up zeroes it). By default they go to ".noinit.mce_model" / ".noinit.mce_input", which
 * the GNU ld default script and most vendor scripts collect into the NOLOAD .noinit output
 * section; pass -DMCE_RUNNER_MODEL_SECTION=... -DMCE_RUNNER_INPUT_SECTION=... to place them in a
 * NOLOAD section of your own linker script (e.g. the model at the end of flash).
 *
 * Optional: -DMCE_RUNNER_PROFILE gives the interpreter a tflite::MicroProfiler and prints its
 * Log() after Invoke() ("CONV_2D took N ticks (M ms)." per op), which mcusim shows next to its
 * own per-op cycles. The ticks are your platform's GetCurrentTimeTicks(); TFLM's default one
 * returns 0. -DMCE_RUNNER_CYCCNT_TICKS defines ticks_per_second() and GetCurrentTimeTicks()
 * here from the Cortex-M DWT cycle counter (clock MCE_RUNNER_CLOCK_HZ, default 25 MHz), in
 * place of the library's (link this object before libtensorflow-microlite.a, as usual).
 *
 * Older TFLM: -DMCE_RUNNER_TFLM_LEGACY for the 2020 releases (TensorFlow 2.3's tree, before
 * MicroPrintf), -DMCE_RUNNER_TFLM_2021 for those of mid-2021 to early 2022 (MicroPrintf in
 * micro_error_reporter.h, an ErrorReporter still passed to the interpreter).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mce_runner.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"
#ifdef MCE_RUNNER_PROFILE
#include "tensorflow/lite/micro/micro_profiler.h"
#endif
#ifdef MCE_RUNNER_CYCCNT_TICKS
#include "tensorflow/lite/micro/micro_time.h"
#endif

/* TFLM before MicroPrintf (the 2020-2021 releases, e.g. the TensorFlow 2.3 tree that MLPerf
 * Tiny v0.5 used): -DMCE_RUNNER_TFLM_LEGACY logs through a MicroErrorReporter, passes it to
 * the interpreter, and uses those releases' MicroProfiler (constructed with the reporter; it
 * prints "<OP> took N cycles" as each op ends) and int32_t tick functions. */
#ifdef MCE_RUNNER_TFLM_LEGACY
#include "tensorflow/lite/micro/micro_error_reporter.h"
#include "tensorflow/lite/version.h" /* TFLITE_SCHEMA_VERSION */
namespace {
tflite::MicroErrorReporter g_reporter;
}
#define MicroPrintf(...) TF_LITE_REPORT_ERROR(&g_reporter, __VA_ARGS__)
#define MCE_INTERPRETER_ARG5 &g_reporter /* the error reporter */
typedef int32_t mce_tick_t;
#elif defined(MCE_RUNNER_TFLM_2021)
/* The releases of mid-2021 to early 2022: MicroPrintf is declared in micro_error_reporter.h, the
 * interpreter still takes an ErrorReporter (the library's own), the MicroProfiler is the newer
 * one (default-constructed, Log() after Invoke()), ticks are int32_t. */
#include "tensorflow/lite/micro/micro_error_reporter.h"
#define MCE_INTERPRETER_ARG5 tflite::GetMicroErrorReporter(), nullptr /* reporter, variables */
typedef int32_t mce_tick_t;
#else
#include "tensorflow/lite/micro/micro_log.h"
#define MCE_INTERPRETER_ARG5 nullptr /* resource variables: none */
typedef uint32_t mce_tick_t;
#endif

/* Capacities in bytes (each symbol's ELF st_size, which mcusim reads). */
#ifndef MCE_RUNNER_MODEL_REGION_BYTES
#define MCE_RUNNER_MODEL_REGION_BYTES (1024u * 1024u) /* 32-byte header + the .tflite */
#endif
#ifndef MCE_RUNNER_ARENA_BYTES
#define MCE_RUNNER_ARENA_BYTES (512u * 1024u)
#endif
#ifndef MCE_RUNNER_INPUT_BYTES
#define MCE_RUNNER_INPUT_BYTES (64u * 1024u)
#endif
#ifndef MCE_RUNNER_OUTPUT_BYTES
#define MCE_RUNNER_OUTPUT_BYTES (16u * 1024u)
#endif
#ifndef MCE_RUNNER_MODEL_SECTION
#define MCE_RUNNER_MODEL_SECTION ".noinit.mce_model"
#endif
#ifndef MCE_RUNNER_INPUT_SECTION
#define MCE_RUNNER_INPUT_SECTION ".noinit.mce_input"
#endif
#ifndef MCE_RUNNER_KERNELS
#define MCE_RUNNER_KERNELS "tflm" /* shown in the ok line; e.g. -DMCE_RUNNER_KERNELS='"cmsis_nn"' */
#endif

/* The contract's symbols: C linkage, so their ELF names are exactly these. */
extern "C" {
__attribute__((section(MCE_RUNNER_MODEL_SECTION), aligned(16), used))
uint8_t mce_runner_model[MCE_RUNNER_MODEL_REGION_BYTES];
__attribute__((section(MCE_RUNNER_INPUT_SECTION), aligned(16), used))
uint8_t mce_runner_input[MCE_RUNNER_INPUT_BYTES];
__attribute__((aligned(16), used)) uint8_t mce_runner_output[MCE_RUNNER_OUTPUT_BYTES];
__attribute__((used)) mce_runner_status_t mce_runner_status; /* .bss: zeroed at reset */
__attribute__((aligned(16), used)) uint8_t mce_runner_arena[MCE_RUNNER_ARENA_BYTES];
}

#ifdef MCE_RUNNER_CYCCNT_TICKS
#ifndef MCE_RUNNER_CLOCK_HZ
#define MCE_RUNNER_CLOCK_HZ 25000000u
#endif
namespace tflite {
/* Ticks are core cycles from the DWT cycle counter (Armv7-M: DEMCR.TRCENA, DWT_CTRL.CYCCNTENA),
 * started on first use. */
mce_tick_t ticks_per_second() { return MCE_RUNNER_CLOCK_HZ; }
mce_tick_t GetCurrentTimeTicks()
{
    volatile uint32_t* const demcr = (volatile uint32_t*)0xE000EDFCu;
    volatile uint32_t* const dwt_ctrl = (volatile uint32_t*)0xE0001000u;
    volatile uint32_t* const cyccnt = (volatile uint32_t*)0xE0001004u;
    if (!(*dwt_ctrl & 1u)) {
        *demcr |= 1u << 24;
        *cyccnt = 0;
        *dwt_ctrl |= 1u;
    }
    return (mce_tick_t)*cyccnt;
}
}  // namespace tflite
#endif

namespace {

#if defined(MCE_RUNNER_PROFILE) && defined(MCE_RUNNER_TFLM_LEGACY)
tflite::MicroProfiler g_profiler(&g_reporter);
tflite::Profiler* const kProfiler = &g_profiler;
#elif defined(MCE_RUNNER_PROFILE)
tflite::MicroProfiler g_profiler;
tflite::MicroProfiler* const kProfiler = &g_profiler;
#elif defined(MCE_RUNNER_TFLM_LEGACY)
tflite::Profiler* const kProfiler = nullptr;
#elif defined(MCE_RUNNER_TFLM_2021)
tflite::MicroProfiler* const kProfiler = nullptr;
#else
tflite::MicroProfilerInterface* const kProfiler = nullptr;
#endif

/* The ops of the MLPerf Tiny int8 models (keyword spotting DS-CNN, image classification
 * ResNet-8, anomaly detection autoencoder, visual wake words MobileNet). Add yours here and
 * raise kMaxOps; a model with an op that is not registered fails in AllocateTensors() with
 * TFLM's own message ("Didn't find op for builtin opcode ...") and status 4 (init). */
constexpr int kMaxOps = 12;
using Resolver = tflite::MicroMutableOpResolver<kMaxOps>;

TfLiteStatus add_ops(Resolver& r)
{
    if (r.AddConv2D() != kTfLiteOk) return kTfLiteError;
    if (r.AddDepthwiseConv2D() != kTfLiteOk) return kTfLiteError;
    if (r.AddFullyConnected() != kTfLiteOk) return kTfLiteError;
    if (r.AddAveragePool2D() != kTfLiteOk) return kTfLiteError;
    if (r.AddReshape() != kTfLiteOk) return kTfLiteError;
    if (r.AddSoftmax() != kTfLiteOk) return kTfLiteError;
    if (r.AddAdd() != kTfLiteOk) return kTfLiteError;
    if (r.AddQuantize() != kTfLiteOk) return kTfLiteError;
    if (r.AddDequantize() != kTfLiteOk) return kTfLiteError;
    return kTfLiteOk;
}

const char* const kStageNames[] = {"none", "start", "init", "invoke", "done"};

uint32_t rd32(const uint8_t* p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

int finish(int32_t status, const char* what)
{
    mce_runner_status_t* st = &mce_runner_status;
    st->status = status;
    MicroPrintf("mce-runner: error %d (%s) %s", (int)status,
                kStageNames[st->stage < 5u ? st->stage : 0u], what);
    return (int)status;
}

/* Output bytes as hex for the ok line (mcusim reads mce_runner_output itself; the line is for
 * people and for QEMU runs). At most kHexBytes are shown. */
constexpr uint32_t kHexBytes = 64;
char g_hex[2 * kHexBytes + 4];

const char* hex(const uint8_t* p, uint32_t n)
{
    static const char digits[] = "0123456789abcdef";
    uint32_t i, m = n < kHexBytes ? n : kHexBytes;
    for (i = 0; i < m; i++) {
        g_hex[2 * i] = digits[p[i] >> 4];
        g_hex[2 * i + 1] = digits[p[i] & 15u];
    }
    g_hex[2 * m] = '\0';
    if (m < n) strcpy(&g_hex[2 * m], "...");
    return g_hex;
}

}  // namespace

int main(void)
{
    mce_runner_status_t* st = &mce_runner_status;
    const uint8_t* hdr = mce_runner_model;
    uint32_t model_bytes, input_bytes, output_max, arena_bytes, off;
    size_t i;

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
    if (arena_bytes == 0) arena_bytes = sizeof mce_runner_arena;
    if (arena_bytes > sizeof mce_runner_arena)
        return finish(MCE_RUNNER_ERR_ARENA_SIZE, "arena_bytes beyond the static arena");
    if (output_max == 0 || output_max > sizeof mce_runner_output)
        output_max = sizeof mce_runner_output;
    st->arena_bytes = arena_bytes;

    st->stage = MCE_RUNNER_STAGE_INIT;
    const tflite::Model* model = tflite::GetModel(hdr + MCE_RUNNER_HEADER_BYTES);
    if (model->version() != TFLITE_SCHEMA_VERSION) {
        MicroPrintf("model schema version %d, this TFLM supports %d", (int)model->version(),
                    (int)TFLITE_SCHEMA_VERSION);
        st->engine_status = kTfLiteError;
        return finish(MCE_RUNNER_ERR_INIT, "unsupported model schema version");
    }
    Resolver resolver;
    if (add_ops(resolver) != kTfLiteOk) {
        st->engine_status = kTfLiteError;
        return finish(MCE_RUNNER_ERR_INIT, "op resolver full: raise kMaxOps");
    }
    tflite::MicroInterpreter interpreter(model, resolver, mce_runner_arena, arena_bytes,
                                         MCE_INTERPRETER_ARG5, kProfiler);
    TfLiteStatus ts = interpreter.AllocateTensors();
    st->arena_needed = (uint32_t)interpreter.arena_used_bytes();
    if (ts != kTfLiteOk) {
        st->engine_status = ts;
        return finish(MCE_RUNNER_ERR_INIT, "AllocateTensors() failed (TFLM's message above)");
    }
    st->n_inputs = (uint32_t)interpreter.inputs_size();
    st->n_outputs = (uint32_t)interpreter.outputs_size();

    /* Inputs: consecutive slices of the input buffer, in input order. */
    for (i = 0, off = 0; i < interpreter.inputs_size(); i++) off += interpreter.input(i)->bytes;
    st->input_bytes = off;
    if (off != input_bytes || off > sizeof mce_runner_input)
        return finish(MCE_RUNNER_ERR_INPUT, "input_bytes differs from the model's inputs");
    for (i = 0, off = 0; i < interpreter.inputs_size(); i++) {
        TfLiteTensor* t = interpreter.input(i);
        memcpy(t->data.raw, mce_runner_input + off, t->bytes);
        off += t->bytes;
    }
    for (i = 0, off = 0; i < interpreter.outputs_size(); i++) off += interpreter.output(i)->bytes;
    if (off > output_max)
        return finish(MCE_RUNNER_ERR_OUTPUT, "outputs larger than output_bytes_max");

    st->stage = MCE_RUNNER_STAGE_INVOKE;
    ts = interpreter.Invoke();
    if (ts != kTfLiteOk) {
        st->engine_status = ts;
        return finish(MCE_RUNNER_ERR_INVOKE, "Invoke() failed (TFLM's message above)");
    }
#if defined(MCE_RUNNER_PROFILE) && !defined(MCE_RUNNER_TFLM_LEGACY)
    g_profiler.Log();
#endif

    for (i = 0, off = 0; i < interpreter.outputs_size(); i++) {
        TfLiteTensor* t = interpreter.output(i);
        memcpy(mce_runner_output + off, t->data.raw, t->bytes);
        off += t->bytes;
    }
    st->output_bytes = off;
    st->stage = MCE_RUNNER_STAGE_DONE;
    st->status = MCE_RUNNER_OK;
    MicroPrintf("mce-runner: ok kernels=%s arena_needed=%u arena=%u input_bytes=%u "
                "output_bytes=%u output=%s",
                MCE_RUNNER_KERNELS, (unsigned)st->arena_needed, (unsigned)st->arena_bytes,
                (unsigned)st->input_bytes, (unsigned)st->output_bytes,
                hex(mce_runner_output, st->output_bytes));
    return 0;
}
