/* Data-movement and (de)quantization kernels. */
#include <string.h>

#include "mce_fixedpoint.h"
#include "mce_internal.h"
#include "mce_kernels.h"

/* RESHAPE: the bytes are unchanged, only the shape differs. */
void mce_reshape(const void *input, void *output, uint32_t bytes)
{
    if (input != output)
        memcpy(output, input, bytes);
}

/* QUANTIZE float32 -> int8: round(x / scale) (float division, ties away from zero) + zp. */
void mce_quantize_f32_s8(const mce_quantize_params *p, const float *input, int8_t *output)
{
    uint32_t i;
    for (i = 0; i < p->count; i++) {
        float q = mce_roundf(input[i] / p->scale);
        int32_t v;
        if (!(q > -1e9f)) /* also catches NaN */
            q = q != q ? 0.0f : -1e9f;
        if (q > 1e9f)
            q = 1e9f;
        v = (int32_t)q + p->zero_point;
        output[i] = (int8_t)mce_clamp(v, -128, 127);
    }
}

/* QUANTIZE int8 -> int8: requantize (x - zp_in) by scale_in/scale_out, add zp_out. */
void mce_requantize_s8(const mce_requantize_params *p, const int8_t *input, int8_t *output)
{
    uint32_t i;
    for (i = 0; i < p->count; i++) {
        int32_t v = mce_mul_by_qmult((int32_t)input[i] - p->input_zero_point, p->mult, p->shift) +
                    p->output_zero_point;
        output[i] = (int8_t)mce_clamp(v, -128, 127);
    }
}

/* DEQUANTIZE int8 -> float32: (float)(scale * (x - zp)) with the scale widened to double. */
void mce_dequantize_s8_f32(const mce_dequantize_params *p, const int8_t *input, float *output)
{
    uint32_t i;
    for (i = 0; i < p->count; i++)
        output[i] = (float)(p->scale * (double)((int32_t)input[i] - p->zero_point));
}

/* CONCATENATION along one axis: per outer index, the inputs' slices one after another. */
void mce_concatenation_s8(const mce_concat_params *p, const int8_t *const *inputs,
                          const int32_t *inner_sizes, int32_t n_inputs, int8_t *output)
{
    int32_t o, i;
    for (o = 0; o < p->outer; o++) {
        int8_t *dst = output + o * p->out_inner;
        for (i = 0; i < n_inputs; i++) {
            memcpy(dst, inputs[i] + o * inner_sizes[i], (size_t)inner_sizes[i]);
            dst += inner_sizes[i];
        }
    }
}

/* PAD / PADV2: output element = input element shifted by `before`, or pad_value outside. */
void mce_pad_s8(const mce_pad_params *p, const int8_t *input, int8_t *output)
{
    int32_t idx[MCE_MAX_DIMS] = {0};
    int32_t n = 1, i, d;
    for (d = 0; d < MCE_MAX_DIMS; d++)
        n *= p->out_dims[d];
    for (i = 0; i < n; i++) {
        int inside = 1;
        int32_t off = 0;
        for (d = 0; d < MCE_MAX_DIMS; d++) {
            int32_t j = idx[d] - p->before[d];
            if (j < 0 || j >= p->in_dims[d]) {
                inside = 0;
                break;
            }
            off = off * p->in_dims[d] + j;
        }
        output[i] = inside ? input[off] : p->pad_value;
        for (d = MCE_MAX_DIMS - 1; d >= 0; d--) {
            if (++idx[d] < p->out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}
