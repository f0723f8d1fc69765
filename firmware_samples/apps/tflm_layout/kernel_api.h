/*
 * kernel_api.h - the registration table of the tflm_layout test firmware: each "kernel" file
 * exports one Register_<OP>() returning a table entry whose invoke pointer is that file's own
 * static Eval (the pattern TFLM uses, written here in plain C). Eval names repeat across files
 * on purpose; only the DWARF source file tells them apart.
 */
#ifndef TFLM_LAYOUT_KERNEL_API_H
#define TFLM_LAYOUT_KERNEL_API_H

#include <stdint.h>

typedef struct {
    const int8_t *input;
    int8_t *output;
    const int8_t *weights;
    int32_t size; /* elements of input/output */
} layout_node;

typedef struct {
    const char *name;
    int32_t (*invoke)(layout_node *node);
} layout_registration;

const layout_registration *Register_CONV_2D(void);
const layout_registration *Register_CONV_2D_CMSIS(void);
const layout_registration *Register_DEPTHWISE_CONV_2D(void);
const layout_registration *Register_FULLY_CONNECTED(void);
const layout_registration *Register_SOFTMAX(void);

/* a CMSIS-NN-like kernel called from kernels/cmsis_nn/conv.c (nested inside that op) */
int32_t arm_convolve_s8(const int8_t *in, const int8_t *w, int8_t *out, int32_t n, int32_t k);

#endif
