/*
 * sine.c - the sine regression model (models/sine.md) on its reference input x = 1.0
 * (quantized -87): prints the input and output values (raw int8 and dequantized, in
 * thousandths) and the output byte, and exits 0 only if the output equals tflite-micro's
 * (models/sine_output.bin).
 *
 *   sine: x_q=-87 x_milli=1000 y_q=105 y_milli=831 dwt_cycles=... output=69 reference=match
 */
#include "model_app.h"

/* value * 1000, rounded half away from zero (no printf, no libm). */
static int32_t milli(float scale, int32_t q, int32_t zp)
{
    float v = scale * (float)(q - zp) * 1000.0f;
    return (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f);
}

static void describe(const int8_t *out, uint32_t n)
{
    /* The input tensor's arena bytes are reused by later tensors: read x from the embedded
     * copy; the tensor info still gives its quantization. */
    const int8_t x = (int8_t)mce_app_input[0];
    mce_tensor_info in, o;
    (void)n;
    (void)mce_input(&g_app_engine, 0, &in);
    (void)mce_output(&g_app_engine, 0, &o);
    app_puts(" x_q=");
    app_put_i32(x);
    app_puts(" x_milli=");
    app_put_i32(milli(in.scale, x, in.zero_point));
    app_puts(" y_q=");
    app_put_i32(out[0]);
    app_puts(" y_milli=");
    app_put_i32(milli(o.scale, out[0], o.zero_point));
}

int main(void)
{
    if (model_app_init("sine") != 0)
        return 2;
    return model_app_check_reference("sine", describe);
}
