/* digits: the model, its reference input and tflite-micro's output for it (models/digits.md). */
#include "mce_embed.h"

MCE_EMBED(mce_app_model, "models/digits.tflite")
MCE_EMBED(mce_app_input, "models/digits_input.bin")
MCE_EMBED(mce_app_output, "models/digits_output.bin")
/* Held-out test images with their labels and tflite-micro's score (models/digits.md). */
MCE_EMBED(mce_app_test_set, "models/digits_test.bin")
