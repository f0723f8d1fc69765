/* tflm_layout: the DEPTHWISE_CONV_2D kernel file (per-element scale). */
#include "kernel_api.h"

static int32_t Eval(layout_node *node)
{
    int32_t checksum = 0;
    for (int32_t i = 0; i < node->size; i++) {
        int32_t acc = node->input[i] * node->weights[i & 7];
        node->output[i] = (int8_t)(acc >> 3);
        checksum += node->output[i];
    }
    return checksum;
}

const layout_registration *Register_DEPTHWISE_CONV_2D(void)
{
    static const layout_registration r = {"DEPTHWISE_CONV_2D", Eval};
    return &r;
}
