/* tflm_layout: the FULLY_CONNECTED kernel file (8 outputs, each a dot product of the input). */
#include "kernel_api.h"

static int32_t Eval(layout_node *node)
{
    int32_t checksum = 0;
    for (int32_t o = 0; o < 8; o++) {
        int32_t acc = 0;
        for (int32_t i = 0; i < node->size; i++) acc += node->input[i] * node->weights[(i + o) & 7];
        node->output[o] = (int8_t)(acc >> 8);
        checksum += node->output[o];
    }
    return checksum;
}

const layout_registration *Register_FULLY_CONNECTED(void)
{
    static const layout_registration r = {"FULLY_CONNECTED", Eval};
    return &r;
}
