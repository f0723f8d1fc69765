/* anomaly: the model, its reference input and tflite-micro's output for it (models/anomaly.md). */
#include "mce_embed.h"

MCE_EMBED(mce_app_model, "models/anomaly.tflite")
MCE_EMBED(mce_app_input, "models/anomaly_input.bin")
MCE_EMBED(mce_app_output, "models/anomaly_output.bin")
