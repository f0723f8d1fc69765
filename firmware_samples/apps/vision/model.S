/* vision: the model, its reference input and tflite-micro's output for it (models/vision.md). */
#include "mce_embed.h"

MCE_EMBED(mce_app_model, "models/vision.tflite")
MCE_EMBED(mce_app_input, "models/vision_input.bin")
MCE_EMBED(mce_app_output, "models/vision_output.bin")
