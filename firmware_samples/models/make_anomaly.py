"""Make anomaly.tflite: the MLPerf Tiny anomaly-detection FC autoencoder shape, int8.

640 -> 128 x4 -> 8 -> 128 x4 -> 640, trained on deterministic synthetic "log-mel" frames: the
layer shapes and MAC count are real, the scores mean nothing for machine sounds.
Writes anomaly.tflite, anomaly_input.bin, anomaly_output.bin and the card anomaly.md.
"""

import mkcommon as mk
import numpy as np

SEED = 640
NAME = "anomaly"
DIM = 640  # 5 frames x 128 mel bins, as in the MLPerf Tiny AD (ToyADMOS) input
N_TRAIN, N_TEST = 4000, 500
EPOCHS = 30
N_BASIS = 6


def spectra(rng, n, basis, anomalous=False):
    """n vectors of 5 frames x 128 bins: a fixed mean spectrum plus a random mix of N_BASIS
    smooth spectral shapes (weights drifting a little from frame to frame) plus noise. An
    anomalous vector also carries a narrow-band line of random frequency and level."""
    mean = -40 + 10 * np.exp(-np.arange(128) / 40.0)
    w = rng.normal(0, 1, (n, 1, N_BASIS)) + rng.normal(0, 0.05, (n, 5, N_BASIS))
    x = mean + w @ basis + rng.normal(0, 0.3, (n, 5, 128))
    if anomalous:
        f = rng.integers(4, 124, n)
        level = rng.uniform(4, 10, n)
        bins = np.arange(128)
        x += level[:, None, None] * np.exp(-((bins - f[:, None, None]) / 1.5) ** 2)
    return x.reshape(n, DIM).astype(np.float32)


def build(keras, out_bias):
    """As in the MLPerf Tiny AD reference: Dense+BN+ReLU blocks of 128, 128, 128, 128, 8,
    128, 128, 128, 128, then Dense(640) with no activation. The output bias starts at the
    training mean (the inputs sit around -40 dB; from zero, Adam would need far longer)."""
    L = keras.layers
    x = inp = keras.Input(shape=(DIM,), name="in")
    for i, units in enumerate([128, 128, 128, 128, 8, 128, 128, 128, 128]):
        x = L.Dense(units, name=f"fc{i}")(x)
        x = L.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
        x = L.Activation("relu", name=f"r{i}")(x)
    out = L.Dense(DIM, name="out",
                  bias_initializer=keras.initializers.Constant(out_bias))(x)
    return keras.Model(inp, out, name="ae")


def auc(normal_scores, anomaly_scores):
    """Area under the ROC curve (probability an anomaly scores above a normal sample)."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))]
    return float(roc_auc_score(y, np.r_[normal_scores, anomaly_scores]))


def main():
    args = mk.parse_args(__doc__)
    tf, keras = mk.init_tf(SEED)
    rng = np.random.default_rng(SEED)
    bins = np.arange(128)
    basis = np.array([3.0 * np.exp(-((bins - c) / w) ** 2)
                      for c, w in zip(rng.uniform(10, 118, N_BASIS),
                                      rng.uniform(6, 25, N_BASIS), strict=True)])
    x_tr = spectra(rng, N_TRAIN, basis)
    x_norm = spectra(rng, N_TEST, basis)
    x_anom = spectra(rng, N_TEST, basis, anomalous=True)

    model = build(keras, x_tr.mean(axis=0))
    steps = EPOCHS * -(-N_TRAIN // 64)
    model.compile(optimizer=keras.optimizers.Adam(
        keras.optimizers.schedules.CosineDecay(0.002, steps)), loss="mse")
    with mk.Timer("training"):
        model.fit(x_tr, x_tr, epochs=EPOCHS, batch_size=64, shuffle=True, verbose=0)

    def mse_float(x):
        return np.mean((model.predict(x, verbose=0).astype(np.float64) - x) ** 2, axis=1)

    fn, fa = mse_float(x_norm), mse_float(x_anom)

    blob = mk.convert_int8(tf, keras, model, (DIM,), x_tr[:300])
    tflm = mk.Tflm(blob)

    def mse_int8(x):
        xq = tflm.quantize(x)
        y = np.array([tflm.dequantize(tflm.run(v[None])).reshape(-1) for v in xq])
        return np.mean((y - x) ** 2, axis=1)

    with mk.Timer("int8 evaluation"):
        qn, qa = mse_int8(x_norm), mse_int8(x_anom)
    res = {"float": (fn.mean(), fa.mean(), auc(fn, fa)),
           "int8": (qn.mean(), qa.mean(), auc(qn, qa))}
    print({k: tuple(round(float(v), 4) for v in r) for k, r in res.items()})

    ref_out = mk.write_outputs(args.out, NAME, blob, tflm.quantize(x_norm[0:1]))
    qi, qo = tflm.inp["quant"], tflm.out["quant"]
    mk.write_card(
        args.out, NAME,
        title="fully connected autoencoder, MLPerf Tiny anomaly-detection shape "
              "(synthetic weights)",
        summary="""
**The scores of this model are meaningless for real anomaly detection.** It has the layer
shapes of the MLPerf Tiny anomaly-detection reference model (a dense autoencoder on 640-value
log-mel feature vectors, 5 frames x 128 bins, with an 8-unit bottleneck) and the same MAC
count, but it was trained on synthetic spectra, not on machine sounds. It exists for its real
shapes: ten FULLY_CONNECTED layers with about a quarter of a million int8 weights, a
memory-bound workload unlike the convolutional models.
""",
        architecture="""
Keras functional model: nine blocks `Dense(units)` → BN → ReLU with units 128, 128, 128,
128, 8, 128, 128, 128, 128, then `Dense(640)` (linear). Batch norm is folded into the dense
layers by the converter, ReLU becomes a fused activation. The MAC count equals the MLPerf Tiny
reference model's (264,192, see `/work/shared/models/README.md`); unlike that model (per-tensor
weight scales), this converter writes per-channel weight scales for the dense layers.
""",
        data=f"""
Synthetic, deterministic (`numpy.random.default_rng({SEED})`). A "normal" vector is 5 frames
of 128 bins: a fixed decaying mean spectrum (about -40 dB) plus a mix of {N_BASIS} smooth
Gaussian-shaped spectral shapes whose weights are drawn per vector and drift slightly from
frame to frame, plus Gaussian noise (σ 0.3). An "anomalous" vector adds a narrow-band line
(width 1.5 bins, level 4..10) at a random bin. Training: {N_TRAIN} normal vectors, Adam
(learning rate 0.002 with cosine decay to 0), mean squared reconstruction error, {EPOCHS}
epochs, batch 64, batch-norm momentum 0.9; the output layer's bias is initialized to the
per-feature training mean. (The decay and the lower momentum let the batch-norm moving
statistics settle: with a constant rate the inference-mode error was several times the
training error.)
Representative data set: the first 300 training vectors.
""",
        accuracy=f"""
**Meaningless for machine-sound anomaly detection** (synthetic data). The anomaly score is the
mean squared reconstruction error of a vector; on {N_TEST} held-out normal and {N_TEST}
anomalous synthetic vectors:

| model | mean score, normal | mean score, anomalous | ROC AUC | how |
|---|---|---|---|---|
| float (Keras) | {res['float'][0]:.3f} | {res['float'][1]:.3f} | {res['float'][2]:.4f} | `model.predict` |
| int8 (.tflite) | {res['int8'][0]:.3f} | {res['int8'][1]:.3f} | {res['int8'][2]:.4f} | input quantized, tflite-micro interpreter, output dequantized, error against the float input |

The int8 input step is {qi['scale'][0]:.4f} and the output step {qo['scale'][0]:.4f}, which
sets a floor under the int8 reconstruction error.
""",
        ref_io=f"""
`anomaly_input.bin` (640 bytes, int8, 1x640): the first held-out normal vector, quantized with
scale {qi['scale'][0]:.8g} and zero point {qi['zero_point'][0]}. `anomaly_output.bin` (640
bytes, int8): the tflite-micro interpreter's output for it (first values
`{' '.join(str(int(v)) for v in ref_out.reshape(-1)[:8])} ...`).
""",
        keras_params=model.count_params(),
        params_note="(its batch-norm layers are folded into the dense layers; their "
                    "moving statistics are not parameters of the .tflite)",
    )


if __name__ == "__main__":
    main()
