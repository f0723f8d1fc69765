# anomaly and anomaly-opt: models/anomaly.tflite (309 KiB dense autoencoder, 640 values) on its
# reference input. Needs about 350 KiB of flash and a 17,608-byte arena + 4 KiB stack:
# efm32wg (256 KiB flash) and stm32f103 (64 KiB) cannot hold it.
SKIP_TARGETS_anomaly := efm32wg stm32f103
include apps/mce_app.mk
$(eval $(call mce_model_app,anomaly,18432,efm32wg stm32f103))
