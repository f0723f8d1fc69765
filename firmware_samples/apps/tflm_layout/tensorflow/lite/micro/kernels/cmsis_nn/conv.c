/* tflm_layout: the "optimized" CONV_2D kernel file; its Eval hands the work to a CMSIS-NN-like
 * function (arm_convolve_s8), so the profile must count that call toward this CONV_2D op. */
#include "kernel_api.h"

static int32_t Eval(layout_node *node)
{
    return arm_convolve_s8(node->input, node->weights, node->output, node->size, 3);
}

const layout_registration *Register_CONV_2D_CMSIS(void)
{
    static const layout_registration r = {"CONV_2D", Eval};
    return &r;
}
