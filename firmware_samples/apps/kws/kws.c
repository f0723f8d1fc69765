/*
 * kws.c - keyword spotting (DS-CNN with the MLPerf Tiny KWS layer shapes, models/kws.md) on
 * the embedded reference input: prints the predicted class (of 12), its score and the output
 * bytes, and exits 0 only if the output equals tflite-micro's (models/kws_output.bin).
 *
 *   kws: target=mps2-an386 kernels=reference model_bytes=50824 arena_needed=... arena=...
 *   kws: class=5 score=127 dwt_cycles=... output=8080... reference=match
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
    if (model_app_init("kws") != 0)
        return 2;
    return model_app_check_reference("kws", describe);
}
