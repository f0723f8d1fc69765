/* tflm_layout: the "reference" CONV_2D kernel file (a 1-D convolution, 3 taps). */
#include "kernel_api.h"

static int32_t Eval(layout_node *node)
{
    int32_t checksum = 0;
    for (int32_t i = 0; i < node->size; i++) {
        int32_t acc = 0;
        for (int32_t k = 0; k < 3; k++) {
            int32_t j = i + k - 1;
            if (j >= 0 && j < node->size) acc += node->input[j] * node->weights[k];
        }
        acc >>= 4;
        node->output[i] = (int8_t)(acc > 127 ? 127 : acc < -128 ? -128 : acc);
        checksum += node->output[i];
    }
    return checksum;
}

const layout_registration *Register_CONV_2D(void)
{
    static const layout_registration r = {"CONV_2D", Eval};
    return &r;
}
