/*
 * anomaly.c - the dense autoencoder (models/anomaly.md) on its reference vector: prints the
 * anomaly score, the mean squared difference between the dequantized reconstruction and the
 * dequantized input (x1000, rounded), and the 640 output bytes, and exits 0 only if the output
 * equals tflite-micro's (models/anomaly_output.bin).
 *
 *   anomaly: score_milli=... dwt_cycles=... output=ebeae9... reference=match
 */
#include "model_app.h"

static void describe(const int8_t *out, uint32_t n)
{
    mce_tensor_info in, o;
    const int8_t *x;
    float sum = 0.0f, score;
    uint32_t i;
    (void)mce_input(&g_app_engine, 0, &in);
    (void)mce_output(&g_app_engine, 0, &o);
    x = (const int8_t *)mce_app_input; /* the input tensor's arena bytes have been reused */
    for (i = 0; i < n && i < in.bytes; i++) {
        float d = o.scale * (float)(out[i] - o.zero_point) -
                  in.scale * (float)(x[i] - in.zero_point);
        sum += d * d;
    }
    score = n ? sum / (float)n * 1000.0f : 0.0f;
    app_puts(" score_milli=");
    app_put_u32((uint32_t)(score + 0.5f));
}

int main(void)
{
    if (model_app_init("anomaly") != 0)
        return 2;
    return model_app_check_reference("anomaly", describe);
}
