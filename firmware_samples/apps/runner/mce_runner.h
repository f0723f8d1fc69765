/*
 * mce_runner.h - the contract between the generic model runner firmware (apps/runner, built
 * as runner-ref and runner-opt) and whatever places a model and an input in its memory: the
 * simulator, a debugger script, or QEMU's "-device loader". Also described in
 * firmware_samples/README.md, section "Runner".
 *
 * Memory the host fills before the CPU starts (after loading the ELF's segments: the regions
 * are NOBITS, i.e. not stored in the file, and a loader that zero-fills a segment's memsz
 * would clear them if it ran afterwards):
 *
 *   mce_runner_model   (section .mce_model, in FLASH, the last MCE_RUNNER_MODEL_REGION_BYTES
 *                      of the target's flash, 16-byte aligned): an mce_runner_header
 *                      followed, at offset 32, by the .tflite bytes
 *   mce_runner_input   (section .mce_input, RAM, 16-byte aligned): the model's inputs, raw
 *                      bytes, concatenated in the subgraph's input order
 *
 * Memory the firmware fills:
 *
 *   mce_runner_output  (section .mce_output, RAM, 16-byte aligned): the model's outputs, raw
 *                      bytes, concatenated in output order
 *   mce_runner_status  (.bss): an mce_runner_status_t
 *
 * Each symbol's ELF st_size is its capacity in bytes. All fields are little-endian.
 */
#ifndef MCE_RUNNER_H
#define MCE_RUNNER_H

#include <stdint.h>

#define MCE_RUNNER_MAGIC "MCER"  /* header bytes 0..3 */
#define MCE_RUNNER_VERSION 1u
#define MCE_RUNNER_HEADER_BYTES 32u
#define MCE_RUNNER_STATUS_MAGIC 0x5345434Du /* "MCES" as stored bytes: 'M' 'C' 'E' 'S' */

/* At the start of mce_runner_model. 32 bytes, so the model is 16-byte aligned. */
typedef struct {
    char magic[4];             /*  0: 'M' 'C' 'E' 'R' */
    uint32_t version;          /*  4: MCE_RUNNER_VERSION */
    uint32_t model_bytes;      /*  8: length of the .tflite that starts at offset 32 */
    uint32_t input_bytes;      /* 12: bytes in mce_runner_input; must equal the model's
                                      total input bytes */
    uint32_t output_bytes_max; /* 16: most output bytes the host accepts; 0: the buffer size */
    uint32_t arena_bytes;      /* 20: arena to give the engine; 0: the whole static arena */
    uint32_t reserved[2];      /* 24: 0 */
} mce_runner_header;

/* mce_runner_status_t.status; the firmware's exit code is the same number. */
enum {
    MCE_RUNNER_OK = 0,
    MCE_RUNNER_ERR_HEADER = 1,      /* bad magic, version or reserved words */
    MCE_RUNNER_ERR_MODEL_SIZE = 2,  /* model_bytes 0 or beyond the model region */
    MCE_RUNNER_ERR_ARENA_SIZE = 3,  /* arena_bytes above the static arena */
    MCE_RUNNER_ERR_INIT = 4,        /* mce_init failed (engine_status, message printed) */
    MCE_RUNNER_ERR_INPUT = 5,       /* input_bytes differs from the model's, or too large */
    MCE_RUNNER_ERR_INVOKE = 6,      /* mce_invoke failed (engine_status, message printed) */
    MCE_RUNNER_ERR_OUTPUT = 7       /* outputs larger than output_bytes_max or the buffer */
};

/* mce_runner_status_t.stage: how far the run got. */
enum {
    MCE_RUNNER_STAGE_START = 1,
    MCE_RUNNER_STAGE_INIT = 2,
    MCE_RUNNER_STAGE_INVOKE = 3,
    MCE_RUNNER_STAGE_DONE = 4
};

typedef struct {
    uint32_t magic;          /*  0: MCE_RUNNER_STATUS_MAGIC once main() has started */
    int32_t status;          /*  4: MCE_RUNNER_OK or MCE_RUNNER_ERR_* */
    uint32_t stage;          /*  8: MCE_RUNNER_STAGE_* reached */
    int32_t engine_status;   /* 12: mce_status of the failing engine call (0 if none) */
    int32_t error_op;        /* 16: operator index of an engine error, -1 if none */
    uint32_t arena_needed;   /* 20: mce_arena_needed() (valid after init, or its arena error) */
    uint32_t arena_bytes;    /* 24: arena given to the engine */
    uint32_t input_bytes;    /* 28: bytes the model's inputs take */
    uint32_t output_bytes;   /* 32: bytes written to mce_runner_output */
    uint32_t n_inputs;       /* 36 */
    uint32_t n_outputs;      /* 40 */
} mce_runner_status_t;

#endif /* MCE_RUNNER_H */
