/*
 * model_app.h - what the model apps (apps/kws, sine, digits, vision, anomaly and their -opt
 * builds) share: the embedded model and reference data, one engine, and the run/compare/print
 * steps. Implemented in apps/model_app.c (listed in each app's SRCS by apps/mce_app.mk).
 *
 * Each app embeds, with an .S file using MCE_EMBED (mce_embed.h), three blobs from
 * firmware_samples/models/: the .tflite (mce_app_model), the reference input
 * (mce_app_input) and the tflite-micro interpreter's output for it (mce_app_output), each in
 * .rodata, 16-byte aligned, with a *_end symbol after its last byte.
 */
#ifndef MODEL_APP_H
#define MODEL_APP_H

#include <stdint.h>

#include "mce.h"

extern const uint8_t mce_app_model[], mce_app_model_end[];
extern const uint8_t mce_app_input[], mce_app_input_end[];
extern const uint8_t mce_app_output[], mce_app_output_end[];

/* The engine and its arena (MODEL_APP_ARENA_BYTES, from the app's app.mk). */
extern mce_engine g_app_engine;
extern uint8_t mce_app_arena[];

/* mce_init on the embedded model; prints "<name>: init failed ..." and returns non-zero on
 * failure, else prints "<name>: target=... kernels=... model_bytes=... arena_needed=...". */
int model_app_init(const char *name);

/* Copy `bytes` bytes into input 0 (must match its size), invoke, and return 0; on error print
 * the engine's message and return non-zero. *cycles gets the DWT cycle count of mce_invoke on
 * cores with a cycle counter (0 elsewhere, and in QEMU, which has no DWT). */
int model_app_invoke(const char *name, const uint8_t *input, uint32_t bytes, uint32_t *cycles);

/* Output 0 (after an invoke). */
const int8_t *model_app_output(uint32_t *bytes);

/* Index of the largest output value (the first one on ties). */
uint32_t model_app_argmax(const int8_t *v, uint32_t n);

/* Run the embedded reference input, print "<name>: <what>=<value> ... output=<hex>" via
 * `describe` and check the output bytes against mce_app_output. Returns 0 on a match. */
typedef void (*model_app_describe_fn)(const int8_t *out, uint32_t n);
int model_app_check_reference(const char *name, model_app_describe_fn describe);

/* Print helpers (semihosting). */
void app_puts(const char *s);
void app_put_u32(uint32_t v);
void app_put_i32(int32_t v);
void app_put_hex_bytes(const uint8_t *p, uint32_t n);

#endif /* MODEL_APP_H */
