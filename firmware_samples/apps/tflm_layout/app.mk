# tflm_layout: a test firmware laid out the way TensorFlow Lite for Microcontrollers lays out its
# kernels (one source file per op under tensorflow/lite/micro/kernels/, each with a static Eval
# of the same name, reached through a registration table of function pointers). Plain C, our
# own code; it exists so mcusim's DWARF-based op attribution can be tested on firmware whose
# symbol names alone cannot tell the ops apart.
TFLM_LAYOUT_DIR := apps/tflm_layout/tensorflow/lite/micro/kernels
SRCS_tflm_layout = $(TFLM_LAYOUT_DIR)/conv.c $(TFLM_LAYOUT_DIR)/depthwise_conv.c \
    $(TFLM_LAYOUT_DIR)/fully_connected.c $(TFLM_LAYOUT_DIR)/softmax.c \
    $(TFLM_LAYOUT_DIR)/cmsis_nn/conv.c
CFLAGS_tflm_layout = -Iapps/tflm_layout
