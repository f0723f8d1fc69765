/*
 * mce kernels: one function per operator, each with a stable symbol name so that the
 * profiler can attribute cycles by function. NHWC layout, batch-major, TFLite int8
 * quantization semantics:
 *
 *   real = scale * (q - zero_point); accumulators are int32; requantization multiplies by a
 *   Q0.31 multiplier with a power-of-two shift using gemmlowp double rounding
 *   (mce_mul_by_qmult in mce_fixedpoint.h); results are clamped to [act_min, act_max]
 *   which already includes the fused RELU/RELU6 of the operator.
 *
 * Symbols:
 *   mce_conv2d_s8            CONV_2D int8 (per-channel or per-tensor weights, groups, dilation)
 *   mce_depthwise_conv2d_s8  DEPTHWISE_CONV_2D int8 (any depth multiplier, dilation)
 *   mce_fully_connected_s8   FULLY_CONNECTED int8 (per-tensor or per-channel weights)
 *   mce_avg_pool2d_s8        AVERAGE_POOL_2D int8
 *   mce_max_pool2d_s8        MAX_POOL_2D int8
 *   mce_add_s8               ADD int8 (with broadcasting up to MCE_MAX_DIMS)
 *   mce_mul_s8               MUL int8 (with broadcasting)
 *   mce_softmax_s8           SOFTMAX int8 -> int8 (gemmlowp fixed-point exp, as TFLM)
 *   mce_logistic_s8          LOGISTIC int8 -> int8 (fixed-point sigmoid, as TFLM)
 *   mce_quantize_f32_s8      QUANTIZE float32 -> int8
 *   mce_requantize_s8        QUANTIZE int8 -> int8
 *   mce_dequantize_s8_f32    DEQUANTIZE int8 -> float32
 *   mce_reshape              RESHAPE (byte copy)
 *   mce_concatenation_s8     CONCATENATION int8 (same quantization on all inputs)
 *   mce_pad_s8               PAD / PADV2 int8
 *   mce_mean_s8              MEAN int8 (any axes, keep_dims or not; TFLM's fixed-point mean)
 *
 * Kernel flavours, chosen at build time (every file of one build must agree):
 *   reference (default)      plain loops, any core
 *   -DMCE_KERNELS_OPTIMIZED  CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED from
 *                            mce_conv_opt.c / mce_depthwise_opt.c / mce_fc_opt.c: dual 16-bit
 *                            MACs (SMLAD, SMLABB/SMLATT, SXTB16, SXTAB16) for cores with the
 *                            DSP extension; refuses to build for Arm cores without it (see
 *                            mce_simd.h); the other operators keep the reference code.
 * Both flavours define the same symbols and give bit-identical outputs.
 */
#ifndef MCE_KERNELS_H
#define MCE_KERNELS_H

#include <stdint.h>

#include "mce.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t filter_in_c;         /* in_c / groups */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;        /* -input zero point */
    int32_t output_offset;       /* output zero point */
    int32_t act_min, act_max;
    const int32_t *mult;         /* per output channel Q0.31 multiplier */
    const int32_t *shift;        /* per output channel shift (>0 left) */
    void *scratch;               /* mce_conv2d_s8_scratch_bytes() bytes planned in the arena
                                    for this operator (NULL when 0), 4-byte aligned */
} mce_conv_params;

/* filter: [out_c][k_h][k_w][filter_in_c]; bias: [out_c] or NULL. */
void mce_conv2d_s8(const mce_conv_params *p, const int8_t *input, const int8_t *filter,
                   const int32_t *bias, int8_t *output);
/* Scratch bytes mce_conv2d_s8 needs for these parameters (0 in the reference flavour; the
 * optimized flavour's im2col columns otherwise). The engine plans it in the arena. */
uint32_t mce_conv2d_s8_scratch_bytes(const mce_conv_params *p);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c; /* out_c = in_c * depth_multiplier */
    int32_t depth_multiplier;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t input_offset, output_offset;
    int32_t act_min, act_max;
    const int32_t *mult;
    const int32_t *shift;
} mce_dw_params;

/* filter: [1][k_h][k_w][out_c]; bias: [out_c] or NULL. */
void mce_depthwise_conv2d_s8(const mce_dw_params *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output);

typedef struct {
    int32_t batches;
    int32_t in_depth;            /* accumulation depth */
    int32_t out_depth;           /* units */
    int32_t input_offset;
    int32_t filter_offset;       /* -filter zero point (per-tensor weights) */
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;         /* nonzero: mult/shift have out_depth entries */
    const int32_t *mult;
    const int32_t *shift;
} mce_fc_params;

/* filter: [out_depth][in_depth]; bias: [out_depth] or NULL. */
void mce_fully_connected_s8(const mce_fc_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} mce_pool_params;

/* Returns 0, or -1 if a window holds no input element (TFLM treats that as an error). */
int mce_avg_pool2d_s8(const mce_pool_params *p, const int8_t *input, int8_t *output);
void mce_max_pool2d_s8(const mce_pool_params *p, const int8_t *input, int8_t *output);

/* Elementwise binary broadcast shape: dims padded on the left to MCE_MAX_DIMS; a stride of
 * 0 broadcasts that input along the dimension. */
typedef struct {
    int32_t out_dims[MCE_MAX_DIMS];
    int32_t in1_strides[MCE_MAX_DIMS];
    int32_t in2_strides[MCE_MAX_DIMS];
} mce_bcast;

typedef struct {
    mce_bcast bc;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_mult, input1_shift;
    int32_t input2_mult, input2_shift;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} mce_add_params;

void mce_add_s8(const mce_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);

typedef struct {
    mce_bcast bc;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} mce_mul_params;

void mce_mul_s8(const mce_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);

typedef struct {
    int32_t rows;                /* product of all dims but the last */
    int32_t depth;               /* last dim */
    int32_t input_mult;          /* beta * input_scale * 2^26, as Q0.31 multiplier */
    int32_t input_left_shift;
    int32_t diff_min;            /* differences below this give exp() = 0 */
} mce_softmax_params;

void mce_softmax_s8(const mce_softmax_params *p, const int8_t *input, int8_t *output);

typedef struct {
    uint32_t count;
    int32_t input_zero_point;
    int32_t input_mult;          /* input scale * 2^27 as Q0.31 multiplier ... */
    int32_t input_left_shift;    /* ... and left shift */
    int32_t input_range_radius;  /* |x - zp| at or beyond this saturates */
} mce_logistic_params;

void mce_logistic_s8(const mce_logistic_params *p, const int8_t *input, int8_t *output);

typedef struct {
    uint32_t count;
    float scale;                 /* QUANTIZE float->int8: output scale */
    int32_t zero_point;          /* output zero point */
} mce_quantize_params;

void mce_quantize_f32_s8(const mce_quantize_params *p, const float *input, int8_t *output);

typedef struct {
    uint32_t count;
    int32_t input_zero_point, output_zero_point;
    int32_t mult, shift;
} mce_requantize_params;

void mce_requantize_s8(const mce_requantize_params *p, const int8_t *input, int8_t *output);

typedef struct {
    uint32_t count;
    double scale;                /* input scale, widened as TFLM does */
    int32_t zero_point;
} mce_dequantize_params;

void mce_dequantize_s8_f32(const mce_dequantize_params *p, const int8_t *input, float *output);

void mce_reshape(const void *input, void *output, uint32_t bytes);

typedef struct {
    int32_t outer;               /* product of dims before the axis */
    int32_t out_inner;           /* output elements per outer step (axis dim * inner) */
} mce_concat_params;

/* Copies each input's `inner_sizes[i]` elements per outer step into the output. */
void mce_concatenation_s8(const mce_concat_params *p, const int8_t *const *inputs,
                          const int32_t *inner_sizes, int32_t n_inputs, int8_t *output);

typedef struct {
    int32_t in_dims[MCE_MAX_DIMS];  /* padded on the left with 1 */
    int32_t out_dims[MCE_MAX_DIMS];
    int32_t before[MCE_MAX_DIMS];   /* padding before each dim */
    int8_t pad_value;
} mce_pad_params;

void mce_pad_s8(const mce_pad_params *p, const int8_t *input, int8_t *output);

/* MEAN: the input's dimensions with size 1 dropped and runs of neighbouring dimensions that
 * are all reduced (or all kept) merged, so a group is one (size, stride) pair in elements.
 * Kept and reduced groups alternate, so each kind has at most 3 groups (which keeps this
 * struct smaller than mce_add_params, the largest member of the operator table's union).
 * NHWC with axes {1, 2} becomes [N] kept, [H*W] reduced with stride C, [C] kept. */
#define MCE_MEAN_MAX_GROUPS ((MCE_MAX_DIMS + 1) / 2) /* groups alternate: at most 3 of a kind */

typedef struct {
    int32_t n_kept, n_red;                /* group counts (each <= MCE_MEAN_MAX_GROUPS) */
    int32_t kept_dims[MCE_MEAN_MAX_GROUPS], kept_strides[MCE_MEAN_MAX_GROUPS];
    int32_t red_dims[MCE_MEAN_MAX_GROUPS], red_strides[MCE_MEAN_MAX_GROUPS];
    int32_t out_count;                    /* product of the kept dims */
    int32_t sum_offset;                   /* -count * input zero point, count = elements
                                             averaged per output (<= 2^23) */
    int32_t output_zero_point;
    int32_t mult, shift;                  /* input_scale / output_scale / count, combined */
} mce_mean_params;

void mce_mean_s8(const mce_mean_params *p, const int8_t *input, int8_t *output);

#endif /* MCE_KERNELS_H */
