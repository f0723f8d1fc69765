"""Make digits.tflite: a small int8 CNN for scikit-learn's 8x8 handwritten digits (10 classes).

Trained on `sklearn.datasets.load_digits` (bundled with scikit-learn, no download), fixed
train/test split. Writes digits.tflite, digits_input.bin, digits_output.bin, digits_test.bin
(held-out images for firmware) and the card digits.md.
"""

import struct

import mkcommon as mk
import numpy as np

SEED = 20240601
NAME = "digits"
EPOCHS = 40
N_FIRMWARE = 64  # images in digits_test.bin (all mistakes + first right ones)

# digits_test.bin layout (little-endian), written by write_test_bin():
#   0  char[4] magic "MCDG"
#   4  u16     version (1)
#   6  u16     N, number of images
#   8  u8      height (8), u8 width (8), u8 channels (1), u8 classes (10)
#   12 u16     correct: how many of the N the tflite-micro interpreter classifies right
#   14 u16     reserved (0)
#   16 int8    N x height x width x channels images (NHWC), already quantized with the
#              model's input scale / zero point, i.e. ready to copy into the input tensor
#   16 + N*H*W*C   u8  N labels (0..9)
HEADER = struct.Struct("<4sHHBBBBHH")


def write_test_bin(path, images_q, labels, correct):
    n, h, w, c = images_q.shape
    head = HEADER.pack(b"MCDG", 1, n, h, w, c, 10, correct, 0)
    path.write_bytes(head + images_q.astype(np.int8).tobytes() + labels.astype(np.uint8).tobytes())


def main():
    args = mk.parse_args(__doc__)
    tf, keras = mk.init_tf(SEED)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)[..., None]  # 0..16 -> [0, 1], NHWC
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=SEED,
                                              stratify=y)

    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10),
        keras.layers.Softmax(),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.002),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with mk.Timer("training"):
        model.fit(x_tr, y_tr, epochs=EPOCHS, batch_size=32, shuffle=True, verbose=0)

    acc_keras = float(np.mean(np.argmax(model.predict(x_te, verbose=0), 1) == y_te))

    # Float .tflite in the same interpreter, then the int8 one.
    fl = mk.Tflm(mk.convert_float(tf, keras, model, (8, 8, 1)))
    pred_float = np.array([np.argmax(fl.run(im[None])) for im in x_te])
    acc_float = float(np.mean(pred_float == y_te))

    rng = np.random.default_rng(SEED)
    rep = x_tr[rng.choice(len(x_tr), 200, replace=False)]
    blob = mk.convert_int8(tf, keras, model, (8, 8, 1), rep)
    tflm = mk.Tflm(blob)
    xq_te = tflm.quantize(x_te)
    pred_int8 = np.array([np.argmax(tflm.run(im[None])) for im in xq_te])
    acc_int8 = float(np.mean(pred_int8 == y_te))
    agree = float(np.mean(pred_int8 == pred_float))
    print(f"test accuracy keras {acc_keras:.4f} float tflite {acc_float:.4f} "
          f"int8 {acc_int8:.4f}; int8/float agreement {agree:.4f}")

    # For firmware: every test image the int8 model gets wrong (so that the count on the
    # device checks wrong answers too), filled up with the first others, in split order.
    wrong = np.flatnonzero(pred_int8 != y_te)
    right = np.flatnonzero(pred_int8 == y_te)
    fw = np.sort(np.r_[wrong, right[:N_FIRMWARE - len(wrong)]])
    fw_correct = int(np.sum(pred_int8[fw] == y_te[fw]))
    write_test_bin(args.out / f"{NAME}_test.bin", xq_te[fw], y_te[fw], fw_correct)

    ref_out = mk.write_outputs(args.out, NAME, blob, xq_te[0:1])
    n_te = len(y_te)
    q = tflm.inp["quant"]

    mk.write_card(
        args.out, NAME,
        title="handwritten digits CNN (8x8, 10 classes)",
        summary="""
A small convolutional classifier for the 8x8 grayscale handwritten digits that ship with
scikit-learn. It is a real trained model with a real test accuracy, small enough for any of
the targets, and uses CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED and SOFTMAX.
`digits_test.bin` lets a firmware classify held-out images and print its accuracy, which must
equal the host's.
""",
        architecture="""
Keras `Sequential` on an 8x8x1 input: `Conv2D(16, 3x3, same, relu)` → `MaxPooling2D(2)` →
`Conv2D(32, 3x3, same, relu)` → `MaxPooling2D(2)` → `Flatten` → `Dense(32, relu)` →
`Dense(10)` → `Softmax`. Batch fixed at 1 for conversion. Full-integer quantization: int8 input
and output (softmax output scale 1/256, zero point -128).
""",
        data=f"""
`sklearn.datasets.load_digits()`: 1,797 images of 8x8 pixels with values 0..16, scaled to
[0, 1] by dividing by 16. Split with `train_test_split(test_size=0.25, stratify=labels,
random_state={SEED})` into {len(y_tr)} training and {n_te} test images. Adam (learning rate
0.002), sparse categorical cross-entropy, {EPOCHS} epochs, batch 32. Representative data set
for calibration: 200 training images chosen with `numpy.random.default_rng({SEED})`.
""",
        accuracy=f"""
Accuracy on the {n_te} held-out test images:

| model | test accuracy | how |
|---|---|---|
| float, Keras | {acc_keras:.4f} | `model.predict`, argmax |
| float .tflite | {acc_float:.4f} | the same model converted without quantization, run image by image in the tflite-micro interpreter, argmax |
| int8 .tflite (`digits.tflite`) | {acc_int8:.4f} ({int(round(acc_int8 * n_te))}/{n_te}) | images quantized with the input scale/zero point, run in the tflite-micro interpreter, argmax of the int8 output |

The int8 and float .tflite predictions agree on {agree:.4f} of the test images.
On the {N_FIRMWARE} images in `digits_test.bin` (chosen to include every mistake, see
below) the int8 model is right on
**{fw_correct}/{N_FIRMWARE}** (tflite-micro interpreter); our engine must give the same
predictions, hence the same count (checked in `tests/test_sample_models.py`).
""",
        ref_io=f"""
`digits_input.bin` (64 bytes, int8, 1x8x8x1): the first test image (label {int(y_te[0])}),
quantized with scale {q['scale'][0]:.8g} and zero point {q['zero_point'][0]}.
`digits_output.bin` (10 bytes, int8): the tflite-micro interpreter's output for it,
`{' '.join(str(int(v)) for v in ref_out.reshape(-1))}` (argmax {int(np.argmax(ref_out))}).
""",
        extra=f"""
## digits_test.bin

{N_FIRMWARE} images of the test split, for firmware: all {len(wrong)} that the int8 model
classifies wrongly plus the first {N_FIRMWARE - len(wrong)} it classifies rightly, kept in split
order (the mistakes are test-split indices {", ".join(map(str, wrong))}). Including the mistakes makes the
count a firmware prints depend on wrong answers as well as right ones, so its accuracy on
these images, {fw_correct}/{N_FIRMWARE}, is deliberately lower than the test accuracy.
Little-endian:

| offset | type | content |
|---|---|---|
| 0 | char[4] | magic `MCDG` |
| 4 | u16 | version, 1 |
| 6 | u16 | N = {N_FIRMWARE} |
| 8 | u8 ×4 | height 8, width 8, channels 1, classes 10 |
| 12 | u16 | images the tflite-micro interpreter classifies correctly: {fw_correct} |
| 14 | u16 | reserved, 0 |
| 16 | int8 ×N·64 | images, NHWC, already quantized with the model's input scale/zero point |
| 16 + N·64 | u8 ×N | labels 0..9 |

Total {HEADER.size + N_FIRMWARE * 65} bytes. A firmware copies image i into the input tensor,
invokes, takes the argmax of the 10 outputs (first maximum on ties, like `numpy.argmax`) and
compares it with label i.
""",
        keras_params=model.count_params(),
    )


if __name__ == "__main__":
    main()
