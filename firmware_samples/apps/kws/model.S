/* kws: the model, its reference input and tflite-micro's output for it (models/kws.md). */
#include "mce_embed.h"

MCE_EMBED(mce_app_model, "models/kws.tflite")
MCE_EMBED(mce_app_input, "models/kws_input.bin")
MCE_EMBED(mce_app_output, "models/kws_output.bin")
