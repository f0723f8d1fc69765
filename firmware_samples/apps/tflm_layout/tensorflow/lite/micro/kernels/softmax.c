/* tflm_layout: the SOFTMAX kernel file (a stand-in: max-subtract over 8 values). Its Eval
 * keeps a deliberately large local buffer so its stack peak differs from the other ops'. */
#include "kernel_api.h"

static int32_t Eval(layout_node *node)
{
    volatile int8_t scratch[256];
    int32_t max = -128;
    for (int32_t i = 0; i < 8; i++) max = node->input[i] > max ? node->input[i] : max;
    for (int32_t i = 0; i < 256; i++) scratch[i] = (int8_t)(node->input[i & 7] - max);
    int32_t checksum = 0;
    for (int32_t i = 0; i < 8; i++) {
        node->output[i] = scratch[i];
        checksum += scratch[i];
    }
    return checksum;
}

const layout_registration *Register_SOFTMAX(void)
{
    static const layout_registration r = {"SOFTMAX", Eval};
    return &r;
}
