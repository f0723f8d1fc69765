# apps/mce_app.mk - settings shared by the apps that link the mce engine (runner, kws, ...).
# Read by their app.mk files (the firmware Makefile has loaded the boards and set
# ALL_TARGETS and DSP_TARGETS by then).
#
#   $(call mce_app,APP,FLAVOUR,MORE_SKIP_TARGETS)
#     APP      app name (a VARIANTS_<dir> entry)
#     FLAVOUR  ref: reference kernels, built for every target
#              opt: -DMCE_KERNELS_OPTIMIZED, built only for DSP_TARGETS (the engine refuses
#                   to build the optimized kernels for cores without the DSP extension)
#     MORE_SKIP_TARGETS  targets too small for the app
#
#   $(call mce_model_app,DIR,ARENA_BYTES,MORE_SKIP_TARGETS)
#     the model app folder apps/DIR as two apps: DIR (reference kernels) and DIR-opt
#     (optimized, DSP targets only), from apps/DIR/*.c and *.S plus apps/model_app.c, with a
#     static arena of ARENA_BYTES and a 4 KiB main stack (the engine needs under 1 KiB: gcc
#     -fstack-usage); the objects depend on models/DIR.tflite, DIR_input.bin, DIR_output.bin
#     (and any models/DIR_*.bin), which apps/DIR/*.S embed with .incbin.
ifndef MCE_APP_MK
MCE_APP_MK := 1

include engine/sources.mk
MCE_ENGINE_SRCS := $(addprefix engine/,$(MCE_ENGINE_FILES))

define mce_app
SRCS_$(1) += $(MCE_ENGINE_SRCS)
CFLAGS_$(1) += -Iengine $(if $(filter opt,$(2)),-DMCE_KERNELS_OPTIMIZED)
SKIP_TARGETS_$(1) += $(3) $(if $(filter opt,$(2)),$(filter-out $(DSP_TARGETS),$(ALL_TARGETS)))
endef

define mce_model_app_variant
SRCS_$(1) += apps/model_app.c
CFLAGS_$(1) += -Iapps -DMODEL_APP_ARENA_BYTES=$(3)
LDFLAGS_$(1) += -Wl,--defsym=__stack_size__=4096
DEPS_$(1) += $(sort $(wildcard models/$(2).tflite models/$(2)_*.bin))
endef

define mce_model_app
VARIANTS_$(1) := $(1) $(1)-opt
$(call mce_app,$(1),ref,$(3))
$(call mce_app,$(1)-opt,opt,$(3))
$(call mce_model_app_variant,$(1),$(1),$(2))
$(call mce_model_app_variant,$(1)-opt,$(1),$(2))
endef

endif
