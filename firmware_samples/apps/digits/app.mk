# digits and digits-opt: models/digits.tflite (15.3 KiB CNN on 8x8 digits) on its reference
# input and on the 64 held-out images of models/digits_test.bin; arena 4,360 bytes (reference)
# / 4,440 (optimized): fits every target.
SKIP_TARGETS_digits :=
include apps/mce_app.mk
$(eval $(call mce_model_app,digits,5120,))
