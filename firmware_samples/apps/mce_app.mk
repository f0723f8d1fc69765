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
ifndef MCE_APP_MK
MCE_APP_MK := 1

include engine/sources.mk
MCE_ENGINE_SRCS := $(addprefix engine/,$(MCE_ENGINE_FILES))

define mce_app
SRCS_$(1) += $(MCE_ENGINE_SRCS)
CFLAGS_$(1) += -Iengine $(if $(filter opt,$(2)),-DMCE_KERNELS_OPTIMIZED)
SKIP_TARGETS_$(1) += $(3) $(if $(filter opt,$(2)),$(filter-out $(DSP_TARGETS),$(ALL_TARGETS)))
endef

endif
