/*
 * digits.c - the 8x8 handwritten-digit CNN (models/digits.md):
 *   1. the reference image: predicted class, score, output bytes, compared with tflite-micro's
 *      output (models/digits_output.bin);
 *   2. the held-out images of models/digits_test.bin: classified one by one, accuracy printed
 *      next to the number the tflite-micro interpreter got right (stored in the file).
 * Exits 0 only if the reference output matches and the accuracy equals the interpreter's.
 *
 *   digits: class=9 score=127 dwt_cycles=... output=8080808080808080807f reference=match
 *   digits: test_images=64 correct=64 host_correct=64 accuracy_permille=1000 match
 *
 * digits_test.bin (little-endian; written by models/make_digits.py):
 *   0 "MCDG", 4 u16 version 1, 6 u16 N, 8 u8 height, width, channels, classes,
 *   12 u16 images tflite-micro classifies correctly, 14 u16 0,
 *   16 N x H x W x C int8 images (already quantized), then N u8 labels.
 */
#include <string.h>

#include "model_app.h"

extern const uint8_t mce_app_test_set[], mce_app_test_set_end[];

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static void describe(const int8_t *out, uint32_t n)
{
    uint32_t c = model_app_argmax(out, n);
    app_puts(" class=");
    app_put_u32(c);
    app_puts(" score=");
    app_put_i32(out[c]);
}

static int run_test_set(void)
{
    const uint8_t *t = mce_app_test_set;
    const uint32_t size = (uint32_t)(mce_app_test_set_end - mce_app_test_set);
    uint32_t n, img_bytes, host_correct, correct = 0, i;
    if (size < 16 || memcmp(t, "MCDG", 4) != 0 || rd16(t + 4) != 1) {
        app_puts("digits: digits_test.bin: bad header\n");
        return 1;
    }
    n = rd16(t + 6);
    img_bytes = (uint32_t)t[8] * t[9] * t[10];
    host_correct = rd16(t + 12);
    if (16u + n * img_bytes + n > size) {
        app_puts("digits: digits_test.bin: truncated\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        const uint8_t *img = t + 16 + i * img_bytes;
        const uint8_t label = t[16 + n * img_bytes + i];
        uint32_t cycles, out_n;
        const int8_t *out;
        if (model_app_invoke("digits", img, img_bytes, &cycles) != 0)
            return 1;
        out = model_app_output(&out_n);
        if (out && model_app_argmax(out, out_n) == label)
            correct++;
    }
    app_puts("digits: test_images=");
    app_put_u32(n);
    app_puts(" correct=");
    app_put_u32(correct);
    app_puts(" host_correct=");
    app_put_u32(host_correct);
    app_puts(" accuracy_permille=");
    app_put_u32(n ? (correct * 1000u + n / 2u) / n : 0u);
    app_puts(correct == host_correct ? " match\n" : " MISMATCH\n");
    return correct == host_correct ? 0 : 1;
}

int main(void)
{
    int bad;
    if (model_app_init("digits") != 0)
        return 2;
    bad = model_app_check_reference("digits", describe);
    bad |= run_test_set();
    return bad;
}
