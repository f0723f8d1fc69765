/* sine: the model, its reference input and tflite-micro's output for it (models/sine.md). */
#include "mce_embed.h"

MCE_EMBED(mce_app_model, "models/sine.tflite")
MCE_EMBED(mce_app_input, "models/sine_input.bin")
MCE_EMBED(mce_app_output, "models/sine_output.bin")
