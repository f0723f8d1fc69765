# The engine's C sources (names relative to this folder), read by engine/Makefile and, through
# apps/mce_app.mk, by the firmware Makefile. Every file builds in both kernel flavours: the
# reference kernels compile to nothing with -DMCE_KERNELS_OPTIMIZED and the *_opt.c files to
# nothing without it.
MCE_ENGINE_FILES := mce_engine.c mce_parse.c mce_prepare.c mce_prepare_more.c mce_plan.c mce_fb.c \
                    mce_quant.c mce_opnames.c mce_conv.c mce_depthwise.c mce_fc.c mce_pool.c \
                    mce_elementwise.c mce_softmax.c mce_misc.c mce_reduce.c \
                    mce_conv_opt.c mce_depthwise_opt.c mce_fc_opt.c
