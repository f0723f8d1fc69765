/*
 * Host harness for the mce engine (host only; uses stdio/stdlib freely).
 *
 *   mce_run MODEL.tflite INPUT.bin OUTPUT.bin [--arena BYTES]
 *   mce_run MODEL.tflite --info [--arena BYTES]
 *
 * INPUT.bin holds the raw bytes of every model input, concatenated in input order; OUTPUT.bin
 * receives the raw bytes of every output, concatenated. An INPUT of "-" zero-fills the inputs
 * and an OUTPUT of "-" discards the outputs (used by the corrupt-model tests). The arena
 * defaults to 4 MiB.
 * Exit codes: 0 ok, 1 usage/IO error, 2 mce_init failed, 3 mce_invoke failed.
 * Stdout gets "arena_needed=N activation=N persistent=N" after a successful init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mce.h"

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (unsigned char *)malloc((size_t)n + 1); /* malloc: suitably aligned for int32 */
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    const char *model_path = NULL, *in_path = NULL, *out_path = NULL;
    size_t arena_size = 4u << 20, model_len = 0, in_len = 0, off = 0;
    int info_only = 0, i;
    unsigned char *model, *input = NULL, *arena;
    static mce_engine eng;
    mce_status st;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arena") && i + 1 < argc)
            arena_size = (size_t)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--info"))
            info_only = 1;
        else if (!model_path)
            model_path = argv[i];
        else if (!in_path)
            in_path = argv[i];
        else if (!out_path)
            out_path = argv[i];
        else {
            fprintf(stderr, "usage: mce_run MODEL INPUT OUTPUT [--arena N] | MODEL --info\n");
            return 1;
        }
    }
    if (!model_path || (!info_only && (!in_path || !out_path))) {
        fprintf(stderr, "usage: mce_run MODEL INPUT OUTPUT [--arena N] | MODEL --info\n");
        return 1;
    }
    model = read_file(model_path, &model_len);
    if (!model) {
        fprintf(stderr, "cannot read %s\n", model_path);
        return 1;
    }
    arena = (unsigned char *)malloc(arena_size ? arena_size : 1);
    if (!arena) {
        fprintf(stderr, "cannot allocate arena\n");
        return 1;
    }
    st = mce_init(&eng, model, model_len, arena, arena_size);
    if (st != MCE_OK) {
        fprintf(stderr, "mce_init: %s: %s\n", mce_status_str(st), mce_error_message(&eng));
        if (st == MCE_ERR_ARENA)
            printf("arena_needed=%lu\n", (unsigned long)mce_arena_needed(&eng));
        return 2;
    }
    printf("arena_needed=%lu activation=%lu persistent=%lu\n",
           (unsigned long)mce_arena_needed(&eng), (unsigned long)eng.activation_bytes,
           (unsigned long)eng.persistent_bytes);
    if (info_only)
        return 0;
    if (!strcmp(in_path, "-")) {
        for (i = 0; i < (int)mce_num_inputs(&eng); i++) {
            mce_tensor_info ti;
            mce_input(&eng, (uint32_t)i, &ti);
            memset(ti.data, 0, ti.bytes);
            in_len += ti.bytes;
        }
        input = (unsigned char *)calloc(in_len ? in_len : 1, 1);
    } else {
        input = read_file(in_path, &in_len);
    }
    if (!input) {
        fprintf(stderr, "cannot read %s\n", in_path);
        return 1;
    }
    for (i = 0; i < (int)mce_num_inputs(&eng); i++) {
        mce_tensor_info ti;
        mce_input(&eng, (uint32_t)i, &ti);
        if (off + ti.bytes > in_len) {
            fprintf(stderr, "input file has %lu bytes, model inputs need more\n",
                    (unsigned long)in_len);
            return 1;
        }
        memcpy(ti.data, input + off, ti.bytes);
        off += ti.bytes;
    }
    if (off != in_len) {
        fprintf(stderr, "input file has %lu bytes, model inputs take %lu\n",
                (unsigned long)in_len, (unsigned long)off);
        return 1;
    }
    st = mce_invoke(&eng);
    if (st != MCE_OK) {
        fprintf(stderr, "mce_invoke: %s: %s\n", mce_status_str(st), mce_error_message(&eng));
        return 3;
    }
    if (strcmp(out_path, "-") != 0) {
        FILE *f = fopen(out_path, "wb");
        if (!f) {
            fprintf(stderr, "cannot write %s\n", out_path);
            return 1;
        }
        for (i = 0; i < (int)mce_num_outputs(&eng); i++) {
            mce_tensor_info to;
            mce_output(&eng, (uint32_t)i, &to);
            if (fwrite(to.data, 1, to.bytes, f) != to.bytes) {
                fclose(f);
                return 1;
            }
        }
        fclose(f);
    }
    free(input);
    free(arena);
    free(model);
    return 0;
}
