# kws and kws-opt: models/kws.tflite on its reference input (apps/mce_app.mk, mce_model_app).
# Needs about 88 KiB of flash (50.8 KiB model + code) and a 25 KiB arena (24,880 bytes used
# by the optimized kernels, 24,608 by the reference ones) + 4 KiB stack:
# stm32f103 (64 KiB flash, 20 KiB RAM) cannot hold it.
SKIP_TARGETS_kws := stm32f103
include apps/mce_app.mk
$(eval $(call mce_model_app,kws,25600,stm32f103))
