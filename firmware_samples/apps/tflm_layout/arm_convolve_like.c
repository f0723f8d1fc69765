/* tflm_layout: our own stand-in named like a CMSIS-NN convolution (not CMSIS-NN code). */
#include "kernel_api.h"

int32_t arm_convolve_s8(const int8_t *in, const int8_t *w, int8_t *out, int32_t n, int32_t k)
{
    int32_t checksum = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t acc = 0;
        for (int32_t t = 0; t < k; t++) {
            int32_t j = i + t - k / 2;
            if (j >= 0 && j < n) acc += in[j] * w[t];
        }
        out[i] = (int8_t)(acc >> 4);
        checksum += out[i];
    }
    return checksum;
}
