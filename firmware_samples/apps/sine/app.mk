# sine and sine-opt: models/sine.tflite (3.4 KiB, three FULLY_CONNECTED layers) on its
# reference input; a 1,384-byte arena fits every target.
SKIP_TARGETS_sine :=
include apps/mce_app.mk
$(eval $(call mce_model_app,sine,2048,))
