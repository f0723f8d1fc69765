/*
 * mce — mcusim's own int8 TFLite inference engine (C99, no malloc, zero copy).
 *
 * The engine reads a .tflite flatbuffer straight from a const buffer (it never copies the
 * model), checks every offset and length against the buffer size, plans one tensor arena by
 * tensor lifetimes, and runs reference int8 kernels that follow TFLite/TFLM quantization
 * semantics bit for bit.
 *
 * Usage:
 *     static mce_engine eng;
 *     static uint8_t arena[32 * 1024] __attribute__((aligned(16)));
 *     mce_status st = mce_init(&eng, model, model_len, arena, sizeof arena);
 *     if (st != MCE_OK) { puts(mce_error_message(&eng)); ... }
 *     mce_tensor_info in; mce_input(&eng, 0, &in); memcpy(in.data, x, in.bytes);
 *     st = mce_invoke(&eng);
 *     mce_tensor_info out; mce_output(&eng, 0, &out);
 *
 * Memory: everything the engine needs at run time lives in the caller's arena (the tensor and
 * operator tables and per-channel requantization constants at the arena's end, the planned
 * activation buffers at its start) plus the mce_engine struct itself. mce_arena_needed()
 * gives the exact arena size the model needs (assuming a 16-byte aligned arena); it is valid
 * after mce_init returned MCE_OK or MCE_ERR_ARENA.
 */
#ifndef MCE_H
#define MCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MCE_OK = 0,
    MCE_ERR_ARG = 1,          /* NULL pointer, bad index, invoke before a successful init */
    MCE_ERR_MODEL = 2,        /* malformed flatbuffer: an offset/length outside the buffer, missing table */
    MCE_ERR_VERSION = 3,      /* schema version other than 3, or no subgraph */
    MCE_ERR_UNSUPPORTED_OP = 4,   /* builtin/custom operator this engine has no kernel for */
    MCE_ERR_UNSUPPORTED_TYPE = 5, /* tensor type (or type combination) an operator does not support */
    MCE_ERR_SHAPE = 6,        /* tensor shapes inconsistent with the operator */
    MCE_ERR_QUANT = 7,        /* missing or unusable quantization parameters */
    MCE_ERR_ARENA = 8,        /* arena too small: see mce_arena_needed() */
    MCE_ERR_ALIGN = 9,        /* int32/float constant data not 4-byte aligned in memory */
    MCE_ERR_LIMIT = 10        /* model exceeds an engine limit (rank > MCE_MAX_DIMS, sizes > 2 GiB) */
} mce_status;

#define MCE_MAX_DIMS 6

/* TFLite TensorType values (schema enum TensorType) for the types the engine knows. */
#define MCE_TYPE_FLOAT32 0
#define MCE_TYPE_INT32 2
#define MCE_TYPE_UINT8 3
#define MCE_TYPE_INT16 7
#define MCE_TYPE_INT8 9

typedef struct {
    void *data;              /* tensor bytes (in the arena for activations) */
    uint32_t bytes;          /* size in bytes */
    int32_t type;            /* MCE_TYPE_* (TFLite TensorType) */
    int32_t ndim;
    int32_t dims[MCE_MAX_DIMS];
    float scale;             /* per-tensor quantization (0 if none) */
    int32_t zero_point;
} mce_tensor_info;

struct mce_tensor;
struct mce_op;

/* Engine state. Allocate it yourself (static or on the stack); treat every field as private. */
typedef struct mce_engine {
    const uint8_t *model;
    uint32_t model_size;
    uint8_t *arena;              /* 16-byte aligned start of the usable arena */
    uint32_t arena_size;         /* usable bytes from `arena` */
    struct mce_tensor *tensors;
    uint32_t n_tensors;
    struct mce_op *ops;
    uint32_t n_ops;
    uint32_t in_vec, n_inputs;   /* model offsets of the subgraph's input/output index vectors */
    uint32_t out_vec, n_outputs;
    uint32_t activation_bytes;   /* planned activation block (arena head) */
    uint32_t persistent_bytes;   /* tables and per-op constants (arena tail) */
    uint32_t arena_needed;       /* activation_bytes + persistent_bytes */
    int32_t err_op;              /* operator index of the last error, -1 if none */
    mce_status last_status;
    int ready;
    char errmsg[112];
} mce_engine;

/* Parse and validate the model, plan the arena, precompute per-op constants.
 * `model` must stay valid and unchanged for the engine's lifetime (it is not copied) and
 * should be 4-byte aligned (int32 biases are used in place). */
mce_status mce_init(mce_engine *e, const void *model, size_t model_size, void *arena,
                    size_t arena_size);

/* Run every operator once. Inputs must have been written first. */
mce_status mce_invoke(mce_engine *e);

uint32_t mce_num_inputs(const mce_engine *e);
uint32_t mce_num_outputs(const mce_engine *e);
mce_status mce_input(const mce_engine *e, uint32_t index, mce_tensor_info *info);
mce_status mce_output(const mce_engine *e, uint32_t index, mce_tensor_info *info);

/* Arena bytes the model needs (16-byte aligned arena), valid after MCE_OK or MCE_ERR_ARENA.
 * If even the tensor/operator tables did not fit, this is a lower bound. */
uint32_t mce_arena_needed(const mce_engine *e);

/* Short constant name of a status ("MCE_ERR_SHAPE", ...). */
const char *mce_status_str(mce_status s);
/* Human-readable description of the last error, naming the operator and its index when an
 * operator caused it (e.g. "unsupported operator TANH (builtin 28) at operator index 4"). */
const char *mce_error_message(const mce_engine *e);
/* Operator index of the last error, -1 when the error is not tied to one operator. */
int32_t mce_error_op_index(const mce_engine *e);
/* Name of a TFLite BuiltinOperator code ("CONV_2D"), "UNKNOWN" outside the enum. */
const char *mce_op_name(int32_t builtin_code);
/* Kernel flavour compiled in: "reference", "optimized-dsp" (MCE_KERNELS_OPTIMIZED on a core
 * with the DSP extension) or "optimized-portable" (MCE_KERNELS_OPTIMIZED on a non-Arm host,
 * for tests). */
const char *mce_kernel_flavour(void);

#ifdef __cplusplus
}
#endif

#endif /* MCE_H */
