"""Make vision.tflite: MobileNetV1 (width 0.25) for 96x96x1 grayscale, 2 classes, int8.

Visual-wake-words-sized network trained briefly on deterministic synthetic images (a bright
blob present or not): the layer shapes and MAC count are real, the accuracy means nothing.
Writes vision.tflite, vision_input.bin, vision_output.bin and the card vision.md.
"""

import mkcommon as mk
import numpy as np

SEED = 96
NAME = "vision"
SHAPE = (96, 96, 1)
ALPHA = 0.25
N_TRAIN, N_TEST = 800, 200
EPOCHS = 8

# MobileNetV1 (Howard et al. 2017, "MobileNets", table 1) depthwise-separable blocks at width
# 1.0: (pointwise output channels, depthwise stride). Multiplied by ALPHA below.
BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
          (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def synthetic(rng, n):
    """n images in [0, 1]: smooth random background (a low-frequency cosine mix) plus pixel
    noise; class 1 images also hold a bright ellipse of random size and position."""
    yy, xx = np.meshgrid(np.arange(96), np.arange(96), indexing="ij")
    labels = rng.integers(0, 2, n)
    x = np.empty((n, *SHAPE), np.float32)
    for i in range(n):
        img = np.full((96, 96), rng.uniform(0.2, 0.5))
        for _ in range(3):
            fy, fx, ph = rng.uniform(0, 0.15), rng.uniform(0, 0.15), rng.uniform(0, 2 * np.pi)
            img += rng.uniform(0.02, 0.12) * np.cos(fy * yy + fx * xx + ph)
        if labels[i]:
            cy, cx = rng.uniform(16, 80, 2)
            ry, rx = rng.uniform(6, 20, 2)
            inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
            img[inside] += rng.uniform(0.25, 0.45)
        img += rng.normal(0, 0.04, img.shape)
        x[i, :, :, 0] = np.clip(img, 0.0, 1.0)
    return x, labels


def build(keras):
    L = keras.layers

    # Short layer names: the converter names each tensor after every layer fused into it, and
    # Keras' default names alone would add ~15 KB to the file.
    def bn_relu(x, tag):
        x = L.BatchNormalization(momentum=0.9, name=f"b{tag}")(x)
        return L.ReLU(6.0, name=f"r{tag}")(x)

    x = inp = keras.Input(shape=SHAPE, name="in")
    x = L.Conv2D(int(32 * ALPHA), 3, strides=2, padding="same", use_bias=False, name="c0")(x)
    x = bn_relu(x, "0")
    for i, (ch, stride) in enumerate(BLOCKS, 1):
        x = L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False,
                              name=f"d{i}")(x)
        x = bn_relu(x, f"d{i}")
        x = L.Conv2D(int(ch * ALPHA), 1, use_bias=False, name=f"c{i}")(x)
        x = bn_relu(x, f"c{i}")
    x = L.AveragePooling2D(pool_size=(3, 3), name="pool")(x)  # whole 3x3 map; GAP is MEAN
    x = L.Flatten(name="flat")(x)
    x = L.Dense(2, name="fc")(x)
    out = L.Softmax(name="prob")(x)
    return keras.Model(inp, out, name="v")


def main():
    args = mk.parse_args(__doc__)
    tf, keras = mk.init_tf(SEED)
    rng = np.random.default_rng(SEED)
    x_tr, y_tr = synthetic(rng, N_TRAIN)
    x_te, y_te = synthetic(rng, N_TEST)

    model = build(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with mk.Timer("training"):
        model.fit(x_tr, y_tr, epochs=EPOCHS, batch_size=32, shuffle=True, verbose=0)
    acc_float = float(np.mean(np.argmax(model.predict(x_te, verbose=0), 1) == y_te))

    blob = mk.convert_int8(tf, keras, model, SHAPE, x_tr[:100])
    tflm = mk.Tflm(blob)
    xq_te = tflm.quantize(x_te)
    with mk.Timer("int8 evaluation"):
        pred = np.array([np.argmax(tflm.run(v[None])) for v in xq_te])
    acc_int8 = float(np.mean(pred == y_te))
    print(f"synthetic test accuracy float {acc_float:.4f} int8 {acc_int8:.4f}")

    ref_out = mk.write_outputs(args.out, NAME, blob, xq_te[0:1])
    q = tflm.inp["quant"]
    chans = [int(32 * ALPHA)] + [int(c * ALPHA) for c, _ in BLOCKS]
    mk.write_card(
        args.out, NAME,
        title="MobileNetV1 0.25, 96x96 grayscale, 2 classes (synthetic weights)",
        summary="""
**The accuracy of this model is meaningless.** It has the layout of the visual-wake-words
class of networks (MobileNetV1 with width multiplier 0.25 on a 96x96 image, 2 classes, the
size MLPerf Tiny uses for VWW) but with a single grayscale input channel, and it was trained
for a few epochs on synthetic images (a bright ellipse present or not), not on photographs of
people. It exists for its real layer shapes and MAC count: a depthwise-separable CNN of a
size that still fits 512 KB-flash microcontrollers.
""",
        architecture=f"""
Keras functional model on a 96x96x1 input. MobileNetV1 (Howard et al. 2017, table 1) with
width multiplier {ALPHA}: `Conv2D({chans[0]}, 3x3, stride 2, same, no bias)` → BN → ReLU6,
then 13 depthwise-separable blocks `DepthwiseConv2D(3x3, same, no bias)` → BN → ReLU6 →
`Conv2D(C, 1x1, no bias)` → BN → ReLU6 with C = {", ".join(map(str, chans[1:]))} and
depthwise strides {", ".join(str(s) for _, s in BLOCKS)}, leaving a 3x3x{chans[-1]} map; then
`AveragePooling2D(3x3)` over the whole map (instead of global average pooling, which the
converter would turn into MEAN) → `Flatten` → `Dense(2)` → `Softmax`. Batch norm is folded
into the convolutions (which then get biases) and ReLU6 becomes a fused activation. "same"
padding on the stride-2 layers pads one row/column at the bottom/right only (TensorFlow's
rule), so no PAD operators appear. The converter folds `Flatten` into the FULLY_CONNECTED
operator, so there is no RESHAPE.
""",
        data=f"""
Synthetic, deterministic (`numpy.random.default_rng({SEED})`): each image is a flat grey level
in [0.2, 0.5] plus three low-frequency cosine gratings and Gaussian pixel noise (σ 0.04);
class 1 adds a filled ellipse (radii 6..20 px, brightness +0.25..0.45) at a random
position; values clipped to [0, 1]. {N_TRAIN} training and {N_TEST} test images. Adam
(learning rate 0.003), {EPOCHS} epochs, batch 32, batch-norm momentum 0.9 (so that the
moving statistics settle within the short training). Representative data set: the first 100
training images.
""",
        accuracy=f"""
**Meaningless for person detection** (synthetic task, not photographs). For what it is worth,
on the {N_TEST} synthetic test images: float (Keras) {acc_float:.4f}, int8 (tflite-micro
interpreter, argmax) {acc_int8:.4f}.
""",
        ref_io=f"""
`vision_input.bin` (9,216 bytes, int8, 1x96x96x1): the first synthetic test image (class
{int(y_te[0])}), quantized with scale {q['scale'][0]:.8g} and zero point
{q['zero_point'][0]}. `vision_output.bin` (2 bytes, int8): the tflite-micro interpreter's
output, `{' '.join(str(int(v)) for v in ref_out.reshape(-1))}`.
""",
        keras_params=model.count_params(),
        params_note="(its batch-norm layers are folded into the convolutions; their "
                    "moving statistics are not parameters of the .tflite)",
    )


if __name__ == "__main__":
    main()
