/* Engine internals: bounds-checked flatbuffer reader, run-time tables, quantization helpers. */
#ifndef MCE_INTERNAL_H
#define MCE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mce.h"
#include "mce_kernels.h"

/* ---------------------------------------------------------------------------------------
 * Flatbuffer reader. A position is a byte offset into the model buffer; 0 doubles as "absent"
 * (offset 0 is the root offset, never a table, vector or field). Every read checks bounds;
 * a failed check sets `bad` and returns 0 / "absent", so callers parse a whole section and
 * then test `bad` once. No pointer into the model is formed before its range is checked.
 * ------------------------------------------------------------------------------------- */
typedef struct {
    const uint8_t *p;
    uint32_t n;
    int bad;
} mce_fb;

uint32_t mce_fb_u32_at(mce_fb *r, uint32_t pos);
/* Absolute position of scalar/offset field `field` (0-based, schema order) of the table at
 * `table`, or 0 when absent. `size` is the field's byte size, checked to lie in the buffer. */
uint32_t mce_fb_field(mce_fb *r, uint32_t table, uint32_t field, uint32_t size);
uint32_t mce_fb_u8(mce_fb *r, uint32_t table, uint32_t field, uint32_t dflt);
int32_t mce_fb_i32(mce_fb *r, uint32_t table, uint32_t field, int32_t dflt);
uint32_t mce_fb_u32(mce_fb *r, uint32_t table, uint32_t field, uint32_t dflt);
uint64_t mce_fb_u64(mce_fb *r, uint32_t table, uint32_t field, uint64_t dflt);
float mce_fb_f32(mce_fb *r, uint32_t table, uint32_t field, float dflt);
/* Follow an offset field to a table (or string/vector start); 0 if absent or out of range. */
uint32_t mce_fb_ref(mce_fb *r, uint32_t table, uint32_t field);
/* Vector field: returns position of element 0 and sets *count; elements checked to fit. */
uint32_t mce_fb_vec(mce_fb *r, uint32_t table, uint32_t field, uint32_t elem_size,
                    uint32_t *count);
/* Element i of a vector of tables starting at `start`. */
uint32_t mce_fb_vec_table(mce_fb *r, uint32_t start, uint32_t count, uint32_t i);
/* Unchecked little-endian decoders for ranges already validated. */
static inline uint32_t mce_rd_u32(const uint8_t *q)
{
    return (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) |
           ((uint32_t)q[3] << 24);
}
static inline int32_t mce_rd_i32(const uint8_t *q)
{
    return (int32_t)mce_rd_u32(q);
}
float mce_rd_f32(const uint8_t *q);

/* --------------------------------------------------------------------------------------- */

typedef struct mce_tensor {
    uint8_t *data;               /* arena or model bytes */
    uint32_t bytes;
    int32_t dims[MCE_MAX_DIMS];
    uint8_t ndim;
    uint8_t type;
    uint8_t is_const;
    uint8_t placed;              /* planner bookkeeping */
    float scale;                 /* first scale (per-tensor), 0 if none */
    int32_t zero_point;
    uint32_t quant;              /* position of QuantizationParameters table, 0 if none */
    int32_t first, last;         /* op indices of lifetime; first = -1 when not planned */
    uint32_t offset;             /* planned arena offset */
} mce_tensor;

typedef struct mce_op {
    int32_t code;                /* builtin code */
    uint32_t in_vec, n_in;       /* position of the operator's input index vector */
    uint32_t out_vec, n_out;
    uint32_t options;            /* position of the builtin options table, 0 if none */
    union {
        mce_conv_params conv;
        mce_dw_params dw;
        mce_fc_params fc;
        mce_pool_params pool;
        mce_add_params add;
        mce_mul_params mul;
        mce_softmax_params softmax;
        mce_logistic_params logistic;
        mce_quantize_params quantize;
        mce_requantize_params requantize;
        mce_dequantize_params dequantize;
        mce_concat_params concat;
        mce_pad_params pad;
        mce_mean_params mean;
    } p;
    uint32_t scratch_bytes;      /* kernel scratch, planned like a tensor living only
                                    during this operator (0: none) */
    uint32_t scratch_offset;     /* its arena offset, once planned */
    uint8_t variant;             /* kernel variant within an op (e.g. QUANTIZE f32 vs s8) */
    uint8_t scratch_placed;      /* planner bookkeeping */
} mce_op;

/* Builtin operator codes (TFLite schema enum BuiltinOperator). */
enum {
    MCE_OP_ADD = 0,
    MCE_OP_AVERAGE_POOL_2D = 1,
    MCE_OP_CONCATENATION = 2,
    MCE_OP_CONV_2D = 3,
    MCE_OP_DEPTHWISE_CONV_2D = 4,
    MCE_OP_DEQUANTIZE = 6,
    MCE_OP_FULLY_CONNECTED = 9,
    MCE_OP_LOGISTIC = 14,
    MCE_OP_MAX_POOL_2D = 17,
    MCE_OP_MUL = 18,
    MCE_OP_RESHAPE = 22,
    MCE_OP_SOFTMAX = 25,
    MCE_OP_CUSTOM = 32,
    MCE_OP_PAD = 34,
    MCE_OP_MEAN = 40,
    MCE_OP_SQUEEZE = 43,
    MCE_OP_PADV2 = 60,
    MCE_OP_QUANTIZE = 114
};

/* Schema enum BuiltinOptions values of the option tables the engine reads. */
enum {
    MCE_OPT_CONV2D = 1,
    MCE_OPT_DEPTHWISE = 2,
    MCE_OPT_POOL2D = 5,
    MCE_OPT_FULLY_CONNECTED = 8,
    MCE_OPT_SOFTMAX = 9,
    MCE_OPT_CONCATENATION = 10,
    MCE_OPT_ADD = 11,
    MCE_OPT_RESHAPE = 17,
    MCE_OPT_MUL = 21,
    MCE_OPT_REDUCER = 27
};

/* ActivationFunctionType */
enum { MCE_ACT_NONE = 0, MCE_ACT_RELU = 1, MCE_ACT_RELU_N1_TO_1 = 2, MCE_ACT_RELU6 = 3 };
/* Padding */
enum { MCE_PAD_SAME = 0, MCE_PAD_VALID = 1 };

/* Quantization helpers (mce_quant.c). */
void mce_quantize_multiplier(double real, int32_t *mult, int32_t *shift);
float mce_roundf(float x);
double mce_round(double x);
double mce_floor(double x);
/* int8 activation range of a fused activation on a tensor quantized with (scale, zp).
 * Returns 0, or -1 for an activation this engine does not support. */
int mce_act_range_s8(int32_t act, float scale, int32_t zp, int32_t *lo, int32_t *hi);

#endif /* MCE_INTERNAL_H */
