/* AVERAGE_POOL_2D and MAX_POOL_2D int8 reference kernels (input and output share quantization). */
#include "mce_fixedpoint.h"
#include "mce_kernels.h"

/* Window clipped to the input: [*start, *end) of filter taps that land inside. */
MCE_INLINE void clip_window(int32_t origin, int32_t filter, int32_t in_size, int32_t *start,
                        int32_t *end)
{
    *start = origin < 0 ? -origin : 0;
    *end = in_size - origin < filter ? in_size - origin : filter;
}

/*
 * Average of the raw int8 values of the taps inside the input (padding taps are not
 * counted), rounded to nearest with ties away from zero, clamped to the activation range.
 */
int mce_avg_pool2d_s8(const mce_pool_params *p, const int8_t *input, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            clip_window(iy0, p->filter_h, p->in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1, count;
                clip_window(ix0, p->filter_w, p->in_w, &kx0, &kx1);
                count = (ky1 - ky0) * (kx1 - kx0);
                if (ky1 <= ky0 || kx1 <= kx0 || count <= 0)
                    return -1;
                for (c = 0; c < p->depth; c++) {
                    int32_t acc = 0;
                    for (ky = ky0; ky < ky1; ky++)
                        for (kx = kx0; kx < kx1; kx++)
                            acc += input[((b * p->in_h + iy0 + ky) * p->in_w + ix0 + kx) *
                                             p->depth +
                                         c];
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->depth + c] =
                        (int8_t)mce_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return 0;
}

/* Maximum over the taps inside the input, clamped to the activation range. */
void mce_max_pool2d_s8(const mce_pool_params *p, const int8_t *input, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            clip_window(iy0, p->filter_h, p->in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                clip_window(ix0, p->filter_w, p->in_w, &kx0, &kx1);
                for (c = 0; c < p->depth; c++) {
                    int32_t mx = -128;
                    for (ky = ky0; ky < ky1; ky++)
                        for (kx = kx0; kx < kx1; kx++) {
                            int32_t v = input[((b * p->in_h + iy0 + ky) * p->in_w + ix0 + kx) *
                                                  p->depth +
                                              c];
                            if (v > mx)
                                mx = v;
                        }
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->depth + c] =
                        (int8_t)mce_clamp(mx, p->act_min, p->act_max);
                }
            }
        }
    }
}
