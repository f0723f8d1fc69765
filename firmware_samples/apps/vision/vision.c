/*
 * vision.c - the 96x96 grayscale MobileNetV1-0.25 two-class model (models/vision.md) on its
 * reference image: prints the predicted class, its score and the output bytes, and exits 0
 * only if the output equals tflite-micro's (models/vision_output.bin).
 *
 *   vision: class=1 score=127 dwt_cycles=... output=807f reference=match
 */
#include "model_app.h"

static void describe(const int8_t *out, uint32_t n)
{
    uint32_t c = model_app_argmax(out, n);
    app_puts(" class=");
    app_put_u32(c);
    app_puts(" score=");
    app_put_i32(out[c]);
}

int main(void)
{
    if (model_app_init("vision") != 0)
        return 2;
    return model_app_check_reference("vision", describe);
}
