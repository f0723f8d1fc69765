"""Make kws.tflite: a DS-CNN keyword-spotting network with the MLPerf Tiny KWS layer shapes, int8.

No speech data set is available offline, so it is trained briefly on deterministic synthetic
"MFCC" patterns: the layer shapes and MAC count are real, the accuracy means nothing.
Writes kws.tflite, kws_input.bin, kws_output.bin and the card kws.md.
"""

import mkcommon as mk
import numpy as np

SEED = 7
NAME = "kws"
CLASSES = 12
SHAPE = (49, 10, 1)
N_TRAIN, N_TEST = 1200, 240
EPOCHS = 15


def synthetic(rng, n, templates):
    """n MFCC-like 49x10 feature maps: a class template, shifted in time by up to +-4 frames,
    scaled by a random gain, plus Gaussian noise. Returns (x [n,49,10,1] float32, labels)."""
    labels = rng.integers(0, CLASSES, n)
    shifts = rng.integers(-4, 5, n)
    gains = rng.uniform(0.7, 1.3, n)
    x = np.empty((n, *SHAPE), np.float32)
    for i in range(n):
        t = np.roll(templates[labels[i]], shifts[i], axis=0) * gains[i]
        x[i, :, :, 0] = t + rng.normal(0.0, 4.0, SHAPE[:2])
    return x, labels


def make_templates(rng):
    """One smooth 49x10 pattern per class: a per-coefficient offset (like MFCC's large c0)
    plus a few Gaussian blobs in time x coefficient, amplitudes of some tens."""
    tt, cc = np.meshgrid(np.arange(49), np.arange(10), indexing="ij")
    base = np.concatenate([[-60.0], rng.normal(0, 8, 9)])
    out = []
    for _ in range(CLASSES):
        t = np.broadcast_to(base, (49, 10)).copy()
        for _ in range(4):
            t0, c0 = rng.uniform(5, 44), rng.uniform(0, 9)
            a = rng.uniform(-30, 30)
            t += a * np.exp(-((tt - t0) / 4.0) ** 2 - ((cc - c0) / 1.5) ** 2)
        out.append(t)
    return np.array(out)


def build(keras):
    """DS-CNN as in the MLPerf Tiny KWS reference: conv 10x4/2 with 64 channels, four
    depthwise-separable blocks (3x3 depthwise + 1x1 pointwise, 64 channels), each conv followed
    by batch norm and ReLU, average pool over the whole 25x5 map, dense to 12, softmax."""
    L = keras.layers
    x = inp = keras.Input(shape=SHAPE)
    x = L.Conv2D(64, (10, 4), strides=(2, 2), padding="same")(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("relu")(x)
    x = L.Dropout(0.2)(x)
    for _ in range(4):
        x = L.DepthwiseConv2D((3, 3), padding="same")(x)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        x = L.Conv2D(64, (1, 1), padding="same")(x)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
    x = L.Dropout(0.4)(x)
    x = L.AveragePooling2D(pool_size=(25, 5))(x)  # not GlobalAveragePooling2D: that is MEAN
    x = L.Flatten()(x)
    x = L.Dense(CLASSES)(x)
    out = L.Softmax()(x)
    return keras.Model(inp, out)


def main():
    args = mk.parse_args(__doc__)
    tf, keras = mk.init_tf(SEED)
    rng = np.random.default_rng(SEED)
    templates = make_templates(rng)
    x_tr, y_tr = synthetic(rng, N_TRAIN, templates)
    x_te, y_te = synthetic(rng, N_TEST, templates)

    model = build(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with mk.Timer("training"):
        model.fit(x_tr, y_tr, epochs=EPOCHS, batch_size=32, shuffle=True, verbose=0)
    acc_float = float(np.mean(np.argmax(model.predict(x_te, verbose=0), 1) == y_te))

    rep = x_tr[:200]
    blob = mk.convert_int8(tf, keras, model, SHAPE, rep)
    tflm = mk.Tflm(blob)
    xq_te = tflm.quantize(x_te)
    pred = np.array([np.argmax(tflm.run(v[None])) for v in xq_te])
    acc_int8 = float(np.mean(pred == y_te))
    print(f"synthetic test accuracy float {acc_float:.4f} int8 {acc_int8:.4f}")

    ref_out = mk.write_outputs(args.out, NAME, blob, xq_te[0:1])
    q = tflm.inp["quant"]
    mk.write_card(
        args.out, NAME,
        title="DS-CNN keyword spotting, MLPerf Tiny KWS layer shapes (synthetic weights)",
        summary="""
**The accuracy of this model is meaningless.** No speech data set is available to this
project offline, so the network was trained for a few epochs on synthetic random patterns. It
exists for its real layer shapes: the same operators, tensor shapes and MAC count as the
MLPerf Tiny keyword-spotting reference model (DS-CNN, 49x10 MFCC input, 12 classes), so that
cycle and energy estimates on it are representative of that workload. The trained weights and
the quantization scales are not the reference model's.
""",
        architecture="""
Keras functional model on a 49x10x1 input (49 frames x 10 MFCC coefficients):
`Conv2D(64, 10x4, stride 2, same)` → BN → ReLU, then four depthwise-separable blocks
`DepthwiseConv2D(3x3, same)` → BN → ReLU → `Conv2D(64, 1x1)` → BN → ReLU, then
`AveragePooling2D(25x5)` over the whole map (instead of global average pooling, which the
converter would turn into MEAN, an operator our engine does not run) → `Flatten` →
`Dense(12)` → `Softmax`. Dropout layers (0.2 after the first conv, 0.4 before pooling) act
only in training. Batch norm is folded into the convolutions by the converter; the ReLUs
become fused activations. The converter folds `Flatten` into the FULLY_CONNECTED operator
(which flattens its input itself), so unlike the MLPerf Tiny reference file there is no
RESHAPE operator (and no 2-element shape constant: 22,604 rather than 22,606 constant
elements). The MAC count equals the MLPerf Tiny reference model's (2,656,768, see
`/work/shared/models/README.md`).
""",
        data=f"""
Synthetic, deterministic (`numpy.random.default_rng({SEED})`): one smooth 49x10 template per
class (a per-coefficient offset, -60 for the first coefficient, plus four Gaussian blobs of
amplitude up to ±30); a sample is its class template shifted in time by -4..4 frames, scaled
by a gain in [0.7, 1.3], plus Gaussian noise of standard deviation 4. {N_TRAIN} training and
{N_TEST} test samples. Adam (learning rate 0.003), {EPOCHS} epochs, batch 32. Representative
data set: the first 200 training samples.
""",
        accuracy=f"""
**Meaningless for keyword spotting** (synthetic classes, not speech). For what it is worth,
on the {N_TEST} synthetic test samples: float (Keras) {acc_float:.4f}, int8 (tflite-micro
interpreter, argmax) {acc_int8:.4f}.
""",
        ref_io=f"""
`kws_input.bin` (490 bytes, int8, 1x49x10x1): the first synthetic test sample (class
{int(y_te[0])}), quantized with scale {q['scale'][0]:.8g} and zero point
{q['zero_point'][0]}. `kws_output.bin` (12 bytes, int8): the tflite-micro interpreter's
output, `{' '.join(str(int(v)) for v in ref_out.reshape(-1))}`.
""",
        keras_params=model.count_params(),
        params_note="(its batch-norm layers are folded into the convolutions; their "
                    "moving statistics are not parameters of the .tflite)",
    )


if __name__ == "__main__":
    main()
