"""The analytic op cost model (L4): cycles, energy and memory of a ``.tflite`` on a target,
predicted from each op's shapes and parameters and the fitted tables in ``cost_models/ops/``.

Stdlib only (no numpy, unicorn or capstone), so ``mcusim estimate`` starts in milliseconds.
"""
