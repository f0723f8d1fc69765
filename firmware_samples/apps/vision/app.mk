# vision and vision-opt: models/vision.tflite (296 KiB MobileNetV1-0.25, 96x96x1) on its
# reference input. Needs about 340 KiB of flash and an 85.2 KiB arena (87,272 bytes optimized,
# 87,224 reference) + 4 KiB stack: efm32wg (256 KiB flash, 32 KiB RAM) and stm32f103 cannot
# hold it.
SKIP_TARGETS_vision := efm32wg stm32f103
include apps/mce_app.mk
$(eval $(call mce_model_app,vision,88064,efm32wg stm32f103))
