"""Make sine.tflite: the hello-world regression x in [0, 2*pi) -> sin(x), int8.

Three FULLY_CONNECTED layers (1 -> 16 -> 16 -> 1, ReLU between), trained on generated data.
Writes sine.tflite, sine_input.bin, sine_output.bin and the card sine.md.
"""

import math

import mkcommon as mk
import numpy as np

SEED = 1234
NAME = "sine"
N_TRAIN = 1000
N_GRID = 1000
EPOCHS = 300


def main():
    args = mk.parse_args(__doc__)
    tf, keras = mk.init_tf(SEED)
    rng = np.random.default_rng(SEED)

    # Training points drawn uniformly in [0, 2*pi); the targets are the exact sine.
    x_train = rng.uniform(0.0, 2 * math.pi, N_TRAIN).astype(np.float32)
    y_train = np.sin(x_train).astype(np.float32)
    # Held-out grid: cell midpoints, none of which is a training point.
    x_grid = ((np.arange(N_GRID) + 0.5) * (2 * math.pi / N_GRID)).astype(np.float32)
    y_grid = np.sin(x_grid.astype(np.float64))

    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
    with mk.Timer("training"):
        model.fit(x_train[:, None], y_train[:, None], epochs=EPOCHS, batch_size=64,
                  shuffle=True, verbose=0)

    float_pred = model.predict(x_grid[:, None], batch_size=N_GRID, verbose=0)[:, 0]
    mse_float = float(np.mean((float_pred.astype(np.float64) - y_grid) ** 2))

    # Calibrate on an even sweep of the input range so that 0 and 2*pi are both covered.
    rep = np.linspace(0.0, 2 * math.pi, 256, endpoint=False, dtype=np.float32)[:, None]
    blob = mk.convert_int8(tf, keras, model, (1,), rep)

    tflm = mk.Tflm(blob)
    q_grid = tflm.quantize(x_grid)
    y_q = np.array([tflm.run(v)[0] for v in q_grid])
    int8_pred = tflm.dequantize(y_q.reshape(-1))
    mse_int8 = float(np.mean((int8_pred - y_grid) ** 2))
    # Same grid but with the input as the int8 model sees it (its quantized x): isolates the
    # error of the network from the error of rounding x to 8 bits.
    x_seen = (q_grid.astype(np.float64) - tflm.inp["quant"]["zero_point"][0]) * \
        tflm.inp["quant"]["scale"][0]
    mse_int8_seen = float(np.mean((int8_pred - np.sin(x_seen)) ** 2))
    print(f"MSE float {mse_float:.6f} int8 {mse_int8:.6f} (vs sin of quantized x "
          f"{mse_int8_seen:.6f})")

    ref_x = 1.0
    ref_in = tflm.quantize(np.array([[ref_x]], np.float32))
    ref_out = mk.write_outputs(args.out, NAME, blob, ref_in)
    qi, qo = tflm.inp["quant"], tflm.out["quant"]

    mk.write_card(
        args.out, NAME,
        title="sine regression (hello world)",
        summary="""
The classic first TinyML model: a tiny multilayer perceptron that approximates `sin(x)` for
`x` in [0, 2π). Three FULLY_CONNECTED layers and nothing else, so it exercises the engine's
FC kernel (per-channel weight scales on the two hidden layers, one scale on the
output layer) with fused ReLU, and costs almost nothing to
run.
""",
        architecture="""
Keras `Sequential`: `Dense(16, relu)` → `Dense(16, relu)` → `Dense(1)` on a 1-element input
(batch fixed at 1 for conversion). Full-integer quantization: int8 input and output, int8
weights, int32 biases.
""",
        data=f"""
{N_TRAIN} training points `x ~ U[0, 2π)` from `numpy.random.default_rng({SEED})`, target the
exact `sin(x)` (no noise). Adam (learning rate 0.005), mean squared error, {EPOCHS} epochs,
batch 64. The representative data set for calibration is 256 evenly spaced points in [0, 2π).
""",
        accuracy=f"""
Held-out grid: the {N_GRID} cell midpoints `x_k = (k + 0.5)·2π/{N_GRID}`, none of them a
training point. Mean squared error against `sin(x_k)`:

| model | MSE | how |
|---|---|---|
| float (Keras) | {mse_float:.6f} | `model.predict` on the grid |
| int8 (.tflite) | {mse_int8:.6f} | x quantized with the input scale/zero point, one tflite-micro interpreter invocation per point, output dequantized |

Against the sine of the quantized input (what the int8 model actually sees) the int8 MSE is
{mse_int8_seen:.6f}. The input step is {qi['scale'][0]:.6f} rad and the output step is
{qo['scale'][0]:.6f}, so most of the int8 error is the network's own fit plus output rounding.
""",
        ref_io=f"""
`sine_input.bin` (1 byte, int8): x = {ref_x} quantized, value {int(ref_in.reshape(-1)[0])}.
`sine_output.bin` (1 byte, int8): the tflite-micro interpreter's output for it,
{int(ref_out.reshape(-1)[0])}, i.e. {float(tflm.dequantize(ref_out).reshape(-1)[0]):.4f}
(sin(1) = {math.sin(1.0):.4f}).
""",
        keras_params=model.count_params(),
    )


if __name__ == "__main__":
    main()
